import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { backSubstitute, forwardSubstitute, forwardSubstituteMany } from './triangular.ts';

// Why not ml-matrix's CholeskyDecomposition (measured 2026-12, Node 20, Matérn-5/2 K of 6-d points, shared CPU):
//   n = 100 / 400 / 800: factor 0.5 / 10 / 131 ms here vs 1.0 / 48 / 433 ms; inverse 2 / 67 / 529 ms vs
//   solve(I) 8 / 707 / 12 785 ms; L⁻¹ of 1,000 candidates 5 / 171 / 323 ms vs a full solve 71 / 3 894 / 12 430 ms
//   (ml-matrix has no forward-only solve). Its factor also differs from ours in the last bits of ~95% of
//   entries (other summation order), which would move every GP suggestion, and it cannot append a row.

/** The rows of a lower-triangular factor, each up to its diagonal, and the jitter it was made with. */
export interface FactorRows {
  /** Rows held. */
  readonly n: number;
  readonly jitter: number;
  /** Entries 0..i of row i. */
  row(i: number): Float64Array;
}

/**
 * A lower-triangular Cholesky factor on a plain row-major Float64Array, written by hand: the GP's hot loops
 * (factorisation, triangular solves for a thousand candidates, appending fantasised rows) run several times
 * faster than through generic matrix objects. The storage has spare capacity so rows can be appended in O(n²)
 * (constant liar) without refactoring; row i of the factor depends only on rows ≤ i, so an appended factor
 * is bit-identical to factoring the larger matrix from scratch.
 */
export class CholeskyFactor implements FactorRows {
  /** Rows in use. */
  n: number;
  /** Row stride of {@link L} (the capacity). */
  readonly stride: number;
  /** The factor: L[i * stride + j] for j ≤ i. */
  readonly L: Float64Array;
  /** What was added to the diagonal beyond the caller's matrix to make it positive definite. */
  readonly jitter: number;

  private constructor(n: number, stride: number, L: Float64Array, jitter: number) {
    this.n = n;
    this.stride = stride;
    this.L = L;
    this.jitter = jitter;
  }

  /** Row i of the factor, entries 0..i (a view, not a copy). */
  row(i: number): Float64Array {
    return this.L.subarray(i * this.stride, i * this.stride + i + 1);
  }

  /**
   * Factors the symmetric n×n matrix `K` (row-major, lower triangle read), adding jitter to the diagonal
   * when it is not numerically positive definite: 1e-10 of the mean diagonal, then ten times more each try
   * up to 1e-2 (duplicated points and tiny noise make GP matrices singular in practice).
   */
  static factor(K: Float64Array, n: number, capacity: number = n): CholeskyFactor {
    let meanDiag = 0;
    for (let i = 0; i < n; i++) meanDiag += K[i * n + i]!;
    meanDiag = n === 0 ? 1 : Math.max(meanDiag / n, 1e-300);
    const L = new Float64Array(capacity * capacity);
    for (let jitter = 0; jitter <= 1e-2 * meanDiag; jitter = jitter === 0 ? 1e-10 * meanDiag : jitter * 10) {
      if (decompose(K, n, L, capacity, jitter)) return new CholeskyFactor(n, capacity, L, jitter);
    }
    throw new WorkbenchError(ErrorCode.algorithmFailed, 'the GP covariance matrix is not positive definite');
  }

  /**
   * The factor of the n×n matrix `K` whose first `rows` rows and columns equal those of the matrix `prefix`
   * factors: those rows of L are copied and only the rest is computed, O(n³ − rows³) instead of O(n³). Only
   * rows ≥ `rows` of K's lower triangle are read. Row i of a factor depends only on rows ≤ i, so the result is
   * bit-identical to {@link factor}'s, provided {@link factor} would use no jitter: hence undefined (factor
   * from scratch) when `prefix` carries jitter or the new rows need some.
   */
  static extend(
    prefix: FactorRows,
    rows: number,
    K: Float64Array,
    n: number,
    capacity: number = n,
  ): CholeskyFactor | undefined {
    if (prefix.jitter !== 0 || rows > prefix.n || rows > n) return undefined;
    const L = new Float64Array(capacity * capacity);
    for (let i = 0; i < rows; i++) L.set(prefix.row(i), i * capacity);
    return decompose(K, n, L, capacity, 0, rows) ? new CholeskyFactor(n, capacity, L, 0) : undefined;
  }

