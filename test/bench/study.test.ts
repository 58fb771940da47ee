import { describe, expect, it } from 'vitest';
import { testFunctions } from '../../bench/search/functions.ts';
import { countCoincidences, runStudy } from '../../bench/search/study.ts';
import { RandomSearch } from '../../src/search/random.ts';
import type { SearchAlgorithm, SuggestRequest } from '../../src/search/types.ts';

const branin = testFunctions.branin!;

/** Records every request and proposes distinct points along x0, with a call counter as its state. */
function spy(seen: SuggestRequest[]): SearchAlgorithm {
  return {
    name: 'spy',
    validate: () => [],
    suggest: (req) => {
      seen.push(structuredClone(req));
      const calls = ((req.state as { calls?: number } | undefined)?.calls ?? 0) + 1;
      const n = req.trials.length;
      return {
        suggestions: Array.from({ length: req.count }, (_, i) => ({ params: { x0: -5 + (n + i) * 0.1, x1: 5 } })),
        state: { calls },
      };
    },
  };
}

const shape = (r: SuggestRequest) => ({
  count: r.count,
  states: r.trials.map((t) => t.state[0]).join(''),
  state: r.state,
  seed: r.seed,
  parallel: r.parallelTrialCount,
});

/** Like CMA-ES at the end of a generation: proposes nothing while any trial is still running. */
function waiter(): SearchAlgorithm {
  return {
    name: 'waiter',
    validate: () => [],
    suggest: (req) => {
      if (req.trials.some((t) => t.state === 'Running')) return { suggestions: [] };
      const n = req.trials.length;
      return {
        suggestions: Array.from({ length: req.count }, (_, i) => ({ params: { x0: -5 + (n + i) * 0.1, x1: 5 } })),
      };
    },
  };
}

describe('runStudy', () => {
  it('async: a short answer while trials run waits for them instead of ending the study', async () => {
    const run = await runStudy({
      algorithm: waiter(),
      fn: branin,
      trials: 12,
      seed: 1,
      parallel: 4,
      schedule: 'async',
    });
    expect(run.stoppedEarly).toBe(false);
    expect(run.curve).toHaveLength(12);
  });

  it('sequential: one suggestion per request, every earlier trial Succeeded, the state passed back', async () => {
    const seen: SuggestRequest[] = [];
    const run = await runStudy({ algorithm: spy(seen), fn: branin, trials: 3, seed: 7 });
    expect(seen.map(shape)).toEqual([
      { count: 1, states: '', state: undefined, seed: 7, parallel: 1 },
      { count: 1, states: 'S', state: { calls: 1 }, seed: 7, parallel: 1 },
      { count: 1, states: 'SS', state: { calls: 2 }, seed: 7, parallel: 1 },
    ]);
    expect(seen[2]!.trials[0]).toMatchObject({
      objective: branin.f([-5, 5]),
      intermediate: [{ step: 1, value: branin.f([-5, 5]) }],
    });
    expect(run.requests.map((r) => r.observations)).toEqual([0, 1, 2]);
  });

  it('sync batches: 4 at a time, nothing in flight when asked', async () => {
    const seen: SuggestRequest[] = [];
    await runStudy({ algorithm: spy(seen), fn: branin, trials: 10, seed: 1, parallel: 4 });
    expect(seen.map((r) => [r.count, r.trials.length])).toEqual([
      [4, 0],
      [4, 4],
      [2, 8],
    ]);
    expect(seen.every((r) => r.trials.every((t) => t.state === 'Succeeded'))).toBe(true);
  });

  it('async: a slot is refilled as soon as the oldest trial ends, the others shown as Running without objective', async () => {
    const seen: SuggestRequest[] = [];
    await runStudy({ algorithm: spy(seen), fn: branin, trials: 6, seed: 1, parallel: 4, schedule: 'async' });
    expect(seen.map(shape).map((s) => [s.count, s.states])).toEqual([
      [4, ''],
      [1, 'SRRR'],
      [1, 'SSRRR'],
    ]);
    expect(seen[1]!.trials[1]).not.toHaveProperty('objective');
  });

  it('best-so-far curves never increase and start at the first value', async () => {
    const run = await runStudy({ algorithm: new RandomSearch(), fn: branin, trials: 30, seed: 3 });
    expect(run.curve).toHaveLength(30);
    for (let i = 1; i < run.curve.length; i++) expect(run.curve[i]!).toBeLessThanOrEqual(run.curve[i - 1]!);
    expect(run.coincidences).toBe(0);
  });

  it('counts coincident proposals within a batch and against trials in flight', async () => {
    const same: SearchAlgorithm = {
      name: 'same',
      validate: () => [],
      suggest: (req) => ({ suggestions: Array.from({ length: req.count }, () => ({ params: { x0: 1, x1: 2 } })) }),
    };
    // 3 suggestions that are one point: 3 pairs per batch, 2 batches.
    expect((await runStudy({ algorithm: same, fn: branin, trials: 6, seed: 1, parallel: 3 })).coincidences).toBe(6);
    const space = [{ name: 'x0', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } }] as const;
    expect(
      countCoincidences(
        space,
        [{ params: { x0: 0.5 } }],
        [{ name: 't', params: { x0: 0.5 + 1e-7 }, state: 'Running' }],
      ),
    ).toBe(0);
  });

  it('stops and reports a validate objection', async () => {
    const picky: SearchAlgorithm = {
      name: 'picky',
      validate: () => [{ path: 'x', message: 'no' }],
      suggest: () => ({ suggestions: [] }),
    };
    await expect(runStudy({ algorithm: picky, fn: branin, trials: 2, seed: 1 })).rejects.toThrow(/validate: x: no/);
  });
});
