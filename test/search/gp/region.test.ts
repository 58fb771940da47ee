import { describe, expect, it } from 'vitest';
import { SpaceEncoder } from '../../../src/search/gp/encode.ts';
import { BayesianOptimization } from '../../../src/search/gp/index.ts';
import type { Hyper } from '../../../src/search/gp/kernel.ts';
import { GpModel } from '../../../src/search/gp/model.ts';
import { sweepCandidates } from '../../../src/search/gp/optimize.ts';
import { searchRegion } from '../../../src/search/region.ts';
import { Rng } from '../../../src/search/rng.ts';
import { SobolSearch } from '../../../src/search/sobol.ts';
import { makeRequest, makeTrial, runAskTell } from '../../../src/testing/askTell.ts';
import { branin } from '../../../src/testing/benchmarks.ts';

describe('searchRegion: where a GP proposal looks', () => {
  it.each([
    // index, fantasies, parallelTrialCount, region
    [12, 0, 4, 'global'], // nothing in flight: the whole cube, as a sequential search
    [13, 1, 4, 'local'], // later members of a batch of 4
    [15, 3, 4, 'local'],
    [16, 3, 4, 'global'], // one trial in every parallelTrialCount looks everywhere, even with others running
    [17, 5, 1, 'global'], // sequential experiments never restrict the search
    [21, 2, 3, 'global'],
    [22, 2, 3, 'local'],
  ] as const)('trial %i with %i fantasies and parallelTrialCount %i: %s', (index, fantasies, parallel, region) => {
    expect(searchRegion(index, fantasies, parallel)).toBe(region);
  });
});

describe('a local sweep', () => {
  const encoder = new SpaceEncoder(branin.space);
  const hyper: Hyper = { logLength: [Math.log(0.02), Math.log(0.02)], logSignal: 0, logNoise: Math.log(1e-6) };
  const rng = new Rng(3);
  const n = 20;
  const X = Float64Array.from({ length: n * 2 }, () => rng.next());
  const y = Float64Array.from({ length: n }, (_, i) => X[2 * i]! + X[2 * i + 1]!);
  const model = GpModel.fit(X, y, n, 2, hyper);
  const incumbent = Float64Array.from([0.2, 0.7]);
  const farthest = (localOnly: boolean): number => {
    const sweep = sweepCandidates(model, encoder, { seed: 9, size: 512, incumbents: [incumbent], localOnly });
    let far = 0;
    for (let c = 0; c < sweep.size; c++) {
      const d = Math.max(
        Math.abs(sweep.points[2 * c]! - incumbent[0]!),
        Math.abs(sweep.points[2 * c + 1]! - incumbent[1]!),
      );
      far = Math.max(far, d);
    }
    return far;
  };

  it('holds only perturbations of the incumbents (at most 0.3 length scales wide), no points across the cube', () => {
    // The widest perturbation has a standard deviation of 0.3 × 0.02: eight of them bound every draw of 512.
    expect(farthest(true)).toBeLessThan(8 * 0.3 * 0.02);
    expect(farthest(false)).toBeGreaterThan(0.5);
  });
});

describe('bayesianoptimization batch regions', () => {
  it('the first member of a batch searches everywhere, the later ones near the best observations', async () => {
    const run = await runAskTell({ algorithm: new SobolSearch(), space: branin.space, evaluate: branin.f, trials: 16 });
    const trials = [...run.trials];
    const bo = new BayesianOptimization();
    const batch = bo.suggest(makeRequest({ space: branin.space, trials, count: 4, parallelTrialCount: 4 }));
    expect(batch.suggestions.map((s) => s.explain?.region)).toEqual(['global', 'local', 'local', 'local']);
    const sequential = bo.suggest(makeRequest({ space: branin.space, trials, count: 1, parallelTrialCount: 1 }));
    expect(sequential.suggestions[0]!.explain?.region).toBe('global');
    // As the controller asks when a slot frees up: one trial per request, the others still running.
    const running = [...trials, ...[16, 17, 18].map((i) => makeTrial(i, trials[i - 10]!.params, 'Running'))];
    const refill = bo.suggest(makeRequest({ space: branin.space, trials: running, count: 1, parallelTrialCount: 4 }));
    expect(refill.suggestions[0]!.explain).toMatchObject({ region: 'local', liar: 3 });
  });
});
