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
 * the front and dominates nothing. O(n² · objectives), fine for the trial counts of one experiment.
 */
export function paretoFrontIndices(
  vectors: readonly (readonly number[])[],
  types: readonly ObjectiveDirection[],
): number[] {
  const usable = vectors
    .map((v, i) => ({ v, i }))
    .filter(({ v }) => v.length === types.length && v.every(Number.isFinite));
  return usable.filter(({ v }) => !usable.some((other) => dominates(other.v, v, types))).map(({ i }) => i);
}
