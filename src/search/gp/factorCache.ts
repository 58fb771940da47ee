import { CholeskyFactor, type FactorRows } from './cholesky.ts';
import { covarianceMatrix, type KernelParams } from './kernel.ts';

/**
 * Reuse of the previous request's Cholesky factor. Between hyperparameter refits (every 2% more observations past
 * 128 points, see `chooseHyper`), consecutive requests condition the GP on the same kernel and on the same
 * observations plus the newly finished ones, appended in history order; the factor of the shared leading rows is
 * unchanged (row i of a Cholesky factor depends only on rows ≤ i), so only the new rows need computing: O(n²) per
 * new observation instead of a fresh O(n³) factorisation (about 15 ms of a suggestion at 500 observations). The
 * result is bit-identical to factoring from scratch (see {@link CholeskyFactor.extend}), so suggestions do not
 * depend on whether the cache hit, nor on which experiments ran in between in the same process.
 *
 * One entry per process: the rows of the last jitter-free factor made here, copied into one packed buffer that is
 * allocated once (for up to 1,024 rows: 4.2 MB of address space, of which 8·n²/2 bytes are used, 1 MB at 500
 * observations) and never replaced. Holding the model's own factor instead (a block of a few MB kept alive between
 * requests, probably pinning the allocator's heap under the next request's slightly larger arrays) let the RSS of a
 * 500-trial study grow 143 → 238 MB from 100 to 500 observations, live heap flat; with the buffer it ends at 145 MB
 * (149 MB without any cache). Several objectives (one GP each) or interleaved experiments simply miss: a miss costs
 * a comparison of X's leading rows.
 */

/** Rows the packed buffer holds at most; larger models are factored from scratch each time. */
const maxRows = 1024;

interface Entry {
  readonly X: Float64Array;
  readonly n: number;
  readonly dims: number;
  readonly params: KernelParams;
}

let last: Entry | undefined;
/** Row i of the cached factor at i(i+1)/2, entries 0..i. */
let packed: Float64Array | undefined;

const cachedRows: FactorRows = {
  get n() {
    return last?.n ?? 0;
  },
  jitter: 0,
  row: (i) => packed!.subarray((i * (i + 1)) / 2, ((i + 1) * (i + 2)) / 2),
};

function sameKernel(a: KernelParams, b: KernelParams): boolean {
  if (a.signal !== b.signal || a.noise !== b.noise || a.invLength2.length !== b.invLength2.length) return false;
  for (let d = 0; d < a.invLength2.length; d++) if (a.invLength2[d] !== b.invLength2[d]) return false;
  return true;
}

/** How many leading rows of `X` the cached factor covers with the same kernel (0 when none). */
function sharedRows(X: Float64Array, n: number, dims: number, params: KernelParams): number {
  if (last === undefined || last.dims !== dims || !sameKernel(last.params, params)) return 0;
  const rows = Math.min(n, last.n);
  for (let i = 0; i < rows; i++) {
    for (let d = 0; d < dims; d++) {
      // !== counts −0 and +0 as equal (they give the same distances) and NaN as different (never reused).
      if (X[i * dims + d] !== last.X[i * dims + d]) return i;
    }
  }
  return rows;
}

/**
 * The Cholesky factor of the covariance of the first `n` rows of `X` under `params`, with room for `capacity`
 * rows, reusing the previous call's factor where it covers leading rows with the same kernel. The factor returned
 * is remembered for the next call; callers may append rows beyond `n` (fantasies) but must not change rows < n.
 */
export function factorCovariance(
  X: Float64Array,
  n: number,
  dims: number,
  params: KernelParams,
  capacity: number,
): CholeskyFactor {
  const rows = sharedRows(X, n, dims, params);
  const extended =
    rows > 0
      ? CholeskyFactor.extend(cachedRows, rows, covarianceMatrix(X, n, dims, params, rows), n, capacity)
      : undefined;
  const factor = extended ?? CholeskyFactor.factor(covarianceMatrix(X, n, dims, params), n, capacity);
  if (factor.jitter !== 0 || n > maxRows) {
    last = undefined;
    return factor;
  }
  packed ??= new Float64Array((maxRows * (maxRows + 1)) / 2);
  // An extended factor's rows before `rows` are those already in the buffer.
  for (let i = extended === undefined ? 0 : rows; i < n; i++) packed.set(factor.row(i), (i * (i + 1)) / 2);
  last = { X: X.slice(0, n * dims), n, dims, params };
  return factor;
}

/** Forgets the cached factor (tests compare cached and fresh factorisations). */
export function clearFactorCache(): void {
  last = undefined;
}
