/**
 * The trust region of GP-BO in many dimensions, after TuRBO (Eriksson et al., "Scalable Global Optimization via
 * Local Bayesian Optimization", NeurIPS 2019). A GP over the whole cube explores its far corners ever more as
 * the dimension grows (in 20-D almost all of the volume is far from every observation), so in wide spaces
 * (`trust_region`; by default from 20 parameters, where it was measured) the proposals are confined to a hyper-rectangle centred on the incumbent, each side proportional
 * to the fitted ARD length scale of its dimension. The rectangle doubles after a run of improvements, halves
 * after a run of non-improvements, and when it has shrunk below a floor the search restarts: a fresh region
 * around points chosen for being far from everything observed.
 *
 * The algorithm keeps no state between requests: {@link replayTrustRegion} rebuilds the region from the
 * observation history in creation order, so a restarted controller, a worker or another process arrives at the
 * same region, and the same seed gives the same suggestions.
 */

/** The region's side (in the unit cube, before the per-dimension weights) at the start and after a restart. */
export const initialLength = 0.8;
/** The largest side: past it the region covers the cube in every dimension whose weight is above ~0.6. */
export const maxLength = 1.6;
/** Below this side the region has collapsed onto the incumbent (7 halvings of the initial side): restart. */
export const minLength: number = 0.5 ** 7;
/** Consecutive improvements that double the side. */
export const successTolerance = 3;
/** An observation improves on the incumbent when it is lower by more than this fraction of |incumbent|. */
export const improvementFraction = 1e-3;

/**
 * Consecutive non-improvements that halve the side: max(4, parameters), as TuRBO counts for a batch of one. In
 * observations rather than batches, so that a parallel search shrinks after as many fruitless trials.
 */
export function failureTolerance(parameters: number): number {
  return Math.max(4, parameters);
}

/** Proposals after a restart that explore (maximum posterior variance) before the new region is centred. */
export function restartPoints(parameters: number): number {
  return Math.max(2, Math.min(10, Math.ceil(parameters / 4)));
}

/** The region after replaying the history: what a proposal needs and what `hpo explain` reports. */
export interface TrustRegionState {
  /** The side before the per-dimension weights. */
  readonly length: number;
  readonly successes: number;
  readonly failures: number;
  /** How many times the region collapsed and the search restarted. */
  readonly restarts: number;
  /** The observation (row of the history) the region is centred on; −1 while a restart explores. */
  readonly centre: number;
  /** Observations since the last restart (all since the design when there was none). */
  readonly epochObservations: number;
}

/**
 * Replays the observation values (minimised, creation order) after the first `design` observations, which
 * only set the first incumbent. Each later observation either improves on the incumbent of its epoch (a success)
 * or not (a failure); `successTolerance` successes in a row double the side (up to {@link maxLength}),
 * {@link failureTolerance} failures in a row halve it, and a side below {@link minLength} starts a new epoch
 * whose first {@link restartPoints} observations only set its incumbent.
 */
export function replayTrustRegion(values: ArrayLike<number>, design: number, parameters: number): TrustRegionState {
  const failTol = failureTolerance(parameters);
  const fresh = restartPoints(parameters);
  let length = initialLength;
  let successes = 0;
  let failures = 0;
  let restarts = 0;
  let epochStart = 0;
  let warmUp = Math.max(1, design);
  let centre = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i - epochStart < warmUp) {
      // The epoch's opening points (the design, or a restart's exploring points) only set its incumbent.
      if (centre < 0 || v < values[centre]!) centre = i;
      continue;
    }
    const best = values[centre]!;
    if (v < best - improvementFraction * Math.abs(best)) {
      successes++;
      failures = 0;
    } else {
      failures++;
      successes = 0;
    }
    if (v < best) centre = i;
    if (successes >= successTolerance) {
      length = Math.min(maxLength, 2 * length);
      successes = 0;
    } else if (failures >= failTol) {
      length /= 2;
      failures = 0;
    }
    if (length < minLength) {
      restarts++;
      length = initialLength;
      successes = 0;
      failures = 0;
      epochStart = i + 1;
      warmUp = fresh;
      centre = -1;
    }
  }
  const epochObservations = values.length - epochStart;
  return { length, successes, failures, restarts, centre, epochObservations };
}

/**
 * The region's box in the unit cube: centred on `centre`, the side of dimension d equal to
 * length · ℓ_d / (geometric mean of ℓ), clipped to [0, 1]. The weights let the region stretch along dimensions
 * the objective barely changes in and stay narrow along the sensitive ones, with the volume of a cube of side
 * `length`. Length scales are clipped to [0.01, 100] times their geometric mean so that one irrelevant
 * dimension does not squeeze all the others to nothing.
 */
export function regionBox(
  centre: ArrayLike<number>,
  logLength: readonly number[],
  length: number,
): { lower: Float64Array; upper: Float64Array } {
  const dims = logLength.length;
  let logMean = 0;
  for (const l of logLength) logMean += l;
  logMean /= Math.max(1, dims);
  const clip = Math.log(100);
  let clippedMean = 0;
  const clipped = logLength.map((l) => Math.min(logMean + clip, Math.max(logMean - clip, l)));
  for (const l of clipped) clippedMean += l;
  clippedMean /= Math.max(1, dims);
  const lower = new Float64Array(dims);
  const upper = new Float64Array(dims);
  for (let d = 0; d < dims; d++) {
    const half = (length * Math.exp(clipped[d]! - clippedMean)) / 2;
    lower[d] = Math.max(0, centre[d]! - half);
    upper[d] = Math.min(1, centre[d]! + half);
  }
  return { lower, upper };
}
