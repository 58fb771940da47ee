import type { Rng } from '../rng.ts';
import type { KdeDim } from './encoding.ts';

/**
 * A product-kernel density estimate over mixed coordinates, the model BOHB fits to its good and bad
 * configurations (Falkner et al. 2018, §4). Continuous coordinates (in [0, 1]) get Gaussian kernels;
 * level indices get Aitchison–Aitken kernels: weight 1−λ on the same level, λ/(c−1) on each other one.
 */

const logSqrt2Pi = 0.5 * Math.log(2 * Math.PI);
/** Tries to land a Gaussian draw inside [0, 1] before clamping it (only very wide kernels at an edge need many). */
const truncationTries = 32;

/**
 * Rule-of-thumb bandwidths: the normal reference 1.06·σ·n^(−1/(4+d)) (statsmodels' `normal_reference`, as
 * HpBandSter uses), floored at `minBandwidth` and at `floor[j]` when given.
 */
export function bandwidths(
  dims: readonly KdeDim[],
  data: readonly (readonly number[])[],
  minBandwidth: number,
  floor?: readonly number[],
): number[] {
  const n = data.length;
  const shrink = n ** (-1 / (4 + dims.length));
  return dims.map((dim, j) => {
    const column = data.map((x) => x[j] ?? 0);
    if (dim.kind === 'continuous') {
      // Plain sums, not simple-statistics' mean/standardDeviation: its compensated (Kahan–Babuška) sum differs in the
      // last bit for about half of random columns (18% for σ), which would move BOHB's tuned suggestions.
      const mean = column.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
      return Math.max(minBandwidth, floor?.[j] ?? 0, 1.06 * sd * shrink);
    }
    // For levels the spread is the Gini impurity (the chance two points differ), in place of a variance; λ stops
    // at (c−1)/c, where the kernel is flat over the levels.
    const counts = new Map<number, number>();
    for (const v of column) counts.set(v, (counts.get(v) ?? 0) + 1);
    let gini = 1;
    for (const c of counts.values()) gini -= (c / n) ** 2;
    const flat = (dim.levels - 1) / dim.levels;
    return Math.min(flat, Math.max(minBandwidth, floor?.[j] ?? 0, 1.06 * Math.sqrt(gini) * shrink));
  });
}

function logSumExp(values: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > max) max = v;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/** A fitted product KDE: its points and one bandwidth per coordinate. Plain data, cheap to build per request. */
export class ProductKde {
  readonly dims: readonly KdeDim[];
  readonly data: readonly (readonly number[])[];
  readonly bandwidths: readonly number[];

  /** A KDE on `data` (at least one point) with the given bandwidths. */
  constructor(dims: readonly KdeDim[], data: readonly (readonly number[])[], widths: readonly number[]) {
    this.dims = dims;
    this.data = data;
    this.bandwidths = widths;
  }

  /** Fits bandwidths by {@link bandwidths}. */
  static fit(
    dims: readonly KdeDim[],
    data: readonly (readonly number[])[],
    minBandwidth: number,
    floor?: readonly number[],
  ): ProductKde {
    return new ProductKde(dims, data, bandwidths(dims, data, minBandwidth, floor));
  }

  /** The log density at `x` (Gaussian kernels are not renormalised to [0, 1]; BOHB only compares two KDEs). */
  logPdf(x: readonly number[]): number {
    const terms = this.data.map((point) => {
      let log = 0;
      this.dims.forEach((dim, j) => {
        const bw = this.bandwidths[j] as number;
        const m = point[j] as number;
        const v = x[j] as number;
        if (dim.kind === 'continuous') {
          const z = (v - m) / bw;
          log += -0.5 * z * z - Math.log(bw) - logSqrt2Pi;
        } else if (dim.levels > 1) {
          log += v === m ? Math.log(1 - bw) : Math.log(bw / (dim.levels - 1));
        }
      });
      return log;
    });
    return logSumExp(terms) - Math.log(this.data.length);
  }

  /**
   * A draw near a random data point: continuous coordinates from a Gaussian `widen` times wider, kept inside
   * [0, 1] (BOHB widens to explore around the good configurations); levels kept with chance 1−λ, else another.
   */
  sample(rng: Rng, widen: number): number[] {
    const point = this.data[rng.int(0, this.data.length - 1)] as readonly number[];
    return this.dims.map((dim, j) => {
      const bw = this.bandwidths[j] as number;
      const m = point[j] as number;
      if (dim.kind === 'continuous') {
        const sd = bw * widen;
        let v = m + sd * rng.normal();
        for (let k = 0; k < truncationTries && (v < 0 || v > 1); k++) v = m + sd * rng.normal();
        return Math.min(1, Math.max(0, v));
      }
      if (dim.levels < 2 || rng.next() >= bw) return m;
      const other = rng.int(0, dim.levels - 2);
      return other >= m ? other + 1 : other;
    });
  }
}
