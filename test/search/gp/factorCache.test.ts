import { afterEach, describe, expect, it } from 'vitest';
import { CholeskyFactor } from '../../../src/search/gp/cholesky.ts';
import { clearFactorCache, factorCovariance } from '../../../src/search/gp/factorCache.ts';
import { covarianceMatrix, kernelParams } from '../../../src/search/gp/kernel.ts';
import { Rng } from '../../../src/search/rng.ts';

const dims = 3;
const params = kernelParams({ logLength: [-1, -0.5, -1.5], logSignal: 0.2, logNoise: Math.log(1e-5) });

function points(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n * dims }, () => rng.next());
}

/** The factor made from scratch, with the same capacity, for a bit-for-bit comparison. */
function fresh(X: Float64Array, n: number, p = params, capacity = n): Float64Array {
  return CholeskyFactor.factor(covarianceMatrix(X, n, dims, p), n, capacity).L;
}

function firstDifference(a: Float64Array, b: Float64Array): number {
  return a.length !== b.length ? -2 : Array.from(a).findIndex((v, i) => !Object.is(v, b[i]));
}

afterEach(() => clearFactorCache());

describe('factorCovariance', () => {
  it('extends the previous factor when observations are appended, bit-identical to a fresh factorisation', () => {
    const X = points(60, 1);
    const first = factorCovariance(X, 40, dims, params, 42);
    expect(firstDifference(first.L, fresh(X, 40, params, 42))).toBe(-1);
    const grown = factorCovariance(X, 47, dims, params, 50);
    expect(firstDifference(grown.L, fresh(X, 47, params, 50))).toBe(-1);
    // Fantasies appended to a cached factor (rows ≥ n) do not leak into the next request's factor.
    expect(grown.append(new Float64Array(47).fill(0.3), params.signal + params.noise)).toBe(true);
    const next = factorCovariance(X, 49, dims, params, 49);
    expect(firstDifference(next.L, fresh(X, 49))).toBe(-1);
  });

  it('recomputes from the first changed row (a trial finished out of order) and on a new kernel', () => {
    const X = points(50, 2);
    factorCovariance(X, 45, dims, params, 45);
    const moved = Float64Array.from(X);
    moved.set(points(1, 9), 20 * dims); // row 20 is another point now
    expect(firstDifference(factorCovariance(moved, 46, dims, params, 46).L, fresh(moved, 46))).toBe(-1);
    const other = kernelParams({ logLength: [-1, -0.5, -1.4], logSignal: 0.2, logNoise: Math.log(1e-5) });
    expect(firstDifference(factorCovariance(moved, 46, dims, other, 46).L, fresh(moved, 46, other))).toBe(-1);
    expect(firstDifference(factorCovariance(X, 30, dims, other, 30).L, fresh(X, 30, other))).toBe(-1);
  });

  it('falls back to a fresh factor with jitter when appended rows make the matrix singular', () => {
    // The singular matrix of cholesky.test.ts: 12 random 2-d points, row 1 repeating row 0, no noise.
    const rng = new Rng(4);
    const X = Float64Array.from({ length: 24 }, () => rng.next());
    X.copyWithin(2, 0, 2);
    const noiseless = {
      ...kernelParams({ logLength: [Math.log(0.4), Math.log(0.4)], logSignal: 0, logNoise: 0 }),
      noise: 0,
    };
    expect(factorCovariance(X, 1, 2, noiseless, 1).jitter).toBe(0);
    const f = factorCovariance(X, 12, 2, noiseless, 12);
    const want = CholeskyFactor.factor(covarianceMatrix(X, 12, 2, noiseless), 12);
    expect(want.jitter).toBeGreaterThan(0);
    expect(f.jitter).toBe(want.jitter);
    expect(firstDifference(f.L, want.L)).toBe(-1);
  });
});
