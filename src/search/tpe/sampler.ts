import type { Rng } from '../rng.ts';
import { logDensity } from './density.ts';
import type { TpeSpace } from './encoding.ts';
import { buildParzen, type DensityMode, type Focus, sampleParzen } from './parzen.ts';
import type { Split } from './split.ts';

/**
 * The TPE acquisition (Bergstra et al. 2011): with l the density of the good points and g that of the bad ones,
 * expected improvement grows with l(x)/g(x), so candidates are drawn from l and the one with the largest
 * log l(x) − log g(x) wins.
 */

/** Candidates ranked best first, with their acquisition values (log l − log g). */
export interface Ranked {
  readonly size: number;
  /** The r-th best candidate's point (unit coordinates and category indices). */
  point(r: number): Float64Array;
  score(r: number): number;
}

/** What one ranking needs besides the split. */
export interface RankOptions {
  readonly candidates: number;
  readonly priorWeight: number;
  /** `joint` for multivariate TPE, `marginal` for independent per-parameter estimators (l and g as products). */
  readonly mode: DensityMode;
}

/**
 * Draws `o.candidates` points from l and ranks them by log l − log g (ties: draw order). Both modes draw whole
 * candidates from l's joint mixture (each a perturbation of one good point); `marginal` scores them with
 * per-parameter estimators only, so the model itself has no interactions between parameters. With `focus`,
 * the candidates are drawn around one good point only (see `localFocus` in engine.ts).
 */
export function rankCandidates(enc: TpeSpace, split: Split, o: RankOptions, rng: Rng, focus?: Focus): Ranked {
  const l = buildParzen(enc.dims, split.good, o.priorWeight);
  const g = buildParzen(enc.dims, split.bad, o.priorWeight);
  const cands = sampleParzen(l, enc.dims, o.candidates, rng, focus);
  const ll = logDensity(l, cands, o.mode);
  const lg = logDensity(g, cands, o.mode);
  const scores = new Float64Array(cands.count);
  for (let i = 0; i < scores.length; i++) scores[i] = ll[i]! - lg[i]!;
  const order = Int32Array.from(scores.keys()).sort((i, j) => scores[j]! - scores[i]! || i - j);
  return {
    size: order.length,
    point: (r) => {
      const i = order[r]!;
      const out = new Float64Array(cands.values.length);
      for (let d = 0; d < out.length; d++) out[d] = cands.values[d]![i]!;
      return out;
    },
    score: (r) => scores[order[r]!]!,
  };
}
