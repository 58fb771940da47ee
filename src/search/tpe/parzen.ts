import type { Rng } from '../rng.ts';
import { binOf, type TpeDim } from './encoding.ts';
import { type DimKernels, dimKernels, type Slices } from './kernels.ts';
import { truncatedNormalDraw } from './normal.ts';

/**
 * A Parzen estimator (kernel density) over every TPE dimension: one component per observation plus the prior,
 * each a product of per-dimension kernels (a Gaussian truncated to [0, 1], its grid-slice masses on a stepped
 * dimension, a smoothed one-hot on a categorical one). It is read two ways: as the joint mixture
 * Σ_k w_k Π_d K_kd(x_d) (multivariate TPE, Falkner et al. 2018) or as the product of its per-dimension marginals
 * Π_d Σ_k w_k K_kd(x_d) (hyperopt's independent estimators, one per parameter).
 */

/** A built estimator; component `components - 1` is the prior. */
export interface Parzen {
  readonly components: number;
  readonly logWeights: Float64Array;
  /** Normalised weights. */
  readonly weights: Float64Array;
  /** Cumulative normalised weights, for drawing a component. */
  readonly cumulative: Float64Array;
  readonly kernels: readonly DimKernels[];
}

/** Points to estimate from: one column per dimension (unit coordinates or category indices) and a weight per point. */
export interface Group {
  readonly columns: readonly Float64Array[];
  readonly weights: Float64Array;
  readonly size: number;
}

/** Candidate points: a value column per dimension, and grid slices for stepped dimensions. */
export interface Candidates {
  readonly count: number;
  readonly values: readonly Float64Array[];
  readonly slices: readonly (Slices | undefined)[];
}

/** How a density is read: the joint mixture, or the product of the per-dimension marginal mixtures. */
export type DensityMode = 'joint' | 'marginal';

/** Fits the estimator to `group` (columns follow `dims`); the prior component weighs `priorWeight`. */
export function buildParzen(dims: readonly TpeDim[], group: Group, priorWeight: number): Parzen {
  const m = group.size;
  const K = m + 1;
  let total = priorWeight;
  for (let i = 0; i < m; i++) total += group.weights[i]!;
  const logWeights = new Float64Array(K);
  const weights = new Float64Array(K);
  const cumulative = new Float64Array(K);
  let run = 0;
  for (let k = 0; k < K; k++) {
    const w = (k < m ? group.weights[k]! : priorWeight) / total;
    weights[k] = w;
    logWeights[k] = Math.log(w);
    run += w;
    cumulative[k] = run;
  }
  const kernels = dims.map((dim, j) => dimKernels(dim, group.columns[j]!, m, priorWeight));
  return { components: K, logWeights, weights, cumulative, kernels };
}

/** Index of the component whose cumulative weight first exceeds u. */
function pick(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Draws from one component only, its numeric kernels narrowed by `widthScale` (a local refinement). */
export interface Focus {
  readonly component: number;
  readonly widthScale: number;
}

/**
 * Draws `count` points from the joint mixture: a component per point, then every coordinate from that
 * component's kernels, so a candidate is a perturbation of one observation as a whole. With `focus`, every
 * draw comes from that one component, with narrower numeric kernels.
 */
export function sampleParzen(p: Parzen, dims: readonly TpeDim[], count: number, rng: Rng, focus?: Focus): Candidates {
  const values = dims.map(() => new Float64Array(count));
  const slices = dims.map((dim) =>
    dim.kind === 'stepped' ? { a: new Float64Array(count), b: new Float64Array(count) } : undefined,
  );
  const total = p.cumulative[p.components - 1]!;
  const scale = focus?.widthScale ?? 1;
  for (let i = 0; i < count; i++) {
    const k = focus?.component ?? pick(p.cumulative, rng.next() * total);
    dims.forEach((dim, j) => {
      const kd = p.kernels[j]!;
      if (kd.kind === 'categorical') {
        const c = kd.cats[k]!;
        values[j]![i] = c >= 0 && rng.next() < kd.keep ? c : rng.int(0, kd.size - 1);
        return;
      }
      const x = truncatedNormalDraw(kd.mus[k]!, kd.sigmas[k]! * scale, rng);
      const slice = slices[j];
      if (slice === undefined || dim.kind !== 'stepped') {
        values[j]![i] = x;
        return;
      }
      const bin = binOf(dim, x);
      values[j]![i] = bin.centre;
      slice.a[i] = bin.a;
      slice.b[i] = bin.b;
    });
  }
  return { count, values, slices };
}