  /** Solves L x = b in place (b has at least n entries, starting at `offset`). */
  solveLower(b: Float64Array, offset = 0): void {
    forwardSubstitute(this, b, offset);
  }

  /** Solves Lᵀ x = b in place. */
  solveUpper(b: Float64Array, offset = 0): void {
    backSubstitute(this, b, offset);
  }

  /** Solves L x = b for `m` right-hand sides stored one after another (each n long) in `B`, in place. */
  solveLowerMany(B: Float64Array, m: number): void {
    forwardSubstituteMany(this, B, m);
  }

  /**
   * Appends a row: `k` holds the covariances of the new point with the n current ones, `kDiag` its own variance
   * (noise included). Returns false, leaving the factor unchanged, when no capacity is left.
   */
  append(k: Float64Array, kDiag: number): boolean {
    if (this.n >= this.stride) return false;
    const row = this.n * this.stride;
    const l = Float64Array.from(k.subarray(0, this.n));
    this.solveLower(l);
    let s = kDiag + this.jitter;
    for (let j = 0; j < this.n; j++) {
      this.L[row + j] = l[j]!;
      s -= l[j]! * l[j]!;
    }
    // A fantasy at an existing point leaves only the noise; keep the factor finite even if rounding ate it.
    this.L[row + this.n] = Math.sqrt(Math.max(s, 1e-12 * Math.max(kDiag, 1e-300)));
    this.n++;
    return true;
  }

  /** log det(L Lᵀ) = 2 Σ log L_ii. */
  logDet(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += Math.log(this.L[i * this.stride + i]!);
    return 2 * s;
  }

  /** Solves (L Lᵀ) x = b, returning a new array. */
  solve(b: Float64Array): Float64Array {
    const x = Float64Array.from(b.subarray(0, this.n));
    this.solveLower(x);
    this.solveUpper(x);
    return x;
  }

  /**
   * The full inverse (L Lᵀ)⁻¹ as an n×n row-major matrix, from the columns of L⁻¹ (kept as rows for locality).
   * The hyperparameter fit calls it at every likelihood evaluation. Both O(n³) passes work on four rows (then
   * four columns) at a time, sharing loads between four independent sums, each summed in the textbook order
   * (bit-identical results, see triangular.ts for why that matters).
   */
  inverse(): Float64Array {
    const { L, stride, n } = this;
    // Row j of U is column j of L⁻¹: the forward solve of L x = e_j, zero before j.
    const U = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const u = j * n;
      U[u + j] = 1 / L[j * stride + j]!;
      let i = j + 1;
      for (; i + 3 < n; i += 4) {
        const r0 = i * stride;
        const r1 = r0 + stride;
        const r2 = r1 + stride;
        const r3 = r2 + stride;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = j; k < i; k++) {
          const x = U[u + k]!;
          s0 -= L[r0 + k]! * x;
          s1 -= L[r1 + k]! * x;
          s2 -= L[r2 + k]! * x;
          s3 -= L[r3 + k]! * x;
        }
        const x0 = s0 / L[r0 + i]!;
        U[u + i] = x0;
        s1 -= L[r1 + i]! * x0;
        s2 -= L[r2 + i]! * x0;
        s3 -= L[r3 + i]! * x0;
        const x1 = s1 / L[r1 + i + 1]!;
        U[u + i + 1] = x1;
        s2 -= L[r2 + i + 1]! * x1;
        s3 -= L[r3 + i + 1]! * x1;
        const x2 = s2 / L[r2 + i + 2]!;
        U[u + i + 2] = x2;
        s3 -= L[r3 + i + 2]! * x2;
        U[u + i + 3] = s3 / L[r3 + i + 3]!;
      }
      for (; i < n; i++) {
        const row = i * stride;
        let s = 0;
        for (let k = j; k < i; k++) s -= L[row + k]! * U[u + k]!;
        U[u + i] = s / L[row + i]!;
      }
    }
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const ui = i * n;
      let j = 0;
      for (; j + 3 <= i; j += 4) {
        const u0 = j * n;
        const u1 = u0 + n;
        const u2 = u1 + n;
        const u3 = u2 + n;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let k = i; k < n; k++) {
          const x = U[ui + k]!;
          s0 += x * U[u0 + k]!;
          s1 += x * U[u1 + k]!;
          s2 += x * U[u2 + k]!;
          s3 += x * U[u3 + k]!;
        }
        out[ui + j] = s0;
        out[ui + j + 1] = s1;
        out[ui + j + 2] = s2;
        out[ui + j + 3] = s3;
        out[u0 + i] = s0;
        out[u1 + i] = s1;
        out[u2 + i] = s2;
        out[u3 + i] = s3;
      }
      for (; j <= i; j++) {
        let s = 0;
        for (let k = i; k < n; k++) s += U[ui + k]! * U[j * n + k]!;
        out[ui + j] = s;
        out[j * n + i] = s;
      }
    }
    return out;
  }
}

