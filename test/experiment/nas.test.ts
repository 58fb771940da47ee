import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { checkExperiment } from '../../src/experiment/prepare.ts';
import { previewTrials } from '../../src/experiment/preview.ts';
import { dartsTrialParameters } from '../../src/search/nas/darts.ts';
import type { EnasState } from '../../src/search/nas/enasSearch.ts';
import { configOf } from '../../src/spec/config.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import type { Store } from '../../src/store/types.ts';
import { resolveAlgorithm } from '../../src/suggestion/registry.ts';
import { freshStorePerTest } from '../helpers.ts';
import { katibExample } from '../search/nas/helpers.ts';

function example(name: string): ExperimentManifest {
  return loadExperimentFile(katibExample(`nas__${name}.yaml`))[0]!;
}

function withSettings(m: ExperimentManifest, settings: { name: string; value: string }[]): ExperimentManifest {
  return { ...m, spec: { ...m.spec, algorithm: { ...m.spec.algorithm!, algorithmSettings: settings } } };
}

describe('hpo validate on NAS Experiments (every check a run makes)', () => {
  it.each(['darts-cpu', 'darts-gpu', 'enas-cpu', 'enas-gpu'])('Katib’s %s example is valid', async (name) => {
    expect(await checkExperiment(example(name))).toEqual([]);
  });

  it('runs the ENAS settings check', async () => {
    const issues = await checkExperiment(withSettings(example('enas-cpu'), [{ name: 'controller_lr', value: '1' }]));
    expect(issues).toMatchObject([
      { path: 'spec.algorithm.algorithmSettings[0].name', message: expect.stringContaining('controller_lr') },
    ]);
  });

  it('runs DARTS’s checks: a bad value is refused, an unknown name passes through', async () => {
    const bad = withSettings(example('darts-cpu'), [
      { name: 'num_epochs', value: '0' },
      { name: 'my_option', value: 'x' },
    ]);
    expect(await checkExperiment(bad)).toMatchObject([{ path: 'spec.algorithm.algorithmSettings[0].value' }]);
  });
});

