import { describe, expect, it } from 'vitest';
import { assignmentKey } from '../../src/search/assignment.ts';
import { RandomSearch } from '../../src/search/random.ts';
import type { SearchSpace } from '../../src/search/space.ts';
import type { ValidationContext } from '../../src/search/types.ts';
import { makeRequest, makeTrial, runAskTell } from '../../src/testing/askTell.ts';
import { mixedObjective, mixedSpace } from '../../src/testing/benchmarks.ts';

const ctx: ValidationContext = {
  space: mixedSpace,
  objective: { type: 'minimize', metricName: 'loss' },
  parallelTrialCount: 1,
};

describe('RandomSearch', () => {
  const random = new RandomSearch();

  it.each([
    [{}, undefined],
    [{ random_state: '0' }, undefined],
    [{ random_state: '-1' }, 'setting random_state of algorithm random must be an integer >= 0, got "-1"'],
    [{ random_state: 'abc' }, 'setting random_state of algorithm random must be an integer >= 0, got "abc"'],
    [{ n_startup_jobs: '3' }, 'unknown setting n_startup_jobs for algorithm random'],
  ])('validate(%o) → %s', (settings, message) => {
    const issues = random.validate(settings, ctx);
    if (message === undefined) expect(issues).toEqual([]);
    else expect(issues.map((i) => i.message)).toEqual([message]);
  });

  it('draws the n-th trial the same way whatever the batch sizes', async () => {
    const one = await runAskTell({
      algorithm: random,
      space: mixedSpace,
      evaluate: mixedObjective,
      trials: 12,
      batch: 1,
    });
    const four = await runAskTell({
      algorithm: random,
      space: mixedSpace,
      evaluate: mixedObjective,
      trials: 12,
      batch: 4,
    });
    expect(four.trials.map((t) => t.params)).toEqual(one.trials.map((t) => t.params));
  });

  it('takes its stream from random_state when set, else from the request seed', () => {
    const settings = { random_state: '5' };
    const a = random.suggest(makeRequest({ space: mixedSpace, trials: [], count: 3, seed: 1, settings }));
    const b = random.suggest(makeRequest({ space: mixedSpace, trials: [], count: 3, seed: 2, settings }));
    const c = random.suggest(makeRequest({ space: mixedSpace, trials: [], count: 3, seed: 1 }));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('does not repeat an assignment of a finite space until all are used', async () => {
    const space: SearchSpace = [
      { name: 'n', domain: { kind: 'int', min: 1, max: 3, step: 1, scale: 'uniform' } },
      { name: 'c', domain: { kind: 'categorical', values: ['a', 'b'] } },
    ];
    for (const batch of [1, 6]) {
      const run = await runAskTell({ algorithm: random, space, evaluate: () => 0, trials: 6, batch, seed: 3 });
      expect(new Set(run.trials.map((t) => assignmentKey(space, t.params))).size).toBe(6);
    }
    // History in any state counts as used; a used-up space may repeat.
    const history = [makeTrial(0, { n: 1, c: 'a' }, 'Failed'), makeTrial(1, { n: 2, c: 'b' }, 'Running')];
    const r = random.suggest(makeRequest({ space, trials: history, count: 4 }));
    const keys = [...history, ...r.suggestions].map((s) => assignmentKey(space, s.params));
    expect(new Set(keys).size).toBe(6);
    expect(random.suggest(makeRequest({ space, trials: [], count: 9 })).suggestions).toHaveLength(9);
  });
});
