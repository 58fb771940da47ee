// The median the stop rules compare against: (a + b)/2 of the two middles, which simple-statistics does not give.
import fc from 'fast-check';
import { median as interpolatedMedian } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { median } from '../../../src/search/earlyStopping/curve.ts';

describe('median', () => {
  it('is the middle value of an odd count and does not reorder its input', () => {
    const values = [5, -1, 3, 9, 0];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, -1, 3, 9, 0]);
  });

  it('is (a + b)/2 of the two middle values of an even count, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 10 }),
        (half) => {
          const values = [...half, ...half.map((v) => v + 1)];
          const sorted = [...values].sort((a, b) => a - b);
          const mid = sorted.length / 2;
          expect(Object.is(median(values), (sorted[mid - 1]! + sorted[mid]!) / 2)).toBe(true);
        },
      ),
      { numRuns: 500, seed: 3 },
    );
  });

  it('differs from the interpolating median where the stop rules could see it', () => {
    // Why src/search/earlyStopping keeps its own: a + ½(b − a) rounds differently, and −∞ middles give NaN.
    const pair = [-1.9620271553108595, 2.2096006903842094];
    expect(median(pair)).toBe((pair[0]! + pair[1]!) / 2);
    expect(median(pair)).not.toBe(interpolatedMedian(pair));
    expect(median([-Infinity, -Infinity, 1, -Infinity])).toBe(-Infinity);
    expect(interpolatedMedian([-Infinity, -Infinity, 1, -Infinity])).toBeNaN();
  });
});
