import { describe, expect, it } from 'vitest';
import { dtlz2, zdt1 } from '../../../bench/multiobjective/problems.ts';
import { hypervolumeAt, runStudy } from '../../../bench/multiobjective/study.ts';
import { createNsga2, Nsga2Search } from '../../../src/search/nsga2/index.ts';
import { RandomSearch } from '../../../src/search/random.ts';
import type { ObjectiveSpec, TrialView } from '../../../src/search/types.ts';
import { makeRequest, makeTrial } from '../../../src/testing/askTell.ts';

const objectives: ObjectiveSpec[] = [
  { type: 'minimize', metricName: 'f1' },
  { type: 'minimize', metricName: 'f2' },
];

/** A finished history of `n` ZDT1 trials drawn at random. */
function history(n: number): TrialView[] {
  const random = new RandomSearch().suggest(makeRequest({ space: zdt1.space, trials: [], count: n, seed: 5 }));
  return random.suggestions.map((s, i) => {
    const values = zdt1.evaluate(s.params);
    return makeTrial(i, s.params, 'Succeeded', values[0], values);
  });
}

describe('nsga2', () => {
  it('declares several objectives and validates its settings with paths', () => {
    const nsga2 = new Nsga2Search();
    expect(nsga2.capabilities.multiObjective).toBe(true);
    const ctx = { space: zdt1.space, objective: objectives[0]!, parallelTrialCount: 1 };
    expect(nsga2.validate({ population_size: '30', crossover_probability: '1', mutation_eta: '15' }, ctx)).toEqual([]);
    const issues = nsga2.validate({ population_size: '1', crossover_probability: '1.5', popsize: '3' }, ctx);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.algorithm.algorithmSettings[0].value: setting population_size of algorithm nsga2 must be an integer >= 2 and <= 10000, got "1"',
      'spec.algorithm.algorithmSettings[1].value: setting crossover_probability of algorithm nsga2 must be a number >= 0 and <= 1, got "1.5"',
      'spec.algorithm.algorithmSettings[2].name: unknown setting popsize for algorithm nsga2',
    ]);
  });

  it('draws generation 0 at random and breeds later generations from finished trials only', async () => {
    const trials = history(10);
    // Trials 0–3 failed or are unfinished: they must never be parents.
    const states = ['Failed', 'Running', 'Pending', 'MetricsUnavailable'] as const;
    // They keep their values, as a trial that reported and then failed would: the state alone must bar them.
    const mixed = trials.map((t, i) => (i < 4 ? { ...t, state: states[i]! } : t));
    const settings = { population_size: '5' };
    const first = new Nsga2Search().suggest(
      makeRequest({ space: zdt1.space, trials: [], count: 5, settings, objectives }),
    );
    for (const s of first.suggestions) expect(s.explain).toMatchObject({ phase: 'random', generation: 0 });
    const bred = new Nsga2Search().suggest(
      makeRequest({ space: zdt1.space, trials: mixed, count: 5, settings, objectives }),
    );
    expect(bred.suggestions).toHaveLength(5);
    const barred = new Set(mixed.slice(0, 4).map((t) => t.name));
    for (const s of bred.suggestions) {
      expect(s.explain).toMatchObject({ phase: 'offspring', generation: 2 });
      for (const parent of (s.explain as { parents: string[] }).parents) expect(barred.has(parent)).toBe(false);
    }
  });

  it('gives the same trials whatever the batch size, and the same for a seed', async () => {
    const settings = { population_size: '8' };
    const run = (batch: number, seed: number) =>
      runStudy({ algorithm: createNsga2, problem: zdt1, trials: 40, seed, settings, batch });
    const one = await run(1, 3);
    expect(await run(4, 3)).toEqual(one);
    expect(await run(8, 3)).toEqual(one);
    expect(await run(1, 4)).not.toEqual(one);
  });

  it('beats random search on ZDT1 (2 objectives) and DTLZ2 (3 objectives, NSGA-III niching)', async () => {
    for (const [problem, trials] of [
      [zdt1, 120],
      [dtlz2, 160],
    ] as const) {
      let wins = 0;
      for (const seed of [1, 2, 3, 4, 5]) {
        const ours = await runStudy({ algorithm: createNsga2, problem, trials, seed });
        const random = await runStudy({ algorithm: () => new RandomSearch(), problem, trials, seed });
        if (hypervolumeAt(ours, trials, problem) > hypervolumeAt(random, trials, problem)) wins++;
      }
      expect(wins, problem.name).toBeGreaterThanOrEqual(4);
    }
  }, 60_000);
});
