import { normalCdf, normalPdf } from './normal.ts';

/**
 * Expected hypervolume improvement (EHVI; Emmerich et al. 2006) of a point whose objectives are independent
 * Gaussians, against a Pareto front and a reference point, every objective minimised. Used by multi-objective
 * `bayesianoptimization` (one GP per objective, see `paretoSession.ts`).
 *
 * Exact by a box decomposition of the region the front does not dominate. The first M − 1 objectives are cut at
 * every coordinate the front takes (plus −∞ and the reference), which splits them into a grid of columns; in one
 * column a point z is dominated exactly when its last objective is at least the column's threshold t (the least
 * last objective among the front points that are no worse than the column's lower corner, or the reference when
 * none is). So the non-dominated region is the union of the disjoint boxes column × (−∞, t], and for a point y
 *
 *   HVI(y) = Σ_columns ∏_{k<M−1} (U_k − max(L_k, y_k))⁺ · (t − y_{M−1})⁺.
 *
 * With independent Y_k ~ N(μ_k, σ_k²) the expectation of each product is the product of expectations, and
 * E[(c − Y)⁺] = σ·h((c − μ)/σ) with h(z) = φ(z) + zΦ(z), so E[(U − max(L, Y))⁺] = σ(h(u) − h(l)). Each column
 * costs M − 1 multiplications; there are ∏ (distinct values + 1) of them: n + 1 for two objectives, at most
 * (n + 1)² for three. The caller bounds that count ({@link maxColumns}, by thinning the front it passes).
 */

/** Columns (boxes) the decomposition may hold: keeps one EHVI evaluation near 10⁴ multiplications. */
export const maxColumns = 12_000;

/** An EHVI value with its derivatives with respect to each objective's posterior mean and standard deviation. */
export interface EhviGradient {
  readonly value: number;
  readonly dMean: Float64Array;
  readonly dSd: Float64Array;
}

/** σ·h((c − μ)/σ) = E[(c − Y)⁺] and its derivatives −Φ(z) (by μ) and φ(z) (by σ); zero at c = −∞. */
function expectedShortfall(c: number, mean: number, sd: number): [number, number, number] {
  if (c === Number.NEGATIVE_INFINITY) return [0, 0, 0];
  if (sd <= 0) return c > mean ? [c - mean, -1, 0] : [0, 0, 0];
  const z = (c - mean) / sd;
  const pdf = normalPdf(z);
  const cdf = normalCdf(z);
  return [sd * (pdf + z * cdf), -cdf, pdf];
}

/** The box decomposition of the region a front leaves undominated below a reference point. */
export class HypervolumeCells {
  /** Objectives. */
  readonly m: number;
  /** Per grid objective (the first M − 1): the cell bounds −∞, sorted distinct front values, reference. */
  private readonly bounds: Float64Array[];
  /** The distinct thresholds in the last objective, and per column (row-major over the grid) the index of its own. */
  private readonly levels: Float64Array;
  private readonly level: Int32Array;
  /** Columns in all. */
  readonly columns: number;

  /**
   * The cells of `front` (loss vectors; dominated members and members not strictly below `reference` in every
   * objective are harmless and ignored) under `reference`.
   */
  constructor(front: readonly (readonly number[])[], reference: readonly number[]) {
    const m = reference.length;
    this.m = m;
    const inside = front.filter((p) => p.every((v, k) => v < reference[k]!));
    const grid = m - 1;
    this.bounds = [];
    for (let k = 0; k < grid; k++) {
      const values = [...new Set(inside.map((p) => p[k]!))].sort((a, b) => a - b);
      this.bounds.push(Float64Array.from([Number.NEGATIVE_INFINITY, ...values, reference[k]!]));
    }
    let columns = 1;
    for (const b of this.bounds) columns *= b.length - 1;
    this.columns = columns;
    const thresholds = new Float64Array(columns);
    const index = new Int32Array(grid);
    for (let c = 0; c < columns; c++) {
      let t = reference[grid]!;
      for (const p of inside) {
        let below = true;
        // p dominates the whole column in the grid objectives when it is no worse than the column's lower corner.
        for (let k = 0; k < grid && below; k++) below = p[k]! <= this.bounds[k]![index[k]!]!;
        if (below && p[grid]! < t) t = p[grid]!;
      }
      thresholds[c] = t;
      for (let k = grid - 1; k >= 0; k--) {
        if (++index[k]! < this.bounds[k]!.length - 1) break;
        index[k] = 0;
      }
    }
    this.levels = Float64Array.from(new Set(thresholds));
    const at = new Map<number, number>(Array.from(this.levels, (t, i) => [t, i]));
    this.level = Int32Array.from(thresholds, (t) => at.get(t)!);
  }

