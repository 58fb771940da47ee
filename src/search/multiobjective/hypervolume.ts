/**
 * Exact hypervolume of loss vectors (every objective minimised) against a reference point: the measure of the
 * region the points dominate and that dominates the reference point. Used by multi-objective `tpe` (contribution
 * tie-break) and by the multi-objective benchmark.
 */

/**
 * The hypervolume dominated by `points` and bounded by `reference`. Points that do not strictly dominate the
 * reference in every objective add nothing. Two objectives take one sorted sweep (O(n log n)); more objectives
 * are cut into slabs along the last objective, each slab a hypervolume of one dimension fewer (the HSO scheme of
 * While et al. 2006), O(n^(M−1) log n): exact and fast enough for the few hundred points of a study.
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const m = reference.length;
  const inside = points.filter((p) => p.every((v, k) => v < reference[k]!));
  if (inside.length === 0) return 0;
  return volume(inside, reference, m);
}

/** The hypervolume of points (all inside the box) in their first `m` objectives. */
function volume(points: readonly (readonly number[])[], reference: readonly number[], m: number): number {
  if (m === 1) {
    let lo = reference[0]!;
    for (const p of points) lo = Math.min(lo, p[0]!);
    return reference[0]! - lo;
  }
  if (m === 2) return area(points, reference);
  const last = m - 1;
  const sorted = [...points].sort((a, b) => a[last]! - b[last]!);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const top = i + 1 < sorted.length ? sorted[i + 1]![last]! : reference[last]!;
    const depth = top - sorted[i]![last]!;
    // Points sharing a value of the last objective make empty slabs; skip them rather than sweep for nothing.
    if (depth > 0) total += volume(sorted.slice(0, i + 1), reference, last) * depth;
  }
  return total;
}

/** Two objectives: sweep by the first, adding the strip each point gains below the lowest second value so far. */
function area(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const sorted = [...points].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let lowest = reference[1]!;
  let total = 0;
  for (const p of sorted) {
    if (p[1]! >= lowest) continue;
    total += (reference[0]! - p[0]!) * (lowest - p[1]!);
    lowest = p[1]!;
  }
  return total;
}

/**
 * Each point's exclusive hypervolume contribution: what the set loses without it (zero for dominated or
 * duplicated points). n + 1 hypervolumes; callers pass one front of modest size.
 */
export function hypervolumeContributions(
  points: readonly (readonly number[])[],
  reference: readonly number[],
): Float64Array {
  const whole = hypervolume(points, reference);
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const rest = points.filter((_, j) => j !== i);
    out[i] = Math.max(0, whole - hypervolume(rest, reference));
  }
  return out;
}
