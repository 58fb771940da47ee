/**
 * Exploitation when the incumbent stalls. The default `gp_hedge` portfolio holds log-EI and LCB only (see
 * `portfolio`): without PI, Hartmann-6 finds its global basin by trial 50 on many more seeds, but the search then
 * refines too little, and a valley (Rosenbrock-4) or a badly scaled bowl (Ellipsoid-6) converges far more slowly.
 * So while the best value has not improved significantly for {@link stallAfter} observations, every
 * {@link stallEvery}-th proposal is made by PI, the most exploiting of the three, instead of the portfolio.
 * Improvement is measured against the outputs' own scale, so a search creeping down a valley in tiny steps counts
 * as stalled, and one that finds a new basin does not.
 */

/** Observations without a significant improvement before PI first proposes. */
export const stallAfter = 8;
/** While stalled, PI proposes once in this many observations. */
export const stallEvery = 3;
/** An improvement counts when it lowers the best by more than this fraction of the outputs' standard scale. */
export const stallTolerance = 0.01;

/**
 * Observations since the last significant improvement of the best value or the end of the initial design
 * (`design` observations), in the order they were observed: `values` oriented for minimisation, `scale` the
 * standardisation's scale (user units). Each improvement is judged on its own step, so a slow creep of small
 * steps stays a stall however long it goes on. The design's own lack of progress is no stall: counted from the
 * first observation, PI took the first model proposals on Ackley-5's flat outer plateau and left 4 of 9 seeds
 * there (regret@50 6.61 against 3.64).
 */
export function stallLength(values: Float64Array, n: number, scale: number, design = 0): number {
  if (n === 0) return 0;
  const tolerance = stallTolerance * scale;
  let best = values[0]!;
  let last = Math.min(n, Math.max(1, design)) - 1;
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    if (v < best - tolerance && i > last) last = i;
    if (v < best) best = v;
  }
  return n - 1 - last;
}

/** Whether PI proposes after a stall of `length` observations. */
export function stallDue(length: number): boolean {
  return length >= stallAfter && (length - stallAfter) % stallEvery === 0;
}
