import { describe, expect, it } from 'vitest';
import { decimals, onStep, snapToStep, stepCount, stepPoint } from '../../src/search/steps.ts';

describe('stepped ranges', () => {
  it.each([
    [1, 0],
    [0.05, 2],
    [1.5e-7, 8],
    [1e-7, 7],
    [-0.125, 3],
    [1e21, 0],
    [Number.POSITIVE_INFINITY, 0],
  ])('decimals(%s) = %s', (x, n) => {
    expect(decimals(x)).toBe(n);
  });

  it.each([
    [0, 0.1, 3, 0.3],
    [0.01, 0.01, 4, 0.05],
    [1, 0.25, 3, 1.75],
    [-1, 0.1, 7, -0.3],
    [0.1, 1e-7, 3, 0.1000003],
  ])('stepPoint(%s, %s, %s) = %s exactly', (min, step, k, expected) => {
    expect(stepPoint(min, step, k)).toBe(expected);
  });

  it.each([
    [0.01, 0.05, 0.01, 5],
    [0, 1, 0.1, 11],
    [0, 1, 0.3, 4],
    [0, 0.3, 0.1, 4],
    [5, 5, 1, 1],
    [0, 1e6, 1, 1e6 + 1],
    [1, 0, 1, 0],
  ])('stepCount(%s, %s, %s) = %s', (min, max, step, n) => {
    expect(stepCount(min, max, step)).toBe(n);
  });

  it('snaps to the nearest point and clamps to the range', () => {
    expect(snapToStep(0, 0.1, 11, 0.26)).toBe(0.3);
    expect(snapToStep(0, 0.1, 11, -4)).toBe(0);
    expect(snapToStep(0, 0.1, 11, 4)).toBe(1);
  });

  it('recognises points on the step despite floating-point noise', () => {
    expect(onStep(0, 0.1, 0.1 + 0.2)).toBe(true);
    expect(onStep(0, 0.1, 0.25)).toBe(false);
    expect(onStep(1e6, 0.5, 1e6 + 123456.5)).toBe(true);
    // Large values with a fine step: x − min carries ulps of 1e4, which are 4e-9 of a 0.001 step (fast-check's find).
    expect(onStep(9999.99999999997, 0.001, 10000.00099999997)).toBe(true);
    expect(onStep(9999.99999999997, 0.001, 10000.0005)).toBe(false);
  });
});
