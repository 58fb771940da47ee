import { describe, expect, it } from 'vitest';
import { GridSearch } from '../../src/search/grid.ts';
import type { SearchSpace } from '../../src/search/space.ts';
import type { SearchAlgorithm, SuggestRequest } from '../../src/search/types.ts';
import { deepFreeze, makeRequest, makeTrial, runAskTell } from '../../src/testing/askTell.ts';

const space: SearchSpace = [{ name: 'n', domain: { kind: 'int', min: 1, max: 5, step: 1, scale: 'uniform' } }];

describe('runAskTell', () => {
  it('stops when the algorithm is exhausted and reports the best value for the direction', async () => {
    const evaluate = (p: Record<string, unknown>) => (p.n as number) * 10;
    const min = await runAskTell({ algorithm: new GridSearch(), space, evaluate, trials: 50, batch: 2 });
    expect(min.trials.map((t) => t.params.n)).toEqual([1, 2, 3, 4, 5]);
    expect(min.exhausted).toBe(true);
    expect(min.best).toBe(10);
    const max = await runAskTell({ algorithm: new GridSearch(), space, evaluate, trials: 50, type: 'maximize' });
    expect(max.best).toBe(50);
  });

  it('passes each returned state back (cloned) and builds Succeeded trials with the full history', async () => {
    const seen: SuggestRequest[] = [];
    const counter: SearchAlgorithm = {
      name: 'counter',
      validate: () => [],
      suggest: (req) => {
        seen.push(req);
        const calls = ((req.state as { calls?: number } | undefined)?.calls ?? 0) + 1;
        return { suggestions: Array.from({ length: req.count }, () => ({ params: { n: calls } })), state: { calls } };
      },
    };
    const run = await runAskTell({ algorithm: counter, space, evaluate: () => 1, trials: 5, batch: 2, seed: 9 });
    expect(seen.map((r) => [r.count, r.trials.length, r.state, r.seed])).toEqual([
      [2, 0, undefined, 9],
      [2, 2, { calls: 1 }, 9],
      [1, 4, { calls: 2 }, 9],
    ]);
    expect(run.trials.map((t) => [t.name, t.state, t.params.n, t.objective])).toEqual([
      ['trial-0', 'Succeeded', 1, 1],
      ['trial-1', 'Succeeded', 1, 1],
      ['trial-2', 'Succeeded', 2, 1],
      ['trial-3', 'Succeeded', 2, 1],
      ['trial-4', 'Succeeded', 3, 1],
    ]);
  });
});

describe('request helpers', () => {
  it('makeRequest freezes a copy, so an algorithm that mutates its input throws', () => {
    const trials = [makeTrial(0, { n: 1 }, 'Failed')];
    const req = makeRequest({ space, trials, count: 1, maxTrialCount: 4 });
    expect(req.maxTrialCount).toBe(4);
    expect(() => (req.trials as unknown[]).push(1)).toThrow(TypeError);
    expect(() => {
      (req.trials[0]!.params as Record<string, number>).n = 2;
    }).toThrow(TypeError);
    expect(Object.isFrozen(trials)).toBe(false);
  });

  it('deepFreeze freezes nested objects and arrays', () => {
    const value = deepFreeze({ a: [{ b: 1 }] });
    expect(Object.isFrozen(value.a[0])).toBe(true);
  });

  it('makeTrial adds an intermediate report only when there is an objective', () => {
    expect(makeTrial(3, { n: 1 }, 'Running')).toEqual({ name: 'trial-3', params: { n: 1 }, state: 'Running' });
    expect(makeTrial(1, { n: 1 }, 'Succeeded', 0.5).intermediate).toEqual([{ step: 1, value: 0.5 }]);
  });
});
