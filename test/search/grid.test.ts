import { describe, expect, it } from 'vitest';
import { GridSearch } from '../../src/search/grid.ts';
import type { SearchSpace } from '../../src/search/space.ts';
import type { SuggestResult, TrialView, ValidationContext } from '../../src/search/types.ts';
import { makeRequest, makeTrial } from '../../src/testing/askTell.ts';

const small: SearchSpace = [
  { name: 'a', domain: { kind: 'int', min: 1, max: 2, step: 1, scale: 'uniform' } },
  { name: 'b', domain: { kind: 'categorical', values: ['x', 'y', 'z'] } },
];
const lexicographic = [
  { a: 1, b: 'x' },
  { a: 1, b: 'y' },
  { a: 1, b: 'z' },
  { a: 2, b: 'x' },
  { a: 2, b: 'y' },
  { a: 2, b: 'z' },
];

function ctx(space: SearchSpace, maxTrialCount?: number): ValidationContext {
  const base = { space, objective: { type: 'minimize' as const, metricName: 'loss' }, parallelTrialCount: 1 };
  return maxTrialCount === undefined ? base : { ...base, maxTrialCount };
}

function params(result: SuggestResult) {
  return result.suggestions.map((s) => s.params);
}

function asTrials(list: readonly Record<string, string | number>[], from = 0): TrialView[] {
  return list.map((p, i) => makeTrial(from + i, p, 'Succeeded', i));
}

describe('GridSearch.validate', () => {
  const grid = new GridSearch();

  it('accepts a stepped space within maxTrialCount', () => {
    expect(grid.validate({}, ctx(small, 6))).toEqual([]);
    expect(grid.validate({ random_state: '3' }, ctx(small))).toEqual([]);
  });

  it("rejects maxTrialCount above the number of combinations with Katib's message", () => {
    const space: SearchSpace = [
      { name: 'lr', domain: { kind: 'double', min: 0.01, max: 0.05, step: 0.01, scale: 'uniform' } },
    ];
    expect(grid.validate({}, ctx(space, 6))).toEqual([
      expect.objectContaining({
        path: 'spec.maxTrialCount',
        message: 'Max Trial Count: 6 > all possible search combinations: 5',
      }),
    ]);
    expect(grid.validate({}, ctx(space, 5))).toEqual([]);
  });

  it('requires a step on every double, naming the parameter path', () => {
    const space: SearchSpace = [
      small[0]!,
      { name: 'lr', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
    ];
    const issues = grid.validate({}, ctx(space, 3));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'spec.parameters[1].feasibleSpace.step' });
    expect(issues[0]?.message).toContain('lr');
  });

  it('rejects unknown settings and a bad random_state', () => {
    expect(grid.validate({ seed: '1' }, ctx(small))[0]?.message).toBe('unknown setting seed for algorithm grid');
    expect(grid.validate({ random_state: '-2' }, ctx(small))[0]?.path).toBe(
      'spec.algorithm.algorithmSettings[0].value',
    );
  });

  it('rejects a grid too large to index', () => {
    const wide: SearchSpace = Array.from({ length: 6 }, (_, i) => ({
      name: `p${i}`,
      domain: { kind: 'int', min: 0, max: 1e6, step: 1, scale: 'uniform' },
    }));
    expect(grid.validate({}, ctx(wide))[0]?.message).toMatch(/more than grid search can index/);
  });
});

describe('GridSearch.suggest', () => {
  const grid = new GridSearch();

  it('walks the combinations in itertools.product order (last parameter fastest)', () => {
    expect(params(grid.suggest(makeRequest({ space: small, trials: [], count: 6 })))).toEqual(lexicographic);
  });

  it('continues after the history and reports exhaustion', () => {
    const first = grid.suggest(makeRequest({ space: small, trials: [], count: 4 }));
    expect(params(first)).toEqual(lexicographic.slice(0, 4));
    expect(first.exhausted).toBeUndefined();
    const second = grid.suggest(makeRequest({ space: small, trials: asTrials(lexicographic.slice(0, 4)), count: 4 }));
    expect(params(second)).toEqual(lexicographic.slice(4));
    expect(second.exhausted).toBe(true);
    const done = grid.suggest(makeRequest({ space: small, trials: asTrials(lexicographic), count: 1 }));
    expect(done).toEqual({ suggestions: [], exhausted: true });
  });

  it('says exhausted as soon as the last combination is handed out', () => {
    const all = grid.suggest(makeRequest({ space: small, trials: [], count: 6 }));
    expect(all.suggestions).toHaveLength(6);
    expect(all.exhausted).toBe(true);
  });

  it('skips combinations already in the history, compared by value, whatever their state', () => {
    const history = [
      makeTrial(0, { b: 'y', a: 1 }, 'Failed'),
      makeTrial(1, { a: 2, b: 'x', extra: 'ignored' }, 'Running'),
    ];
    expect(params(grid.suggest(makeRequest({ space: small, trials: history, count: 4 })))).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'z' },
      { a: 2, b: 'y' },
      { a: 2, b: 'z' },
    ]);
  });

  it('shuffles the order by random_state, still visiting every combination once', () => {
    const settings = { random_state: '11' };
    const shuffled: Record<string, string | number>[] = [];
    while (shuffled.length < 6) {
      const r = grid.suggest(makeRequest({ space: small, trials: asTrials(shuffled), count: 2, settings }));
      shuffled.push(...params(r));
    }
    expect(shuffled).not.toEqual(lexicographic);
    expect([...shuffled].sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q)))).toEqual(lexicographic);
    // The order comes from random_state alone, not from the request seed.
    const a = grid.suggest(makeRequest({ space: small, trials: [], count: 6, settings, seed: 1 }));
    const b = grid.suggest(makeRequest({ space: small, trials: [], count: 6, settings, seed: 2 }));
    expect(params(a)).toEqual(shuffled);
    expect(params(b)).toEqual(shuffled);
  });

  it("uses Katib's double grid (np.arange without points above max)", () => {
    const space: SearchSpace = [
      { name: 'lr', domain: { kind: 'double', min: 0.01, max: 0.05, step: 0.01, scale: 'uniform' } },
    ];
    const r = grid.suggest(makeRequest({ space, trials: [], count: 10 }));
    expect(params(r).map((p) => p.lr)).toEqual([0.01, 0.02, 0.03, 0.04, 0.05]);
    expect(r.exhausted).toBe(true);
  });

  it('indexes a 10^15-point grid without building it', () => {
    const huge: SearchSpace = ['x', 'y', 'z'].map((name) => ({
      name,
      domain: { kind: 'int', min: 0, max: 99_999, step: 1, scale: 'uniform' },
    }));
    const r = grid.suggest(makeRequest({ space: huge, trials: [], count: 3 }));
    expect(params(r)).toEqual([
      { x: 0, y: 0, z: 0 },
      { x: 0, y: 0, z: 1 },
      { x: 0, y: 0, z: 2 },
    ]);
    const shuffled = grid.suggest(makeRequest({ space: huge, trials: [], count: 3, settings: { random_state: '1' } }));
    expect(new Set(params(shuffled).map((p) => JSON.stringify(p))).size).toBe(3);
  });

  it('throws when a double has no step', () => {
    const space: SearchSpace = [{ name: 'lr', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } }];
    expect(() => grid.suggest(makeRequest({ space, trials: [], count: 1 }))).toThrow(/step/);
  });
});
