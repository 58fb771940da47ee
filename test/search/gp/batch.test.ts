import { describe, expect, it } from 'vitest';
import { batchRole } from '../../../src/search/gp/batch.ts';
import { BayesianOptimization } from '../../../src/search/gp/index.ts';
import { SobolSearch } from '../../../src/search/sobol.ts';
import { makeRequest, makeTrial, runAskTell } from '../../../src/testing/askTell.ts';
import { branin, sphere } from '../../../src/testing/benchmarks.ts';

describe('batchRole: what each GP proposal of a batch does', () => {
  it.each([
    // index, in flight, parallelTrialCount, role
    [12, 0, 4, 'explore'], // the first member of a synchronous batch: the sequential rule
    [13, 1, 4, 'refine'], // the second refines the incumbent
    [14, 2, 4, 'local'],
    [15, 3, 4, 'local'],
    [16, 3, 4, 'explore'], // one-at-a-time refills: trial 4k explores, 4k + 1 refines, even with others running
    [17, 3, 4, 'refine'],
    [17, 0, 4, 'explore'], // nothing in flight: the sequential rule
    [17, 5, 1, 'explore'], // sequential experiments
    [22, 2, 3, 'refine'],
    [23, 2, 3, 'local'],
  ] as const)('trial %i with %i in flight and parallelTrialCount %i: %s', (index, inFlight, parallel, role) => {
    expect(batchRole(index, inFlight, parallel)).toBe(role);
  });
});

describe('bayesianoptimization: the refining member of a batch', () => {
  it.each([
    ['branin', branin, 28],
    ['sphere', sphere, 24],
  ] as const)('on %s it minimises the posterior mean: no other member is predicted as low', async (_, fn, n) => {
    const run = await runAskTell({ algorithm: new SobolSearch(), space: fn.space, evaluate: fn.f, trials: n });
    const batch = new BayesianOptimization().suggest(
      makeRequest({ space: fn.space, trials: [...run.trials], count: 4, parallelTrialCount: 4 }),
    );
    const explains = batch.suggestions.map((s) => s.explain as { predictedMean: number; acquisition: string });
    expect(explains.map((e) => e.acquisition)[1]).toBe('mean');
    expect(batch.suggestions[1]!.explain).toMatchObject({ region: 'local', batchRole: 'refine' });
    const refined = explains[1]!.predictedMean;
    for (const [i, e] of explains.entries()) if (i !== 1) expect(refined).toBeLessThan(e.predictedMean);
    // It predicts an improvement on the best observation, as a sequential search's last steps do.
    expect(refined).toBeLessThan(Math.min(...run.trials.map((t) => t.objective!)));
  });

  it('refilling one slot at a time, trial 4k + 1 refines whatever is running', async () => {
    const run = await runAskTell({ algorithm: new SobolSearch(), space: branin.space, evaluate: branin.f, trials: 21 });
    const trials = run.trials.map((t, i) => (i < 18 ? t : makeTrial(i, t.params, 'Running')));
    const out = new BayesianOptimization().suggest(
      makeRequest({ space: branin.space, trials, count: 1, parallelTrialCount: 4 }),
    );
    expect(out.suggestions[0]!.explain).toMatchObject({ batchRole: 'refine', acquisition: 'mean', liar: 3 });
  });
});
