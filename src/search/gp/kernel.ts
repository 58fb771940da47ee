/**
 * The Matérn-5/2 kernel with one length scale per input dimension (ARD), a signal variance and a noise
 * variance: k(x, x') = σ_f² (1 + √5 r + 5r²/3) e^(−√5 r) with r² = Σ_d (x_d − x'_d)² / ℓ_d², plus σ_n² on the
 * diagonal. Twice differentiable, so the posterior mean is smooth enough for gradient-based acquisition search
 * but rougher than the squared exponential, which over-smooths real response surfaces (Snoek et al., 2012).
 */

const sqrt5 = Math.sqrt(5);

/** Kernel hyperparameters in log space: what is fitted, stored in the state and warm-started from. */
export interface Hyper {
  /** log ℓ_d per encoded input dimension. */
  readonly logLength: readonly number[];
  /** log σ_f². */
  readonly logSignal: number;
  /** log σ_n². */
  readonly logNoise: number;
}

/** The same hyperparameters in the form the loops use. */
export interface KernelParams {
  /** 1 / ℓ_d² per dimension. */
  readonly invLength2: Float64Array;
  readonly signal: number;
  readonly noise: number;
}

/** Converts log-space hyperparameters to {@link KernelParams}. */
export function kernelParams(h: Hyper): KernelParams {
  return {
    invLength2: Float64Array.from(h.logLength, (l) => Math.exp(-2 * l)),
    signal: Math.exp(h.logSignal),
    noise: Math.exp(h.logNoise),
  };
}

/** The Matérn-5/2 correlation at scaled distance r. */
export function matern52(r: number): number {
  const s = sqrt5 * r;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

/**
 * −(1/r) dk/dr / σ_f² = (5/3)(1 + √5 r) e^(−√5 r): the factor shared by every derivative of the kernel with
 * respect to an input or a log length scale. It stays finite at r = 0, unlike dk/dr / r written naively.
 */
export function matern52Slope(r: number): number {
  const s = sqrt5 * r;
  return (5 / 3) * (1 + s) * Math.exp(-s);
}

/** The squared scaled distance between row `i` of `A` and row `j` of `B` (both row-major with `dims` columns). */
export function scaledDistance2(
  A: Float64Array,
  i: number,
  B: Float64Array,
  j: number,
  invLength2: Float64Array,
  dims: number,
): number {
  const a = i * dims;
  const b = j * dims;
  let r2 = 0;
  for (let d = 0; d < dims; d++) {
    const t = A[a + d]! - B[b + d]!;
    r2 += t * t * invLength2[d]!;
  }
  return r2;
}

/**
 * The n×n covariance of the rows of `X` (row-major, `dims` columns), noise variance included on the diagonal.
 * With `fromRow`, only rows from it on (and their mirror columns) are computed, the rest left zero: what
 * `CholeskyFactor.extend` reads when the factor of the first rows is already known.
 */
export function covarianceMatrix(X: Float64Array, n: number, dims: number, p: KernelParams, fromRow = 0): Float64Array {
  const K = new Float64Array(n * n);
  for (let i = fromRow; i < n; i++) {
    K[i * n + i] = p.signal + p.noise;
    for (let j = 0; j < i; j++) {
      const k = p.signal * matern52(Math.sqrt(scaledDistance2(X, i, X, j, p.invLength2, dims)));
      K[i * n + j] = k;
      K[j * n + i] = k;
    }
  }
  return K;
}

/**
 * Writes the covariances of row `row` of `P` with the n rows of `X` into `out` starting at `offset`; when `grad`
 * is given, also ∂k_i/∂x_d into grad[i * dims + d] (the derivative with respect to the point, not the data).
 */
export function crossCovariance(
  P: Float64Array,
  row: number,
  X: Float64Array,
  n: number,
  dims: number,
  p: KernelParams,
  out: Float64Array,
  offset = 0,
  grad?: Float64Array,
): void {
  const x = row * dims;
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(scaledDistance2(P, row, X, i, p.invLength2, dims));
    out[offset + i] = p.signal * matern52(r);
    if (grad) {
      const slope = -p.signal * matern52Slope(r);
      for (let d = 0; d < dims; d++) {
        grad[i * dims + d] = slope * (P[x + d]! - X[i * dims + d]!) * p.invLength2[d]!;
      }
    }
  }
}
