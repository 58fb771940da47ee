import { describe, expect, it } from 'vitest';
import { CholeskyFactor } from '../../../src/search/gp/cholesky.ts';
import { covarianceMatrix, kernelParams } from '../../../src/search/gp/kernel.ts';
import {
  backSubstitute,
  forwardSubstitute,
  forwardSubstituteMany,
  type LowerFactor,
} from '../../../src/search/gp/triangular.ts';
import { Rng } from '../../../src/search/rng.ts';

// The blocked solves must give the textbook substitutions' results to the last bit (GP suggestions depend on
// them bit for bit), so the references below are the plain one-row-at-a-time loops and the checks are Object.is.

function textbookForward(f: LowerFactor, b: Float64Array, o: number, reciprocal: boolean): void {
  for (let i = 0; i < f.n; i++) {
    let s = b[o + i]!;
    for (let k = 0; k < i; k++) s -= f.L[i * f.stride + k]! * b[o + k]!;
    b[o + i] = reciprocal ? s * (1 / f.L[i * f.stride + i]!) : s / f.L[i * f.stride + i]!;
  }
}

function textbookBack(f: LowerFactor, b: Float64Array, o: number): void {
  for (let i = f.n - 1; i >= 0; i--) {
    const xi = b[o + i]! / f.L[i * f.stride + i]!;
    b[o + i] = xi;
    for (let k = 0; k < i; k++) b[o + k] = b[o + k]! - f.L[i * f.stride + k]! * xi;
  }
}

/** A factor of a Matérn covariance of n random 3-d points, with spare capacity so the stride exceeds n. */
function randomFactor(n: number, seed: number): CholeskyFactor {
  const rng = new Rng(seed);
  const X = Float64Array.from({ length: n * 3 }, () => rng.next());
  const p = kernelParams({ logLength: [-1, -0.7, -1.2], logSignal: 0, logNoise: Math.log(1e-6) });
  return CholeskyFactor.factor(covarianceMatrix(X, n, 3, p), n, n + 3);
}

function expectSameBits(got: Float64Array, want: Float64Array): void {
  expect(got.length).toBe(want.length);
  const differing = Array.from(got).findIndex((v, i) => !Object.is(v, want[i]));
  expect(differing).toBe(-1);
}

describe('triangular solves', () => {
  it.each([0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 37, 64])(
    'forward and back substitution of n = %d are bit-identical to the textbook loops',
    (n) => {
      const f = randomFactor(n, 100 + n);
      const rng = new Rng(n);
      const b = Float64Array.from({ length: n + 5 }, () => rng.normal());
      const got = Float64Array.from(b);
      const want = Float64Array.from(b);
      forwardSubstitute(f, got, 2);
      textbookForward(f, want, 2, false);
      expectSameBits(got, want);
      backSubstitute(f, got, 2);
      textbookBack(f, want, 2);
      expectSameBits(got, want);
    },
  );

  it.each([
    [1, 37],
    [7, 37],
    [8, 37],
    [12, 36],
    [17, 39],
    [24, 5],
    [9, 0],
  ])(
    '%d right-hand sides at once (n = %d): whole groups of eight by reciprocal, the rest by division, bit for bit',
    (m, n) => {
      const f = randomFactor(n, m);
      const rng = new Rng(m * 1000 + n);
      const B = Float64Array.from({ length: m * n }, () => rng.normal());
      const want = Float64Array.from(B);
      const grouped = Math.floor(m / 8) * 8;
      for (let c = 0; c < m; c++) textbookForward(f, want, c * n, c < grouped);
      forwardSubstituteMany(f, B, m);
      expectSameBits(B, want);
    },
  );
});
