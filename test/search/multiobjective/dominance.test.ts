import { describe, expect, it } from 'vitest';
import { crowdingDistances, dominates, nonDominatedSort } from '../../../src/search/multiobjective/dominance.ts';
import { lossVector, lossVectors } from '../../../src/search/multiobjective/losses.ts';
import type { TrialView } from '../../../src/search/types.ts';

describe('dominates', () => {
  it.each([
    [[1, 2], [2, 3], true],
    [[1, 3], [2, 3], true],
    [[1, 3], [1, 3], false],
    [[1, 4], [2, 3], false],
    [[2, 3], [1, 2], false],
  ])('%j dominates %j: %s', (a, b, expected) => {
    expect(dominates(a, b)).toBe(expected);
  });
});

describe('nonDominatedSort', () => {
  it('splits points into fronts, first the non-dominated', () => {
    const points = [
      [1, 5], // 0: front 0
      [2, 2], // 1: front 0
      [5, 1], // 2: front 0
      [3, 3], // 3: front 1 (dominated by 1)
      [6, 6], // 4: front 3 (dominated by 5)
      [4, 4], // 5: front 2
      [2, 6], // 6: front 1 (dominated by 0 only)
    ];
    expect(nonDominatedSort(points)).toEqual([[0, 1, 2], [3, 6], [5], [4]]);
  });

  it('puts equal points in the same front and handles three objectives', () => {
    expect(
      nonDominatedSort([
        [1, 1, 1],
        [1, 1, 1],
        [0, 2, 2],
        [2, 2, 2],
      ]),
    ).toEqual([[0, 1, 2], [3]]);
    expect(nonDominatedSort([])).toEqual([]);
  });

  it('agrees with a brute-force definition on random points', () => {
    let s = 7;
    const next = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return (s % 1000) / 100;
    };
    const points = Array.from({ length: 60 }, () => [next(), next(), next()]);
    const fronts = nonDominatedSort(points);
    const rank = new Map<number, number>();
    fronts.forEach((f, r) => {
      for (const i of f) rank.set(i, r);
    });
    expect(rank.size).toBe(points.length);
    for (let i = 0; i < points.length; i++) {
      // A point's rank is one more than the highest rank of anything dominating it (0 when nothing does).
      const above = points.flatMap((p, j) => (dominates(p, points[i]!) ? [rank.get(j)!] : []));
      expect(rank.get(i)).toBe(above.length === 0 ? 0 : Math.max(...above) + 1);
    }
  });
});

describe('crowdingDistances', () => {
  it('gives boundaries infinity and inner points the normalised gap of their neighbours', () => {
    const points = [
      [0, 4],
      [1, 3],
      [3, 1],
      [4, 0],
    ];
    const d = crowdingDistances(points, [0, 1, 2, 3]);
    expect(d[0]).toBe(Number.POSITIVE_INFINITY);
    expect(d[3]).toBe(Number.POSITIVE_INFINITY);
    // Point 1: neighbours 0 and 2 are 3 apart in each objective of range 4.
    expect(d[1]).toBeCloseTo(3 / 4 + 3 / 4, 12);
    expect(d[2]).toBeCloseTo(3 / 4 + 3 / 4, 12);
  });

  it('adds nothing for a flat objective instead of NaN', () => {
    const d = crowdingDistances(
      [
        [0, 1],
        [1, 1],
        [2, 1],
      ],
      [0, 1, 2],
    );
    expect(d[1]).toBeCloseTo(1, 12);
  });
});

describe('lossVector', () => {
  const objectives = [
    { type: 'minimize', metricName: 'loss' },
    { type: 'maximize', metricName: 'accuracy' },
  ] as const;
  const trial = (over: Partial<TrialView>): TrialView => ({ name: 't', params: {}, state: 'Succeeded', ...over });

  it('negates maximised objectives and keeps only finished trials with every value', () => {
    expect(lossVector(trial({ values: [1, 0.9] }), objectives)).toEqual([1, -0.9]);
    expect(lossVector(trial({ values: [1, 0.9], state: 'EarlyStopped' }), objectives)).toEqual([1, -0.9]);
    expect(lossVector(trial({ values: [1, 0.9], state: 'Failed' }), objectives)).toBeUndefined();
    expect(lossVector(trial({ values: [1, 0.9], state: 'Running' }), objectives)).toBeUndefined();
    expect(lossVector(trial({ objective: 1 }), objectives)).toBeUndefined();
    expect(lossVector(trial({ values: [1, Number.NaN] }), objectives)).toBeUndefined();
    expect(lossVector(trial({ objective: 2 }), [objectives[1]])).toEqual([-2]);
  });

  it('indexes the accepted trials in creation order', () => {
    const h = lossVectors([trial({ state: 'Failed' }), trial({ values: [3, 4] })], objectives);
    expect(h).toEqual({ trials: [1], losses: [[3, -4]] });
  });
});
