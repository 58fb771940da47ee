import { describe, expect, it } from 'vitest';
import type { SearchSpace } from '../../../src/search/space.ts';
import { encodeSpace } from '../../../src/search/tpe/encoding.ts';
import { Memo } from '../../../src/search/tpe/memo.ts';
import { goodCount, liarWeight, rampWeights, readHistory, splitHistory } from '../../../src/search/tpe/split.ts';
import type { TrialState, TrialView } from '../../../src/search/types.ts';
import { makeTrial } from '../../../src/testing/askTell.ts';

const space: SearchSpace = [{ name: 'x', domain: { kind: 'double', min: 0, max: 10, scale: 'uniform' } }];
const enc = encodeSpace(space);

function trial(n: number, x: number, state: TrialState, objective?: number): TrialView {
  return makeTrial(n, { x }, state, objective);
}

describe('good/bad split', () => {
  it.each([
    [0, 0],
    [1, 1],
    [4, 1],
    [5, 2],
    [40, 10],
    [100, 25],
    [1000, 25],
  ])('goodCount(%d, 0.25) = %d', (n, want) => {
    expect(goodCount(n, 0.25)).toBe(want);
  });

  it('ramps the weights of all but the newest 25 points from 1/n up to 1', () => {
    expect(Array.from(rampWeights(3))).toEqual([1, 1, 1]);
    const w = rampWeights(50);
    expect(w[0]).toBeCloseTo(1 / 50);
    expect(w[24]).toBeCloseTo(1);
    expect(Array.from(w.subarray(25))).toEqual(new Array(25).fill(1));
    for (let i = 1; i < 25; i++) expect(w[i]).toBeGreaterThan(w[i - 1]!);
  });

  it('learns only from finished trials with a value; in-flight ones become liars', () => {
    const trials = [
      trial(0, 1, 'Succeeded', 5),
      trial(1, 2, 'Failed'),
      trial(2, 3, 'Running'),
      trial(3, 4, 'EarlyStopped', 2),
      trial(4, 5, 'Pending'),
      trial(5, 6, 'Killed'),
      trial(6, 7, 'MetricsUnavailable'),
      trial(7, 8, 'Succeeded', Number.NaN),
      { name: 'other-space', params: { y: 1 }, state: 'Succeeded', objective: 0 } satisfies TrialView,
    ];
    const h = readHistory(enc, trials, 1, new Memo());
    expect(h.points.map((p) => p[0])).toEqual([0.1, 0.4]);
    expect(Array.from(h.losses)).toEqual([5, 2]);
    expect(h.inFlight.map((p) => p[0])).toEqual([0.3, 0.5]);
    expect(Array.from(h.best)).toEqual([1, 0]);
    // Maximising flips the losses, so the larger objective is the better one.
    expect(Array.from(readHistory(enc, trials, -1, new Memo()).best)).toEqual([0, 1]);
  });

  it('puts the best quarter in the good group, rank-weighted, ties by creation order', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6];
    const trials = values.map((v, i) => trial(i, i, 'Succeeded', v));
    const h = readHistory(enc, [...trials, trial(8, 9.5, 'Running')], 1, new Memo());
    const batch = [Float64Array.from([0.25])];
    const split = splitHistory(h, { gamma: 0.25, sharpness: 2 }, batch, 1);
    // ⌈0.25·8⌉ = 2 good points: the two 1s, trials 1 and 3, in creation order; the first of the tie ranks higher.
    expect(Array.from(split.good.columns[0]!)).toEqual([0.1, 0.3]);
    expect(Array.from(split.good.weights)).toEqual([1, 0.25]);
    // The rest in creation order, then the in-flight trial and the batch's own point, both at the liar weight.
    expect(Array.from(split.bad.columns[0]!)).toEqual([0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.95, 0.25]);
    expect(Array.from(split.bad.weights)).toEqual([1, 1, 1, 1, 1, 1, liarWeight, liarWeight]);
    expect(split.liars).toBe(2);
    // The best observation (trial 1) is the good group's first component.
    expect(split.best).toBe(0);
    const later = readHistory(enc, [trial(0, 0, 'Succeeded', 2), trial(1, 5, 'Succeeded', 1)], 1, new Memo());
    expect(splitHistory(later, { gamma: 1, sharpness: 2 }, [], 1).best).toBe(1);
    expect(splitHistory(readHistory(enc, [], 1, new Memo()), { gamma: 1, sharpness: 2 }, [], 1).best).toBe(-1);
  });

  it('reads the same history the same way through a warm memo', () => {
    const memo = new Memo();
    const trials = [trial(0, 1, 'Succeeded', 1), trial(1, 2, 'Running')];
    const first = readHistory(enc, trials, 1, memo);
    // The running trial finishes (a new object at the same position) and another starts.
    const later = [trials[0]!, trial(1, 2, 'Succeeded', 0.5), trial(2, 7, 'Pending')];
    const again = readHistory(enc, later, 1, memo);
    expect(again).toEqual(readHistory(enc, later, 1, new Memo()));
    expect(first.inFlight.map((p) => p[0])).toEqual([0.2]);
    expect(again.points.map((p) => p[0])).toEqual([0.1, 0.2]);
  });
});
