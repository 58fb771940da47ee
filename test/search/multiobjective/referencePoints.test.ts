import { describe, expect, it } from 'vitest';
import { binomial, dasDennisPoints, divisionsFor } from '../../../src/search/multiobjective/referencePoints.ts';

describe('dasDennisPoints', () => {
  it('lists every composition of the divisions, summing to one', () => {
    expect(dasDennisPoints(2, 2)).toEqual([
      [1, 0],
      [0.5, 0.5],
      [0, 1],
    ]);
    const three = dasDennisPoints(3, 4);
    expect(three.length).toBe(binomial(6, 2));
    expect(three.length).toBe(15);
    for (const p of three) expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(new Set(three.map((p) => p.join())).size).toBe(three.length);
  });

  it('has C(H + M − 1, M − 1) points for several shapes', () => {
    for (const [m, h] of [
      [3, 12],
      [5, 6],
      [4, 1],
    ] as const) {
      expect(dasDennisPoints(m, h).length).toBe(binomial(h + m - 1, m - 1));
    }
    expect(dasDennisPoints(3, 12).length).toBe(91);
  });
});

describe('divisionsFor', () => {
  it('gives as many reference points as the population can hold, at least one division', () => {
    expect(divisionsFor(3, 91)).toBe(12);
    expect(divisionsFor(3, 90)).toBe(11);
    expect(divisionsFor(3, 20)).toBe(4);
    expect(divisionsFor(2, 20)).toBe(19);
    expect(divisionsFor(8, 2)).toBe(1);
  });
});
