import type { CholeskyFactor } from './cholesky.ts';
import { factorCovariance } from './factorCache.ts';
import { crossCovariance, type Hyper, type KernelParams, kernelParams } from './kernel.ts';

/** Candidates are predicted in blocks of this many, so memory stays O(block × n) whatever the sweep size. */
const block = 256;

/** The posterior mean and latent variance at one point, with their gradients with respect to the point. */
export interface PointPrediction {
  readonly mean: number;
  readonly variance: number;
  readonly dMean: Float64Array;
  readonly dVariance: Float64Array;
}

/**
 * A fitted GP posterior over standardised outputs: the Cholesky factor of K = σ_f² M + σ_n² I and α = K⁻¹ y.
 * Fantasised observations (constant liar) are appended in O(n²) each without refactoring. Predictions are of
 * the latent function: no noise in the variance, since the acquisition asks what f is, not what y will read.
 */
export class GpModel {
  readonly dims: number;
  readonly params: KernelParams;
  private readonly X: Float64Array;
  private readonly y: Float64Array;
  private readonly chol: CholeskyFactor;
  private alpha: Float64Array;
  /** Work arrays of {@link predictWithGradient} (k, K⁻¹k and ∂k/∂x), sized for the capacity: it runs a few hundred times a request. */
  private readonly scratch: { readonly k: Float64Array; readonly v: Float64Array; readonly dk: Float64Array };

  private constructor(X: Float64Array, y: Float64Array, dims: number, params: KernelParams, chol: CholeskyFactor) {
    this.X = X;
    this.y = y;
    this.dims = dims;
    this.params = params;
    this.chol = chol;
    this.alpha = chol.solve(y);
    const capacity = chol.stride;
    this.scratch = {
      k: new Float64Array(capacity),
      v: new Float64Array(capacity),
      dk: new Float64Array(capacity * dims),
    };
  }

  /** Conditions the GP on `n` rows of `X` with outputs `y`, leaving room for `extra` fantasies. */
  static fit(X: Float64Array, y: Float64Array, n: number, dims: number, hyper: Hyper, extra = 0): GpModel {
    const params = kernelParams(hyper);
    const capacity = n + extra;
    const Xs = new Float64Array(capacity * dims);
    Xs.set(X.subarray(0, n * dims));
    const ys = new Float64Array(capacity);
    ys.set(y.subarray(0, n));
    // The previous request's factor, where it covers the leading observations with the same kernel, is extended
    // rather than recomputed (bit-identical either way, see factorCache.ts).
    const chol = factorCovariance(Xs, n, dims, params, capacity);
    return new GpModel(Xs, ys, dims, params, chol);
  }

  /** Observations (real and fantasised) the posterior is conditioned on. */
  get size(): number {
    return this.chol.n;
  }

  /** Adds a fantasised observation `value` at `x`; false when the capacity given to {@link fit} is used up. */
  addFantasy(x: Float64Array, value: number): boolean {
    const n = this.chol.n;
    const k = new Float64Array(n);
    crossCovariance(x, 0, this.X, n, this.dims, this.params, k);
    if (!this.chol.append(k, this.params.signal + this.params.noise)) return false;
    this.X.set(x.subarray(0, this.dims), n * this.dims);
    this.y[n] = value;
    this.alpha = this.chol.solve(this.y.subarray(0, n + 1));
    return true;
  }

  /**
   * The last q rows (fantasies) as the batch average needs them: their fantasised values and the bottom-right
   * q×q block of the Cholesky factor (row-major, lower), whose product with a standard normal vector is a draw
   * of their joint deviation from those values given the real observations.
   */
  fantasyBlock(q: number): { values: Float64Array; block: Float64Array } {
    const n = this.chol.n;
    const stride = this.chol.stride;
    const block = new Float64Array(q * q);
    for (let i = 0; i < q; i++) {
      for (let j = 0; j <= i; j++) block[i * q + j] = this.chol.L[(n - q + i) * stride + (n - q + j)]!;
    }
    return { values: this.y.slice(n - q, n), block };
  }

  /**
   * Posterior means and latent variances of the `m` rows of `P`, written into `mean` and `variance`; with
   * `tail`, also the last `tail.q` entries of L⁻¹k for each row (the weights that turn a standard normal draw of
   * the fantasies' deviations into a shift of the mean: Δμ = zᵀ tail).
   */
  predictMany(
    P: Float64Array,
    m: number,
    mean: Float64Array,
    variance: Float64Array,
    tail?: { readonly q: number; readonly out: Float64Array },
  ): void {
    const n = this.chol.n;
    const K = new Float64Array(Math.min(block, m) * n);
    for (let start = 0; start < m; start += block) {
      const count = Math.min(block, m - start);
      for (let c = 0; c < count; c++) crossCovariance(P, start + c, this.X, n, this.dims, this.params, K, c * n);
      for (let c = 0; c < count; c++) {
        let mu = 0;
        for (let i = 0; i < n; i++) mu += K[c * n + i]! * this.alpha[i]!;
        mean[start + c] = mu;
      }
      this.chol.solveLowerMany(K, count);
      if (tail !== undefined) {
        const q = tail.q;
        for (let c = 0; c < count; c++) tail.out.set(K.subarray(c * n + n - q, c * n + n), (start + c) * q);
      }
      for (let c = 0; c < count; c++) {
        let q = 0;
        for (let i = 0; i < n; i++) q += K[c * n + i]! ** 2;
        variance[start + c] = Math.max(0, this.params.signal - q);
      }
    }
  }

  /** Posterior mean and latent variance at `x` with their gradients (for local acquisition refinement). */
  predictWithGradient(x: Float64Array): PointPrediction {
    const n = this.chol.n;
    const dims = this.dims;
    const { k, v, dk } = this.scratch;
    crossCovariance(x, 0, this.X, n, dims, this.params, k, 0, dk);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += k[i]! * this.alpha[i]!;
    v.set(k.subarray(0, n));
    this.chol.solveLower(v);
    let q = 0;
    for (let i = 0; i < n; i++) q += v[i]! * v[i]!;
    this.chol.solveUpper(v); // v = K⁻¹ k
    const dMean = new Float64Array(dims);
    const dVariance = new Float64Array(dims);
    for (let i = 0; i < n; i++) {
      const a = this.alpha[i]!;
      const w = -2 * v[i]!;
      for (let d = 0; d < dims; d++) {
        const g = dk[i * dims + d]!;
        dMean[d] = dMean[d]! + a * g;
        dVariance[d] = dVariance[d]! + w * g;
      }
    }
    return { mean, variance: Math.max(0, this.params.signal - q), dMean, dVariance };
  }
}
