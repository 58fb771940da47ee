/**
 * Pareto dominance on loss vectors (every objective minimised; callers negate maximised ones first, see
 * {@link lossVectors}). Shared by `nsga2`, multi-objective `tpe` and the multi-objective benchmark.
 */

/** True when `a` is no worse than `b` in every objective and better in at least one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

/**
 * Deb et al.'s fast non-dominated sort (NSGA-II, 2002): the indices of `points` split into fronts, the first
 * non-dominated, each next one non-dominated once the earlier fronts are removed. Within a front indices keep
 * ascending order, so the result depends only on the points. O(M·n²) time, O(n²) bits of memory at worst.
 */
export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy = new Int32Array(n);
  const beats: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i]!, points[j]!)) {
        beats[i]!.push(j);
        dominatedBy[j]!++;
      } else if (dominates(points[j]!, points[i]!)) {
        beats[j]!.push(i);
        dominatedBy[i]!++;
      }
    }
  }
  const fronts: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of beats[i]!) {
        dominatedBy[j]!--;
        if (dominatedBy[j] === 0) next.push(j);
      }
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * NSGA-II's crowding distance of each member of one front (aligned with `front`): per objective, the boundary
 * points get +∞ and inner points the normalised gap between their neighbours, summed over objectives. Ties in
 * an objective are ordered by index, so equal inputs always give equal distances.
 */
export function crowdingDistances(points: readonly (readonly number[])[], front: readonly number[]): Float64Array {
  const size = front.length;
  const distance = new Float64Array(size);
  if (size === 0) return distance;
  const objectives = points[front[0]!]!.length;
  const order = Array.from({ length: size }, (_, i) => i);
  for (let k = 0; k < objectives; k++) {
    const value = (i: number) => points[front[i]!]![k]!;
    order.sort((a, b) => value(a) - value(b) || front[a]! - front[b]!);
    const lo = value(order[0]!);
    const hi = value(order[size - 1]!);
    distance[order[0]!] = Number.POSITIVE_INFINITY;
    distance[order[size - 1]!] = Number.POSITIVE_INFINITY;
    // A flat objective separates nothing; dividing by a zero range would add NaN.
    if (!(hi > lo)) continue;
    for (let r = 1; r < size - 1; r++)
      distance[order[r]!]! += (value(order[r + 1]!) - value(order[r - 1]!)) / (hi - lo);
  }
  return distance;
}