  /** The exact hypervolume improvement of the point `y` (what {@link expected} averages). */
  improvement(y: readonly number[]): number {
    const grid = this.m - 1;
    return this.sum(
      (k, i) => Math.max(0, this.bounds[k]![i + 1]! - Math.max(this.bounds[k]![i]!, y[k]!)),
      (t) => Math.max(0, t - y[grid]!),
    );
  }

  /** EHVI of a point with independent Gaussian objectives N(mean[k], sd[k]²). */
  expected(mean: ArrayLike<number>, sd: ArrayLike<number>): number {
    const grid = this.m - 1;
    const cell = this.bounds.map((b, k) =>
      Float64Array.from({ length: b.length - 1 }, (_, i) => {
        const upper = expectedShortfall(b[i + 1]!, mean[k]!, sd[k]!)[0];
        return upper - expectedShortfall(b[i]!, mean[k]!, sd[k]!)[0];
      }),
    );
    return this.sum(
      (k, i) => cell[k]![i]!,
      (t) => expectedShortfall(t, mean[grid]!, sd[grid]!)[0],
    );
  }

  /** {@link expected} with its gradient, for refining the acquisition's maximum by L-BFGS. */
  expectedWithGradient(mean: ArrayLike<number>, sd: ArrayLike<number>): EhviGradient {
    const m = this.m;
    const grid = m - 1;
    // Per grid objective and cell: [value, d/dμ, d/dσ] of E[(U − max(L, Y))⁺].
    const cell = this.bounds.map((b, k) => {
      const out = new Float64Array(3 * (b.length - 1));
      let lower = expectedShortfall(b[0]!, mean[k]!, sd[k]!);
      for (let i = 0; i + 1 < b.length; i++) {
        const upper = expectedShortfall(b[i + 1]!, mean[k]!, sd[k]!);
        for (let j = 0; j < 3; j++) out[3 * i + j] = upper[j]! - lower[j]!;
        lower = upper;
      }
      return out;
    });
    const lasts = Array.from(this.levels, (t) => expectedShortfall(t, mean[grid]!, sd[grid]!));
    const dMean = new Float64Array(m);
    const dSd = new Float64Array(m);
    const index = new Int32Array(grid);
    // Per column: the factors of its product and their derivatives, without allocating in the loop.
    const factor = new Float64Array(m);
    const byMean = new Float64Array(m);
    const bySd = new Float64Array(m);
    let value = 0;
    for (let c = 0; c < this.columns; c++) {
      for (let k = 0; k < grid; k++) {
        const at = 3 * index[k]!;
        factor[k] = cell[k]![at]!;
        byMean[k] = cell[k]![at + 1]!;
        bySd[k] = cell[k]![at + 2]!;
      }
      const last = lasts[this.level[c]!]!;
      factor[grid] = last[0];
      byMean[grid] = last[1];
      bySd[grid] = last[2];
      let product = 1;
      for (let k = 0; k < m; k++) product *= factor[k]!;
      value += product;
      for (let k = 0; k < m; k++) {
        let others = 1;
        for (let j = 0; j < m; j++) if (j !== k) others *= factor[j]!;
        dMean[k]! += byMean[k]! * others;
        dSd[k]! += bySd[k]! * others;
      }
      for (let k = grid - 1; k >= 0; k--) {
        if (++index[k]! < this.bounds[k]!.length - 1) break;
        index[k] = 0;
      }
    }
    return { value, dMean, dSd };
  }

  /** Σ over columns of ∏ cell(k, i_k) · last(threshold), the shape both {@link improvement} and EHVI share. */
  private sum(cell: (k: number, i: number) => number, last: (t: number) => number): number {
    const grid = this.m - 1;
    const factors = this.bounds.map((b, k) => Float64Array.from({ length: b.length - 1 }, (_, i) => cell(k, i)));
    // The last objective's factor depends only on the threshold, and thresholds repeat: evaluate each once.
    const lasts = Float64Array.from(this.levels, last);
    const index = new Int32Array(grid);
    let total = 0;
    for (let c = 0; c < this.columns; c++) {
      let product = lasts[this.level[c]!]!;
      for (let k = 0; k < grid && product !== 0; k++) product *= factors[k]![index[k]!]!;
      total += product;
      for (let k = grid - 1; k >= 0; k--) {
        if (++index[k]! < this.bounds[k]!.length - 1) break;
        index[k] = 0;
      }
    }
    return total;
  }
}