describe('enas through the local controller', () => {
  let store: Store;
  freshStorePerTest((s) => {
    store = s;
  });

  /** Katib's enas-gpu example (8 layers), small and fast, with `maxTrialCount` trials one at a time. */
  function small(maxTrialCount: number): ExperimentManifest {
    const m = withSettings(example('enas-gpu'), [
      { name: 'controller_hidden_size', value: '8' },
      { name: 'controller_train_steps', value: '3' },
    ]);
    return {
      ...m,
      metadata: { name: 'enas-small' },
      spec: { ...m.spec, maxTrialCount, parallelTrialCount: 1, resumePolicy: 'LongRunning' },
    };
  }

  it('resolves to the built-in controller, and a preview shows Katib’s two parameters', async () => {
    expect(resolveAlgorithm('enas', {}).ref).toEqual({ name: 'enas' });
    const { trials } = await previewTrials(example('enas-gpu'));
    expect(trials.length).toBeGreaterThan(0);
    for (const t of trials) {
      expect(Object.keys(t.params).sort()).toEqual(['architecture', 'nn_config']);
      expect(JSON.parse(String(t.params.architecture))).toHaveLength(8);
    }
  });

  it('trains on each trial, and a resumed run continues the stored controller', async () => {
    // Below the example's goal (0.99) whatever the architecture: the seed is drawn per run, and a goal reached at
    // a random trial would end the experiment early.
    const objective = (params: Record<string, unknown>): number =>
      (JSON.parse(String(params.architecture)) as number[][]).filter((l) => l[0] === 0).length / 100;
    const first = Experiment.fromManifest(small(3), { store });
    const r1 = await first.optimize(async (params) => objective(params));
    expect(r1.trials.map((t) => t.state)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    await first.close();
    const stored = (await store.loadAlgorithmState('enas-small')) as EnasState;
    // The third trial finished after the last suggestion: trained on at the next call.
    expect(stored.trained).toEqual(r1.trials.slice(0, 2).map((t) => t.name));
    expect(stored.adamStep).toBe(6);
    const again = Experiment.fromManifest(small(5), { store });
    const r2 = await again.optimize(async (params) => objective(params), { budget: { maxTrialCount: 5 } });
    expect(r2.trials).toHaveLength(5);
    await again.close();
    const resumed = (await store.loadAlgorithmState('enas-small')) as EnasState;
    expect(resumed.trained).toEqual(r2.trials.slice(0, 4).map((t) => t.name));
    expect(resumed.adamStep).toBe(12);
  });
});

describe('darts through the local controller', () => {
  let store: Store;
  freshStorePerTest((s) => {
    store = s;
  });

  it('a preview (hpo run --dry-run) shows the one trial with Katib’s three parameters', async () => {
    const m = example('darts-gpu');
    const { trials } = await previewTrials(m);
    expect(trials.map((t) => t.params)).toEqual([dartsTrialParameters(configOf(m).nas!, { num_epochs: '3' })]);
  });

  it('runs one trial with exactly those parameters, and the experiment ends after it', async () => {
    const m = example('darts-cpu');
    // A numeric objective: string objectives (Katib's Best-Genotype) come with the DARTS trial example.
    const numeric: ExperimentManifest = {
      ...m,
      spec: { ...m.spec, objective: { type: 'maximize', objectiveMetricName: 'accuracy' }, maxTrialCount: 3 },
    };
    const seen: Record<string, unknown>[] = [];
    const result = await Experiment.fromManifest(numeric, { store }).optimize(async (params) => {
      seen.push({ ...params });
      return 0.5;
    });
    expect(seen).toEqual([dartsTrialParameters(configOf(m).nas!, configOf(m).algorithm.settings)]);
    expect(seen[0]!['search-space']).toBe("['max_pooling_3x3']");
    expect(result.trials.map((t) => t.state)).toEqual(['Succeeded']);
    expect([result.status, result.reason]).toEqual(['Succeeded', 'ExperimentSuggestionEndReached']);
    expect(result.message).toBeTruthy();
  });

  it("takes Katib's text objective: the trial's latest Best-Genotype is its result and the winner's objective", async () => {
    const m = example('darts-cpu');
    expect(m.spec.objective?.objectiveMetricName).toBe('Best-Genotype');
    const genotype = (epoch: number) => `Genotype(normal=[[('max_pooling_3x3', ${epoch})]], normal_concat=range(2, 6))`;
    const exp = Experiment.fromManifest(m, { store });
    const result = await exp.optimize((_params, report) => {
      for (let epoch = 0; epoch < 3; epoch++) report({ 'Best-Genotype': genotype(epoch) });
    });
    await exp.close();
    expect(result.trials.map((t) => [t.state, t.reason])).toEqual([['Succeeded', 'TrialSucceeded']]);
    expect(result.status).toBe('Succeeded');
    // Katib keeps the latest string: the last epoch's genotype.
    expect(result.bestTrial?.objectiveText).toBe(genotype(2));
    expect(result.bestTrial?.objective).toBeNaN();
    const { readWinner } = await import('../../src/experiment/winner.ts');
    expect((await readWinner(store, exp.key))?.objectiveText).toBe(genotype(2));
  });

  it('keeps a text objective MetricsUnavailable for algorithms that rank trials by it', async () => {
    const exp = Experiment.create({
      name: 'text-objective-random',
      objective: { type: 'maximize', objectiveMetricName: 'Best-Genotype' },
      algorithm: { algorithmName: 'random' },
      parameters: [{ name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.1', max: '0.2' } }],
      maxTrialCount: 1,
      parallelTrialCount: 1,
      store,
    });
    const result = await exp.optimize(() => ({ 'Best-Genotype': 'Genotype(normal=[])' }));
    await exp.close();
    expect(result.trials.map((t) => t.state)).toEqual(['MetricsUnavailable']);
    expect(result.trials[0]!.message).toContain('values that are not numbers');
    expect(result.bestTrial).toBeNull();
  });
});
