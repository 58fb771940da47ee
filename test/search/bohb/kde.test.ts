import { describe, expect, it } from 'vitest';
import { bandwidths, ProductKde } from '../../../src/search/bohb/kde.ts';
import { Rng } from '../../../src/search/rng.ts';

const continuous = { kind: 'continuous' } as const;
const three = { kind: 'categorical', levels: 3 } as const;

describe('bohb kde', () => {
  it('uses the normal-reference rule 1.06·σ·n^(−1/(4+d)) on continuous coordinates', () => {
    const data = [[0.2], [0.4], [0.6]];
    const sd = Math.sqrt(0.08 / 3);
    expect(bandwidths([continuous], data, 1e-3)[0]).toBeCloseTo(1.06 * sd * 3 ** (-1 / 5), 12);
  });

  it('floors bandwidths at min_bandwidth and at a per-coordinate floor', () => {
    const data = [[0.5], [0.5], [0.5]];
    expect(bandwidths([continuous], data, 1e-3)).toEqual([1e-3]);
    expect(bandwidths([continuous], data, 1e-3, [0.05])).toEqual([0.05]);
  });

  it('gives levels a λ from their spread, between min_bandwidth and (c−1)/c', () => {
    expect(bandwidths([three], [[1], [1], [1], [1]], 1e-3)).toEqual([1e-3]);
    const spread = bandwidths([three], [[0], [1], [2], [0], [1], [2]], 1e-3)[0] ?? 0;
    expect(spread).toBeCloseTo(1.06 * Math.sqrt(2 / 3) * 6 ** (-1 / 5), 12);
    expect(bandwidths([three], [[0], [1]], 1e-3, [5])).toEqual([2 / 3]);
  });

  it('evaluates a Gaussian kernel and an Aitchison–Aitken kernel', () => {
    const kde = new ProductKde([continuous, three], [[0.3, 2]], [0.1, 0.2]);
    const gauss = (v: number) => Math.exp(-0.5 * ((v - 0.3) / 0.1) ** 2) / (0.1 * Math.sqrt(2 * Math.PI));
    expect(kde.logPdf([0.35, 2])).toBeCloseTo(Math.log(gauss(0.35) * 0.8), 12);
    expect(kde.logPdf([0.35, 0])).toBeCloseTo(Math.log(gauss(0.35) * 0.1), 12);
  });

  it('averages the kernels of its points', () => {
    const kde = new ProductKde([continuous], [[0.2], [0.8]], [0.1]);
    const one = (m: number) => new ProductKde([continuous], [[m]], [0.1]).logPdf([0.4]);
    expect(kde.logPdf([0.4])).toBeCloseTo(Math.log((Math.exp(one(0.2)) + Math.exp(one(0.8))) / 2), 12);
  });

  it('samples near its points, inside [0, 1], widened by the factor, keeping levels with chance 1−λ', () => {
    const kde = new ProductKde([continuous, three], [[0.02, 1]], [0.05, 0.1]);
    const rng = new Rng(3);
    const draws = Array.from({ length: 4000 }, () => kde.sample(rng, 3));
    expect(draws.every(([v = -1, level = -1]) => v >= 0 && v <= 1 && [0, 1, 2].includes(level))).toBe(true);
    const kept = draws.filter((d) => d[1] === 1).length / draws.length;
    expect(kept).toBeGreaterThan(0.87);
    expect(kept).toBeLessThan(0.93);
    const spread = Math.sqrt(draws.reduce((a, d) => a + ((d[0] ?? 0) - 0.02) ** 2, 0) / draws.length);
    // Truncation at 0 trims the left half of a N(0.02, 0.15) draw; what is left still spreads about 0.15 wide.
    expect(spread).toBeGreaterThan(0.1);
    expect(spread).toBeLessThan(0.2);
  });
});
