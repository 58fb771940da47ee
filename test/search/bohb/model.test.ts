import { describe, expect, it } from 'vitest';
import { encode, encodingFor } from '../../../src/search/bohb/encoding.ts';
import { bandwidths } from '../../../src/search/bohb/kde.ts';
import { fitModel, type Observation, observationsByBudget, splitGoodBad } from '../../../src/search/bohb/model.ts';
import { bohbOptions } from '../../../src/search/bohb/settings.ts';
import type { SearchSpace } from '../../../src/search/space.ts';
import type { TrialState, TrialView } from '../../../src/search/types.ts';

const space: SearchSpace = [
  { name: 'x', domain: { kind: 'double', min: 0, max: 10, scale: 'uniform' } },
  { name: 'opt', domain: { kind: 'categorical', values: ['sgd', 'adam'] } },
  { name: 'epochs', domain: { kind: 'int', min: 1, max: 81, step: 1, scale: 'uniform' } },
];
const encoding = encodingFor(space, 'epochs');

function trial(n: number, x: number, epochs: number, state: TrialState, objective?: number): TrialView {
  const base = { name: `t${n}`, params: { x, opt: 'sgd', epochs }, state };
  return objective === undefined ? base : { ...base, objective };
}

const obs = (losses: number[]): Observation[] => losses.map((loss, k) => ({ x: [k / 10, 0], loss }));

describe('bohb model', () => {
  it('encodes every parameter but the resource: numbers in the unit cube, lists as level indices', () => {
    expect(encoding.dims).toEqual([{ kind: 'continuous' }, { kind: 'categorical', levels: 2 }]);
    expect(encode(encoding, { x: 2.5, opt: 'adam', epochs: 3 })).toEqual([0.25, 1]);
    expect(encode(encoding, { x: 2.5, opt: 'rmsprop', epochs: 3 })).toBeUndefined();
  });

  it('groups finished trials by budget; failures are worst, unfinished and Killed ones are left out', () => {
    const trials = [
      trial(0, 1, 1, 'Succeeded', 5),
      trial(1, 2, 1, 'Failed'),
      trial(2, 3, 1, 'Running'),
      trial(3, 4, 1, 'Killed'),
      trial(4, 5, 9, 'EarlyStopped', 2),
      { ...trial(5, 6, 1, 'Succeeded', 7), budget: 3 },
      trial(6, 7, 9, 'MetricsUnavailable'),
    ];
    const min = observationsByBudget(trials, encoding, 'epochs', { type: 'minimize', metricName: 'm' });
    expect([...min.keys()]).toEqual([1, 9, 3]);
    expect(min.get(1)?.map((o) => o.loss)).toEqual([5, Number.POSITIVE_INFINITY]);
    expect(min.get(9)?.map((o) => o.loss)).toEqual([2, Number.POSITIVE_INFINITY]);
    const max = observationsByBudget(trials, encoding, 'epochs', { type: 'maximize', metricName: 'm' });
    expect(max.get(1)?.map((o) => o.loss)).toEqual([-5, Number.POSITIVE_INFINITY]);
  });

  it.each([
    { n: 5, top: 15, min: 3, good: undefined, bad: undefined },
    { n: 6, top: 15, min: 3, good: 3, bad: 3 },
    { n: 20, top: 15, min: 3, good: 3, bad: 17 },
    { n: 40, top: 15, min: 3, good: 6, bad: 34 },
    { n: 40, top: 50, min: 3, good: 20, bad: 20 },
    { n: 10, top: 15, min: 5, good: 5, bad: 5 },
  ])('splits $n observations (top $top%, min $min) into $good good and $bad bad', ({ n, top, min, good, bad }) => {
    const losses = Array.from({ length: n }, (_, k) => (k * 7) % n);
    const split = splitGoodBad(obs(losses), { minPoints: min, topNPercent: top });
    if (good === undefined) {
      expect(split).toBeUndefined();
      return;
    }
    expect(split?.good).toHaveLength(good);
    expect(split?.bad).toHaveLength(bad ?? 0);
    const worstGood = Math.max(...(split?.good ?? []).map((o) => o.loss));
    expect((split?.bad ?? []).every((o) => o.loss >= worstGood)).toBe(true);
  });

  it('fits the largest budget that has enough observations', () => {
    const byBudget = new Map<number, Observation[]>([
      [1, obs(Array.from({ length: 30 }, (_, k) => k))],
      [9, obs([3, 1, 4, 1, 5, 9])],
      [81, obs([2, 7])],
    ]);
    const options = bohbOptions({}, 2);
    expect(fitModel(byBudget, encoding, options)?.budget).toBe(9);
    expect(fitModel(new Map([[81, obs([2, 7])]]), encoding, options)).toBeUndefined();
  });

  it('keeps each KDE at least half as wide as one over all the budget’s observations (no collapse)', () => {
    const collapsed: Observation[] = [
      ...Array.from({ length: 3 }, () => ({ x: [0.5, 0], loss: 0 })),
      ...Array.from({ length: 9 }, (_, k) => ({ x: [k / 8, k % 2], loss: 1 + k })),
    ];
    const model = fitModel(new Map([[1, collapsed]]), encoding, bohbOptions({}, 2));
    const reference = bandwidths(
      encoding.dims,
      collapsed.map((o) => o.x),
      1e-3,
    );
    expect(model?.good.bandwidths[0]).toBeCloseTo((reference[0] ?? 0) / 2, 12);
    expect(model?.good.bandwidths[0]).toBeGreaterThan(0.05);
  });
});
