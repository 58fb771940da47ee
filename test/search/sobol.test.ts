import { describe, expect, it } from 'vitest';
import { SobolSearch } from '../../src/search/sobol.ts';
import { SobolSequence } from '../../src/search/sobolSequence.ts';
import type { SearchSpace } from '../../src/search/space.ts';
import type { ValidationContext } from '../../src/search/types.ts';
import { makeRequest, runAskTell } from '../../src/testing/askTell.ts';

// SciPy 1.10 `qmc.Sobol(d, scramble=False)`: numerators over 2^10 of points 777 and 1000 in dimensions 1..64.
const scipy777 = [
  709, 959, 167, 281, 651, 365, 195, 781, 357, 331, 763, 713, 393, 485, 583, 527, 413, 885, 379, 771, 243, 279, 969,
  493, 353, 149, 61, 799, 65, 113, 555, 921, 115, 3, 825, 969, 473, 359, 351, 367, 739, 273, 971, 411, 329, 155, 385,
  33, 795, 975, 85, 37, 631, 725, 709, 933, 365, 661, 821, 565, 525, 501, 141, 437,
];
const scipy1000 = [
  225, 99, 531, 693, 287, 929, 47, 921, 513, 71, 87, 261, 165, 393, 147, 379, 737, 353, 1015, 743, 535, 563, 973, 553,
  597, 929, 41, 1003, 61, 349, 151, 149, 303, 607, 821, 789, 869, 851, 315, 491, 935, 261, 983, 719, 861, 95, 893, 941,
  1023, 491, 361, 529, 771, 449, 129, 913, 465, 81, 905, 585, 457, 617, 265, 457,
];

describe('SobolSequence', () => {
  it('starts with the known unscrambled 2-D points', () => {
    const s = new SobolSequence(2);
    expect(Array.from({ length: 8 }, (_, n) => s.point(n))).toEqual([
      [0, 0],
      [0.5, 0.5],
      [0.75, 0.25],
      [0.25, 0.75],
      [0.375, 0.375],
      [0.875, 0.875],
      [0.625, 0.125],
      [0.125, 0.625],
    ]);
  });

  it("matches SciPy's Joe–Kuo sequence in 64 dimensions and in dimension 256", () => {
    const s = new SobolSequence(256);
    expect(
      s
        .point(777)
        .slice(0, 64)
        .map((x) => x * 1024),
    ).toEqual(scipy777);
    expect(
      s
        .point(1000)
        .slice(0, 64)
        .map((x) => x * 1024),
    ).toEqual(scipy1000);
    expect([3000, 4095].map((n) => s.point(n)[255]! * 4096)).toEqual([1917, 2511]);
  });

  it('scrambled: the first 2^k points put one point in each of 2^k equal bins, in every coordinate', () => {
    for (const seed of [1, 2, 3]) {
      const s = new SobolSequence(40, seed);
      const points = Array.from({ length: 1024 }, (_, n) => s.point(n));
      for (const k of [1, 3, 6, 10]) {
        for (let d = 0; d < 40; d++) {
          const bins = new Set(points.slice(0, 2 ** k).map((p) => Math.floor(p[d]! * 2 ** k)));
          expect(bins.size).toBe(2 ** k);
        }
      }
    }
  });

  it('scrambled: the first 16 points of the first two coordinates form a (0, 4, 2)-net (one per 4×4 cell)', () => {
    const s = new SobolSequence(2, 5);
    const cells = new Set(
      Array.from({ length: 16 }, (_, n) =>
        s
          .point(n)
          .map((x) => Math.floor(x * 4))
          .join(','),
      ),
    );
    expect(cells.size).toBe(16);
  });

  it('scrambling depends on the seed, not on the number of dimensions, and moves the corner point', () => {
    expect(new SobolSequence(3, 1).point(5)).toEqual(new SobolSequence(3, 1).point(5));
    expect(new SobolSequence(3, 1).point(5)).not.toEqual(new SobolSequence(3, 2).point(5));
    expect(new SobolSequence(5, 1).point(9).slice(0, 3)).toEqual(new SobolSequence(3, 1).point(9));
    expect(new SobolSequence(3, 1).point(0)).not.toEqual([0, 0, 0]);
  });

  it.each([0, 257, 1.5])('refuses %s dimensions', (d) => {
    expect(() => new SobolSequence(d)).toThrow(/1 to 256 dimensions/);
  });

  it('refuses indices outside [0, 2^32)', () => {
    expect(() => new SobolSequence(1).point(2 ** 32)).toThrow(/Sobol index/);
    expect(new SobolSequence(1).point(2 ** 32 - 1)[0]).toBeLessThan(1);
  });
});

const unitSquare: SearchSpace = [
  { name: 'x', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
  { name: 'y', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
];

describe('SobolSearch', () => {
  const sobol = new SobolSearch();
  const ctx = (space: SearchSpace): ValidationContext => ({
    space,
    objective: { type: 'maximize', metricName: 'acc' },
    parallelTrialCount: 1,
  });

  it('ignores unknown settings like Katib, but checks random_state and the dimension limit', () => {
    expect(sobol.validate({ anything: 'x' }, ctx(unitSquare))).toEqual([]);
    expect(sobol.validate({ random_state: 'x' }, ctx(unitSquare))[0]?.path).toBe(
      'spec.algorithm.algorithmSettings[0].value',
    );
    const wide: SearchSpace = Array.from({ length: 257 }, (_, i) => ({ name: `p${i}`, domain: unitSquare[0]!.domain }));
    expect(sobol.validate({}, ctx(wide))[0]?.message).toMatch(/at most 256 parameters/);
  });

  it('gives trial n the n-th point, whatever the batch sizes', async () => {
    const evaluate = () => 0;
    const one = await runAskTell({ algorithm: sobol, space: unitSquare, evaluate, trials: 10, batch: 1, seed: 4 });
    const three = await runAskTell({ algorithm: sobol, space: unitSquare, evaluate, trials: 10, batch: 3, seed: 4 });
    expect(three.trials.map((t) => t.params)).toEqual(one.trials.map((t) => t.params));
    const seq = new SobolSequence(2, 4);
    expect(one.trials[7]?.params).toEqual({ x: seq.point(7)[0], y: seq.point(7)[1] });
    expect(one.results[7]?.suggestions[0]?.explain).toEqual({ sobolIndex: 7 });
  });

  it('covers a 4×4 grid of cells with its first 16 trials', () => {
    const r = sobol.suggest(makeRequest({ space: unitSquare, trials: [], count: 16, seed: 8 }));
    const cells = new Set(
      r.suggestions.map((s) => `${Math.floor((s.params.x as number) * 4)},${Math.floor((s.params.y as number) * 4)}`),
    );
    expect(cells.size).toBe(16);
  });

  it('is seeded by random_state when given', () => {
    const settings = { random_state: '3' };
    const a = sobol.suggest(makeRequest({ space: unitSquare, trials: [], count: 2, seed: 1, settings }));
    const b = sobol.suggest(makeRequest({ space: unitSquare, trials: [], count: 2, seed: 2, settings }));
    expect(b).toEqual(a);
  });
});
