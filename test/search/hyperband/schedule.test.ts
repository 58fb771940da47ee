import { describe, expect, it } from 'vitest';
import { brackets, loopBudget, maxBracket } from '../../../src/search/hyperband/schedule.ts';

describe('Hyperband schedule', () => {
  it('matches the table of Li et al. (2018) for R = 81, η = 3', () => {
    const table = brackets({ maxBudget: 81, minBudget: 1, eta: 3 }).map((b) => ({
      s: b.s,
      sizes: b.rungs.map((r) => r.size),
      budgets: b.rungs.map((r) => r.budget),
    }));
    expect(table).toEqual([
      { s: 4, sizes: [81, 27, 9, 3, 1], budgets: [1, 3, 9, 27, 81] },
      { s: 3, sizes: [34, 11, 3, 1], budgets: [3, 9, 27, 81] },
      { s: 2, sizes: [15, 5, 1], budgets: [9, 27, 81] },
      { s: 1, sizes: [8, 2], budgets: [27, 81] },
      { s: 0, sizes: [5], budgets: [81] },
    ]);
  });

  it.each([
    { maxBudget: 81, minBudget: 1, eta: 3, sMax: 4 },
    { maxBudget: 80.9, minBudget: 1, eta: 3, sMax: 3 },
    { maxBudget: 2, minBudget: 1, eta: 2, sMax: 1 },
    { maxBudget: 512, minBudget: 8, eta: 2, sMax: 6 },
    { maxBudget: 1000, minBudget: 1, eta: 10, sMax: 3 },
    { maxBudget: 0.5, minBudget: 0.5, eta: 3, sMax: 0 },
    { maxBudget: 1, minBudget: 2, eta: 3, sMax: -1 },
  ])('s_max of R=$maxBudget, r_min=$minBudget, η=$eta is $sMax', ({ sMax, ...p }) => {
    expect(maxBracket(p)).toBe(sMax);
  });

  it('keeps ⌊n_i/η⌋ per rung and multiplies the budget by η', () => {
    for (const b of brackets({ maxBudget: 100, minBudget: 1, eta: 3 })) {
      for (let i = 1; i < b.rungs.length; i++) {
        const prev = b.rungs[i - 1];
        const rung = b.rungs[i];
        expect(rung?.size).toBe(Math.floor((prev?.size ?? 0) / 3));
        expect(rung?.budget).toBeCloseTo((prev?.budget ?? 0) * 3, 12);
      }
      expect(b.rungs.at(-1)?.budget).toBe(100);
    }
  });

  it('sums one loop of R = 81, η = 3 to 1902 budget units', () => {
    expect(loopBudget({ maxBudget: 81, minBudget: 1, eta: 3 })).toBe(1902);
  });
});