/**
 * Cholesky–Banachiewicz (row by row) of K + jitter·I into L; false when a pivot is not positive. Rows are done
 * four at a time: the four share every load of the earlier row they are reduced against, which halves the time
 * at n = 1,000 while doing exactly the same arithmetic in the same order as one row at a time. Starts at row
 * `from` when the rows above it are already in L (see {@link CholeskyFactor.extend}).
 */
function decompose(K: Float64Array, n: number, L: Float64Array, stride: number, jitter: number, from = 0): boolean {
  let i = from;
  for (; i + 3 < n; i += 4) {
    const k0 = i * n;
    const k1 = k0 + n;
    const k2 = k1 + n;
    const k3 = k2 + n;
    const r0 = i * stride;
    const r1 = r0 + stride;
    const r2 = r1 + stride;
    const r3 = r2 + stride;
    for (let j = 0; j < i; j++) {
      const rj = j * stride;
      let s0 = K[k0 + j]!;
      let s1 = K[k1 + j]!;
      let s2 = K[k2 + j]!;
      let s3 = K[k3 + j]!;
      for (let k = 0; k < j; k++) {
        const l = L[rj + k]!;
        s0 -= L[r0 + k]! * l;
        s1 -= L[r1 + k]! * l;
        s2 -= L[r2 + k]! * l;
        s3 -= L[r3 + k]! * l;
      }
      const d = L[rj + j]!;
      L[r0 + j] = s0 / d;
      L[r1 + j] = s1 / d;
      L[r2 + j] = s2 / d;
      L[r3 + j] = s3 / d;
    }
    for (let row = i; row < i + 4; row++) if (!reduceRow(K, n, L, stride, jitter, row, i)) return false;
  }
  for (; i < n; i++) if (!reduceRow(K, n, L, stride, jitter, i, 0)) return false;
  return true;
}

/** Entries `from`..`row` of one row of the factor (the earlier ones are already in L). */
function reduceRow(
  K: Float64Array,
  n: number,
  L: Float64Array,
  stride: number,
  jitter: number,
  row: number,
  from: number,
): boolean {
  const ri = row * stride;
  for (let j = from; j <= row; j++) {
    const rj = j * stride;
    let s = K[row * n + j]!;
    for (let k = 0; k < j; k++) s -= L[ri + k]! * L[rj + k]!;
    if (row === j) {
      s += jitter;
      if (!(s > 0)) return false;
      L[ri + row] = Math.sqrt(s);
    } else {
      L[ri + j] = s / L[rj + j]!;
    }
  }
  return true;
}
