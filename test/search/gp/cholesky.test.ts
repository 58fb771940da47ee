import { describe, expect, it } from 'vitest';
import { CholeskyFactor } from '../../../src/search/gp/cholesky.ts';
import { covarianceMatrix, kernelParams } from '../../../src/search/gp/kernel.ts';
import { Rng } from '../../../src/search/rng.ts';

/** A Matérn covariance of n random points in `dims` dimensions (optionally with duplicated rows). */
function randomCovariance(n: number, dims: number, seed: number, duplicate = false): Float64Array {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * dims }, () => rng.next());
  if (duplicate) X.copyWithin(dims, 0, dims); // row 1 = row 0: K is exactly singular without noise
  const p = kernelParams({ logLength: Array(dims).fill(Math.log(0.4)), logSignal: 0, logNoise: Math.log(1e-6) });
  return covarianceMatrix(X, n, dims, duplicate ? { ...p, noise: 0 } : p);
}

function reconstructionError(f: CholeskyFactor, K: Float64Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += f.L[i * f.stride + k]! * f.L[j * f.stride + k]!;
      worst = Math.max(worst, Math.abs(s - K[i * n + j]! - (i === j ? f.jitter : 0)));
    }
  }
  return worst;
}

describe('CholeskyFactor', () => {
  it.each([1, 3, 4, 9, 37])('factors a %d×%d covariance so that L Lᵀ = K', (n) => {
    const K = randomCovariance(n, 3, n);
    const f = CholeskyFactor.factor(K, n);
    expect(f.jitter).toBe(0);
    expect(reconstructionError(f, K, n)).toBeLessThan(1e-12);
  });

  it('adds jitter, escalating from 1e-10 of the diagonal, when the matrix is singular', () => {
    const K = randomCovariance(12, 2, 4, true);
    const f = CholeskyFactor.factor(K, 12);
    expect(f.jitter).toBeGreaterThan(0);
    expect(f.jitter).toBeLessThanOrEqual(1e-2);
    expect(reconstructionError(f, K, 12)).toBeLessThan(1e-9);
  });

  it('throws instead of returning garbage when no jitter up to 1e-2 helps', () => {
    const K = Float64Array.from([1, 2, 2, 1]); // indefinite
    expect(() => CholeskyFactor.factor(K, 2)).toThrow(/not positive definite/);
  });

  it('solve, inverse and the many-right-hand-side solve agree with K', () => {
    const n = 23;
    const K = randomCovariance(n, 4, 7);
    const f = CholeskyFactor.factor(K, n);
    const rng = new Rng(1);
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const x = f.solve(b);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += K[i * n + j]! * x[j]!;
      expect(s).toBeCloseTo(b[i]!, 8);
    }
    const inv = f.inverse();
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += K[i * n + k]! * inv[k * n + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 6);
      }
    }
    const m = 11; // not a multiple of the 8-wide blocking
    const B = Float64Array.from({ length: m * n }, () => rng.normal());
    const one = Float64Array.from(B);
    for (let c = 0; c < m; c++) f.solveLower(one, c * n);
    f.solveLowerMany(B, m);
    for (let i = 0; i < m * n; i++) expect(B[i]).toBeCloseTo(one[i]!, 12);
  });

  it('appending rows gives exactly the factor of the larger matrix', () => {
    const n = 14;
    const K = randomCovariance(n, 3, 11);
    const full = CholeskyFactor.factor(K, n);
    const head = 9;
    const part = new Float64Array(head * head);
    for (let i = 0; i < head; i++) for (let j = 0; j < head; j++) part[i * head + j] = K[i * n + j]!;
    const grown = CholeskyFactor.factor(part, head, n);
    for (let i = head; i < n; i++) {
      expect(grown.append(K.slice(i * n, i * n + i), K[i * n + i]!)).toBe(true);
    }
    expect(grown.append(new Float64Array(n), 1)).toBe(false); // capacity used up
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) expect(grown.L[i * n + j]).toBe(full.L[i * n + j]);
    }
    expect(grown.logDet()).toBe(full.logDet());
  });

  it('extend reuses the leading rows of another factor and gives exactly the factor from scratch', () => {
    const n = 23;
    const K = randomCovariance(n, 3, 5);
    // Another matrix sharing the first 10 rows and columns, with different later rows (as when a trial finished
    // out of order): its factor's first 10 rows are what K's factor needs.
    const other = randomCovariance(n, 3, 5);
    for (let i = 10; i < n; i++) for (let j = 0; j < n; j++) other[i * n + j] = other[j * n + i] = i === j ? 1 : 0.01;
    const prefix = CholeskyFactor.factor(other, n);
    for (const rows of [1, 4, 10]) {
      const grown = CholeskyFactor.extend(prefix, rows, K, n, n + 2);
      const fresh = CholeskyFactor.factor(K, n, n + 2);
      expect(grown).toBeDefined();
      expect(Array.from(grown!.L).findIndex((v, i) => !Object.is(v, fresh.L[i]))).toBe(-1);
    }
    // Reusing rows the two matrices do not share would be wrong; extend trusts the caller, so only show the guard
    // rails it does have: no more rows than either factor holds, and never from a factor with jitter.
    expect(CholeskyFactor.extend(prefix, n + 1, K, n)).toBeUndefined();
    const jittered = CholeskyFactor.factor(randomCovariance(12, 2, 4, true), 12);
    expect(jittered.jitter).toBeGreaterThan(0);
    expect(CholeskyFactor.extend(jittered, 5, randomCovariance(12, 2, 4, true), 12)).toBeUndefined();
  });

  it('extend gives up (undefined) when the new rows would need jitter', () => {
    const K = randomCovariance(12, 2, 4, true); // rows 0 and 1 coincide, no noise
    const head = CholeskyFactor.factor(Float64Array.from([K[0]!]), 1);
    expect(head.jitter).toBe(0);
    expect(CholeskyFactor.extend(head, 1, K, 12)).toBeUndefined();
  });

  it.each([1, 3, 5, 8, 13, 30])('inverse of n = %d is bit-identical to the textbook loops over L⁻¹', (n) => {
    const f = CholeskyFactor.factor(randomCovariance(n, 3, 50 + n), n, n + 1);
    const U = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      U[j * n + j] = 1 / f.L[j * f.stride + j]!;
      for (let i = j + 1; i < n; i++) {
        let s = 0;
        for (let k = j; k < i; k++) s -= f.L[i * f.stride + k]! * U[j * n + k]!;
        U[j * n + i] = s / f.L[i * f.stride + i]!;
      }
    }
    const want = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = i; k < n; k++) s += U[i * n + k]! * U[j * n + k]!;
        want[i * n + j] = want[j * n + i] = s;
      }
    }
    const got = f.inverse();
    expect(Array.from(got).findIndex((v, i) => !Object.is(v, want[i]))).toBe(-1);
  });
});
