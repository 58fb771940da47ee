import { describe, expect, it } from 'vitest';
import { firstPopulation } from '../../../src/search/cmaes/advance.ts';
import { applyFloor, categoricalFloor, updateCategoricals } from '../../../src/search/cmaes/categorical.ts';
import { condition, eigen, scaleByRoot, whiten } from '../../../src/search/cmaes/eigen.ts';
import { normalCdf, normalQuantile } from '../../../src/search/cmaes/normal.ts';
import { mirror } from '../../../src/search/cmaes/sample.ts';
import { defaultPopulation, hansenPopulation, strategy } from '../../../src/search/cmaes/strategy.ts';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

describe('normal distribution helpers', () => {
  it.each([
    [0.5, 0],
    [0.975, 1.959963985],
    [0.025, -1.959963985],
    [0.001, -3.090232306],
    [0.8413447461, 1],
    [1e-9, -5.997807015],
  ])('Φ⁻¹(%f) = %f', (p, x) => {
    expect(normalQuantile(p)).toBeCloseTo(x, 6);
  });

  it('Φ inverts Φ⁻¹ to 1e-7 relative accuracy, across the tails', () => {
    for (const p of [1e-8, 1e-5, 0.01, 0.02425, 0.1, 0.5, 0.77, 0.99, 0.99999]) {
      expect(Math.abs(normalCdf(normalQuantile(p)) / p - 1)).toBeLessThan(2e-7);
    }
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('strategy parameters (Hansen 2016, table 1)', () => {
  it.each([2, 5, 10, 40])('n = %i: positive weights sum to 1, negative ones are bounded, rates in range', (n) => {
    const s = strategy(n, hansenPopulation(n));
    const pos = s.weights.slice(0, s.mu);
    expect(sum(pos)).toBeCloseTo(1, 12);
    expect(pos.every((w, i) => w > 0 && (i === 0 || w <= pos[i - 1]!))).toBe(true);
    expect(s.weights.slice(s.mu).every((w) => w <= 0)).toBe(true);
    expect(s.c1 + s.cmu).toBeLessThanOrEqual(1);
    // The active update must not make C indefinite: the negative weights are scaled to at most (1 − c1 − cμ)/(n cμ).
    expect(-sum(s.weights.slice(s.mu))).toBeLessThanOrEqual((1 - s.c1 - s.cmu) / (n * s.cmu) + 1e-12);
    expect(s.cs).toBeGreaterThan(0);
    expect(s.cs).toBeLessThan(1);
    expect(s.damps).toBeGreaterThan(1);
  });

  it('matches the tutorial for n = 2, λ = 6', () => {
    const s = strategy(2, 6);
    expect(s.mu).toBe(3);
    expect(s.muEff).toBeCloseTo(2.0286, 3);
    expect(s.cs).toBeCloseTo((s.muEff + 2) / (2 + s.muEff + 5), 12);
    expect(s.c1).toBeCloseTo(2 / (3.3 ** 2 + s.muEff), 12);
    expect(s.chiN).toBeCloseTo(1.2542, 3);
  });

  it('uses a smaller default population than Hansen, still at least 4', () => {
    expect([1, 2, 4, 6, 10, 100].map(defaultPopulation)).toEqual([4, 4, 5, 5, 6, 8]);
    expect([1, 2, 4, 6, 10, 100].map(hansenPopulation)).toEqual([4, 6, 8, 9, 10, 17]);
  });

  it.each([
    [2, 1, 4],
    [6, 1, 5],
    [6, 4, 4],
    [6, 3, 6],
    [6, 2, 6],
    [2, 3, 6],
    [2, 10, 10],
    [2, 5000, 1000],
  ])('n = %i with %i parallel trials: λ = %i (whole waves, at least 4)', (n, parallel, lambda) => {
    expect(firstPopulation(n, parallel)).toBe(lambda);
  });
});

describe('eigendecomposition', () => {
  const C = [
    [4, 1.2, 0.3],
    [1.2, 2, -0.4],
    [0.3, -0.4, 1],
  ];

  it('reconstructs C = B diag(D²) Bᵀ and whitens a scaled draw back to where it came from', () => {
    const e = eigen(C);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let v = 0;
        for (let k = 0; k < 3; k++) v += e.B[i * 3 + k]! * e.D[k]! ** 2 * e.B[j * 3 + k]!;
        expect(v).toBeCloseTo(C[i]![j]!, 10);
      }
    }
    const z = [0.3, -1.1, 2];
    const back = Array.from(whiten(e, scaleByRoot(e, z)));
    // whiten(B D z) = B z: same length as z.
    expect(Math.hypot(...back)).toBeCloseTo(Math.hypot(...z), 10);
    expect(
      condition(
        eigen([
          [1, 0],
          [0, 1e-6],
        ]),
      ),
    ).toBeCloseTo(1e6, 0);
  });

  it('clamps eigenvalues that rounding made negative', () => {
    const e = eigen([
      [1, 1],
      [1, 1 - 1e-17],
    ]);
    expect(Array.from(e.D).every((d) => Number.isFinite(d) && d > 0)).toBe(true);
  });
});

describe('mirror', () => {
  it.each([
    [0.3, 0.3],
    [1.2, 0.8],
    [-0.25, 0.25],
    [2.3, 0.3],
    [-1.7, 0.3],
    [3.5, 0.5],
  ])('mirror(%f) = %f', (x, y) => {
    expect(mirror(x)).toBeCloseTo(y, 12);
  });
});

describe('categorical vectors', () => {
  it('floors every probability and keeps the sum at one', () => {
    const p = [0.97, 0.02, 0.01];
    applyFloor(p, 0.1);
    expect(sum(p)).toBeCloseTo(1, 12);
    expect(Math.min(...p)).toBeCloseTo(0.1, 12);
  });

  it('moves towards the choices of the best members and never below the floor', () => {
    const probs = [[0.25, 0.25, 0.25, 0.25]];
    for (let g = 0; g < 30; g++) updateCategoricals(probs, [[2], [2], [0], [1]], [0.7, 0.3], 1.7, 4);
    const p = probs[0]!;
    expect(sum(p)).toBeCloseTo(1, 12);
    expect(p[2]).toBeGreaterThan(0.6);
    expect(Math.min(...p)).toBeGreaterThanOrEqual(categoricalFloor(4, 4) - 1e-12);
  });
});
