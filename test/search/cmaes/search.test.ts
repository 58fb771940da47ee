import { describe, expect, it } from 'vitest';
import { assignmentKey } from '../../../src/search/assignment.ts';
import { CmaesSearch, type CmaesState, createCmaes } from '../../../src/search/cmaes/index.ts';
import { contains } from '../../../src/search/distributions.ts';
import type { SearchSpace } from '../../../src/search/space.ts';
import type { SuggestResult } from '../../../src/search/types.ts';
import { makeRequest, runAskTell } from '../../../src/testing/askTell.ts';
import { branin, mixedObjective, mixedSpace } from '../../../src/testing/benchmarks.ts';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Run index, regime and population size of every answer, without repeats. */
function runsOf(results: readonly SuggestResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const { run } = r.state as CmaesState;
    const tag = `${run.index}:${run.regime}:${run.lambda}`;
    if (out.at(-1) !== tag) out.push(tag);
  }
  return out;
}

describe('cmaes search', () => {
  it('finds a minimum of Branin: median regret over 5 seeds after 50 trials below 0.3', async () => {
    const regrets: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const run = await runAskTell({
        algorithm: createCmaes(),
        space: branin.space,
        evaluate: branin.f,
        trials: 50,
        seed,
      });
      regrets.push(run.best! - branin.minimum);
    }
    // Measured: about 0.07; random search needs ~200 trials for this.
    expect(median(regrets)).toBeLessThan(0.3);
  });

  it('keeps every value of a mixed space valid and a batch of 4 distinct, and learns the categorical', async () => {
    const run = await runAskTell({
      algorithm: new CmaesSearch(),
      space: mixedSpace,
      evaluate: mixedObjective,
      trials: 120,
      batch: 4,
      seed: 5,
    });
    for (const result of run.results) {
      expect(result.suggestions).toHaveLength(4);
      const keys = result.suggestions.map((s) => assignmentKey(mixedSpace, s.params));
      expect(new Set(keys).size).toBe(4);
      for (const s of result.suggestions) {
        for (const p of mixedSpace) expect(contains(p.domain, s.params[p.name]!), p.name).toBe(true);
      }
    }
    const last = run.trials.slice(-24);
    expect(last.filter((t) => t.params.optimizer === 'adam').length).toBeGreaterThan(15);
    expect(run.best).toBeLessThan(0.5);
  });

  it('gives the same suggestions for the same seed and history, and takes its stream from random_state', () => {
    const ask = (seed: number, settings = {}) =>
      new CmaesSearch().suggest(makeRequest({ space: mixedSpace, trials: [], count: 4, seed, settings }));
    expect(ask(3)).toEqual(ask(3));
    expect(ask(3).suggestions).not.toEqual(ask(4).suggestions);
    expect(ask(3, { random_state: '8' })).toEqual(ask(4, { random_state: '8' }));
  });

  it.each([
    ['none', ['0:default:4']],
    ['ipop', ['0:default:4', '1:large:8', '2:large:16']],
    ['bipop', ['0:default:4', '1:large:8', '2:small:4']],
  ])('restart_strategy %s: a flat objective triggers TolFun restarts as the strategy says', async (strategy, runs) => {
    const run = await runAskTell({
      algorithm: new CmaesSearch(),
      space: branin.space,
      evaluate: () => 1,
      trials: 300,
      seed: 3,
      settings: { restart_strategy: strategy },
    });
    expect(runsOf(run.results)).toEqual(runs);
  });

  it('restarts a converged run (rounded objective) at a random mean with the initial σ', async () => {
    const run = await runAskTell({
      algorithm: new CmaesSearch(),
      space: branin.space,
      evaluate: (p) => Math.round(branin.f(p) * 100) / 100,
      trials: 260,
      seed: 1,
      settings: { restart_strategy: 'ipop', sigma: '0.2' },
    });
    const states = run.results.map((r) => r.state as CmaesState);
    const restart = states.findIndex((s) => s.run.index === 1);
    expect(restart).toBeGreaterThan(0);
    const before = states[restart - 1]!.run;
    const after = states[restart]!.run;
    expect(before.sigma).toBeLessThan(0.05);
    expect(after.sigma).toBe(0.2);
    expect(after.lambda).toBe(2 * before.lambda);
    expect(after.mean).not.toEqual(before.mean);
    expect(run.results[restart]!.suggestions[0]!.explain?.restartedAfter).toMatch(/^(tolfun|tolx)$/);
  });

  it('searches categorical-only, one-parameter and lattice-only spaces without repeating needlessly', async () => {
    const lattice: SearchSpace = [
      { name: 'i', domain: { kind: 'int', min: 0, max: 6, step: 1, scale: 'uniform' } },
      { name: 'k', domain: { kind: 'discrete', values: [1, 2, 4, 8] } },
    ];
    let distinct = 0;
    for (const seed of [1, 2, 3, 4]) {
      const run = await runAskTell({
        algorithm: new CmaesSearch(),
        space: lattice,
        evaluate: (p) => ((p.i as number) - 2) ** 2 + Math.abs((p.k as number) - 4),
        trials: 28,
        seed,
      });
      distinct += new Set(run.trials.map((t) => assignmentKey(lattice, t.params))).size;
      expect(run.best).toBe(0);
    }
    // 28 draws over 28 points, 4 seeds: measured 66 distinct with redraws of repeats, 40 without.
    expect(distinct).toBeGreaterThan(52);
    const cats: SearchSpace = [{ name: 'c', domain: { kind: 'categorical', values: ['a', 'b', 'c'] } }];
    const catRun = await runAskTell({
      algorithm: new CmaesSearch(),
      space: cats,
      evaluate: (p) => (p.c === 'b' ? 0 : 1),
      trials: 40,
      seed: 1,
    });
    expect(catRun.trials.slice(-12).filter((t) => t.params.c === 'b').length).toBeGreaterThan(7);
  });

  it('handles more parameters than the Sobol tables cover (pseudo-random normals)', () => {
    const wide: SearchSpace = Array.from({ length: 260 }, (_, i) => ({
      name: `x${i}`,
      domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' },
    }));
    const result = new CmaesSearch().suggest(makeRequest({ space: wide, trials: [], count: 2 }));
    expect(result.suggestions).toHaveLength(2);
    expect(result.suggestions[0]!.params).not.toEqual(result.suggestions[1]!.params);
  });
});
