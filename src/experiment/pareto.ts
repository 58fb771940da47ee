/**
 * Pareto dominance over objective vectors: the pure core of `hpo best`'s front, `hpo trials`' front column and
 * `ExperimentReader.paretoFront()`. Each vector holds one value per objective, aligned with `types`.
 */

/** An objective's direction. */
export type ObjectiveDirection = 'minimize' | 'maximize';

/**
 * True when `a` dominates `b`: at least as good in every objective and strictly better in one. Equal vectors do not
 * dominate each other.
 */
export function dominates(a: readonly number[], b: readonly number[], types: readonly ObjectiveDirection[]): boolean {
  let better = false;
  for (let i = 0; i < types.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (types[i] === 'minimize' ? x > y : x < y) return false;
    better = true;
  }
  return better;
}

/**
 * The indices (ascending) of the vectors no other vector dominates: the first front of a non-dominated sort. Ties
 * and duplicates are all kept (none dominates its equal). A vector with a missing or non-finite value is never on
 * the front and dominates nothing.
 */
export function paretoFrontIndices(
  vectors: readonly (readonly number[])[],
  types: readonly ObjectiveDirection[],
): number[] {
  // Every objective as a cost (maximised ones negated), then lexicographic order: a vector can only be dominated by
  // one before it, and whatever dominates it is itself dominated by (or is) a front member found earlier, so each
  // vector is compared with the front so far only — O(n log n + n · front) instead of O(n²) for 10,000 trials.
  const costs = vectors.map((v) =>
    v.length === types.length ? v.map((x, i) => (types[i] === 'minimize' ? x : -x)) : [],
  );
  const order = costs
    .map((_, i) => i)
    .filter((i) => costs[i]!.length === types.length && costs[i]!.every(Number.isFinite))
    .sort((a, b) => lexicographic(costs[a]!, costs[b]!) || a - b);
  const asCosts = types.map(() => 'minimize' as const);
  const front: number[] = [];
  for (const i of order) {
    if (!front.some((f) => dominates(costs[f]!, costs[i]!, asCosts))) front.push(i);
  }
  return front.sort((a, b) => a - b);
}

function lexicographic(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
