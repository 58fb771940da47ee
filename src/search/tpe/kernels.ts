import { neighbourWidths } from './bandwidth.ts';
import type { TpeDim } from './encoding.ts';
import { addSliceMasses, logInsideMasses, logSqrt2Pi } from './normal.ts';

const invSqrt2Pi = 1 / Math.sqrt(2 * Math.PI);

/**
 * The per-dimension kernels of a Parzen estimator with m observations: component k < m is centred on
 * observation k, component m is the prior (centre 0.5, width 1 on a numeric dimension; uniform on a categorical).
 */

/** The kernels of one numeric dimension: centres, widths and log normalisers. */
export interface NumericKernels {
  readonly kind: 'numeric';
  readonly dim: TpeDim;
  readonly mus: Float64Array;
  readonly sigmas: Float64Array;
  readonly inv: Float64Array;
  /** Continuous: log σ + log √(2π) + log Z; stepped: log Z (Z = the kernel's mass inside [0, 1]). */
  readonly lnNorm: Float64Array;
  /** Continuous: e^-lnNorm = 1/(σ√(2π)Z), the kernel's peak density; kept to spare an exp per component. */
  readonly scale: Float64Array;
  readonly stepped: boolean;
}

/** The kernels of one categorical dimension: the observed index per component (-1 for the prior). */
export interface CategoricalKernels {
  readonly kind: 'categorical';
  readonly size: number;
  readonly cats: Int32Array;
  readonly logHit: number;
  readonly logMiss: number;
  readonly logUniform: number;
  /** Chance that a draw keeps the component's category (else it is uniform over all). */
  readonly keep: number;
}

/** One dimension's kernels. */
export type DimKernels = NumericKernels | CategoricalKernels;

/** Builds one dimension's kernels from the first `m` entries of `column`; `priorWeight` also smooths categories. */
export function dimKernels(dim: TpeDim, column: Float64Array, m: number, priorWeight: number): DimKernels {
  const K = m + 1;
  if (dim.kind === 'categorical') {
    const size = dim.values.length;
    const cats = new Int32Array(K);
    for (let i = 0; i < m; i++) cats[i] = column[i]!;
    cats[m] = -1;
    // A one-hot smoothed by the prior weight spread over the categories, so no category is ever ruled out.
    const norm = Math.log(1 + priorWeight);
    return {
      kind: 'categorical',
      size,
      cats,
      logHit: Math.log(1 + priorWeight / size) - norm,
      logMiss: Math.log(priorWeight / size) - norm,
      logUniform: -Math.log(size),
      keep: 1 / (1 + priorWeight),
    };
  }
  const mus = new Float64Array(K);
  mus.set(column.subarray(0, m));
  mus[m] = 0.5;
  const sigmas = new Float64Array(K);
  neighbourWidths(mus, m, sigmas);
  sigmas[m] = 1; // the prior spans the whole range
  const inv = new Float64Array(K);
  const lnNorm = new Float64Array(K);
  const scale = new Float64Array(K);
  logInsideMasses(mus, sigmas, lnNorm);
  const stepped = dim.kind === 'stepped';
  // Most widths sit at the clip once points crowd, so log σ is reused while σ repeats.
  let lastSigma = Number.NaN;
  let logSigma = 0;
  for (let k = 0; k < K; k++) {
    const s = sigmas[k]!;
    if (s !== lastSigma) {
      lastSigma = s;
      logSigma = Math.log(s);
    }
    inv[k] = 1 / s;
    if (stepped) continue;
    const logZ = lnNorm[k]!;
    scale[k] = (logZ === 0 ? 1 : Math.exp(-logZ)) * inv[k]! * invSqrt2Pi;
    lnNorm[k] = logZ + logSigma + logSqrt2Pi;
  }
  return { kind: 'numeric', dim, mus, sigmas, inv, lnNorm, scale, stepped };
}

/** The slice [a, b] of [0, 1] that snaps to one grid point. */
export interface Slice {
  readonly a: number;
  readonly b: number;
}

/** Grid slices [a, b] of stepped candidates, one entry per candidate. */
export interface Slices {
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/**
 * Adds every component's log kernel value at the coordinate `x` to `terms`. `slice` is the candidate's grid
 * slice [a, b] on a stepped dimension (ignored otherwise).
 */
export function addKernelTerms(kd: DimKernels, x: number, slice: Slice, terms: Float64Array): void {
  if (kd.kind === 'categorical') {
    const cats = kd.cats;
    for (let k = 0; k < cats.length; k++) {
      const cat = cats[k]!;
      terms[k]! += cat < 0 ? kd.logUniform : x === cat ? kd.logHit : kd.logMiss;
    }
    return;
  }
  const { mus, inv, lnNorm } = kd;
  if (!kd.stepped) {
    for (let k = 0; k < mus.length; k++) {
      const z = (x - mus[k]!) * inv[k]!;
      terms[k]! += -0.5 * z * z - lnNorm[k]!;
    }
    return;
  }
  // A grid point's probability is the kernel's mass over the slice of [0, 1] that snaps to it.
  addSliceMasses(kd, slice, terms);
}
