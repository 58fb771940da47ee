import { describe, expect, it } from 'vitest';
import { capabilityIssues, multiObjectiveAlgorithms, pairedEarlyStopping } from '../../src/experiment/capabilities.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import { checkExperiment } from '../../src/experiment/prepare.ts';
import { AshaStopper } from '../../src/search/asha/stopper.ts';
import type { ValidationContext } from '../../src/search/types.ts';
import { configOf } from '../../src/spec/config.ts';
import { buildManifest, search } from '../../src/spec/create.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest, sequenceExperiment } from '../helpers.ts';

const pairedModule = new URL('../fixtures/algorithms/paired.ts', import.meta.url).href;
const enasFile = new URL('../fixtures/spec/katib/nas__enas-cpu.yaml', import.meta.url);

/** The config of a small experiment; `objectives` replaces Katib's single one (several are not writable yet). */
function config(objectives = 1) {
  const base = configOf(buildManifest(sequenceExperiment('caps')));
  const more = Array.from({ length: objectives - 1 }, (_, i) => ({
    type: 'maximize' as const,
    metricName: `m${i + 2}`,
  }));
  return { ...base, objectives: [...base.objectives, ...more] };
}

const ctx: ValidationContext = {
  space: [{ name: 'x', domain: { kind: 'int', min: 0, max: 9, step: 1, scale: 'uniform' } }],
  objective: { type: 'minimize', metricName: 'loss' },
  parallelTrialCount: 1,
};

describe('capabilityIssues', () => {
  it('refuses several objectives for an algorithm without multiObjective, saying which and what to do', () => {
    expect(capabilityIssues(config(1), {})).toEqual([]);
    expect(capabilityIssues(config(2), { multiObjective: true })).toEqual([]);
    expect(capabilityIssues(config(2), {})).toEqual([
      {
        path: 'spec.algorithm.algorithmName',
        message: 'sequence optimises one objective; this experiment has 2 (loss, m2).',
        fix: expect.stringContaining('built-in: bayesianoptimization, grid, nsga2, random, sobol, tpe'),
      },
    ]);
    expect(multiObjectiveAlgorithms()).toEqual(expect.arrayContaining(['grid', 'random', 'sobol']));
    expect(multiObjectiveAlgorithms()).not.toContain('cmaes');
  });

  it('refuses a manifest with additionalObjectives for cmaes before anything runs, naming the ones that can', async () => {
    const m = buildManifest({
      ...sequenceExperiment('two'),
      objective: {
        type: 'minimize',
        objectiveMetricName: 'loss',
        additionalObjectives: [{ type: 'minimize', objectiveMetricName: 'latency_ms' }],
      },
      algorithm: { algorithmName: 'cmaes' },
    });
    const issues = await checkExperiment(m, { inProcess: true });
    const hit = issues.find((i) => i.path === 'spec.algorithm.algorithmName');
    expect(hit?.message).toContain('cmaes optimises one objective; this experiment has 2 (loss, latency_ms)');
    expect(hit?.fix).toContain('random');
  });

  it('refuses a nasConfig for an algorithm without nas', () => {
    const manifest = loadExperimentFile(enasFile.pathname)[0]!;
    const nas = { ...configOf(manifest), algorithm: { name: 'random', settings: {} } };
    expect(capabilityIssues(nas, { nas: true })).toEqual([]);
    expect(capabilityIssues(nas, {}).map((i) => [i.path, i.message])).toEqual([
      ['spec.algorithm.algorithmName', 'random does not search neural architectures, so it cannot use spec.nasConfig.'],
    ]);
  });
});

describe('pairedEarlyStopping', () => {
  it('gives the named built-in rule fed the algorithm settings, and nothing without a pairing', () => {
    expect(pairedEarlyStopping({}, { settings: {}, ctx, builtin: true })).toEqual({ issues: [] });
    const { rule, issues } = pairedEarlyStopping(
      { earlyStopping: 'asha' },
      { settings: { eta: '2' }, ctx, builtin: true },
    );
    expect(issues).toEqual([]);
    expect(rule?.algorithm).toBeInstanceOf(AshaStopper);
    expect(rule?.settings).toEqual({ eta: '2' });
  });

  it('checks a user algorithm’s settings with the paired rule, under spec.algorithm', () => {
    const { issues } = pairedEarlyStopping({ earlyStopping: 'asha' }, { settings: { eta: '1' }, ctx, builtin: false });
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.path.startsWith('spec.algorithm.'))).toBe(true);
  });

  it('refuses a pairing with an unknown rule (no prototype names either)', () => {
    for (const name of ['nope', 'toString']) {
      const { rule, issues } = pairedEarlyStopping({ earlyStopping: name }, { settings: {}, ctx, builtin: false });
      expect(rule).toBeUndefined();
      expect(issues[0]).toMatchObject({ path: 'spec.algorithm.algorithmName', message: expect.stringContaining(name) });
    }
  });
});

describe('capabilities in a run', () => {
  let store: Store;
  freshStorePerTest((s) => {
    store = s;
  });

  it('refuses a nasConfig with random search (hpo validate and run)', async () => {
    const manifest = loadExperimentFile(enasFile.pathname)[0]!;
    const random = { ...manifest, spec: { ...manifest.spec, algorithm: { algorithmName: 'random' } } };
    expect(await checkExperiment(random)).toMatchObject([
      { path: 'spec.algorithm.algorithmName', message: expect.stringContaining('nasConfig') },
    ]);
  });

  it('a user algorithm’s pairing crosses its worker: ASHA’s rung rule stops the worse of two trials', async () => {
    const exp = Experiment.create({
      name: 'paired',
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: {
        algorithmName: 'paired',
        algorithmSettings: { module: pairedModule, eta: '2', min_resource: '1', max_resource: '4' },
      },
      parameters: [search.int('x', 0, 9)],
      maxTrialCount: 2,
      parallelTrialCount: 1,
      store,
    });
    const epochs: number[] = [];
    const result = await exp.optimize(async (p, report) => {
      let e = 1;
      // x = 0 is good, x = 1 worse at every step: at rung 1 (eta 2) only the better of the two continues.
      for (; e <= 4; e++) if (report({ loss: Number(p.x) + 1 / e })) break;
      epochs.push(Math.min(e, 4));
    });
    expect(result.trials.map((t) => t.state)).toEqual(['Succeeded', 'EarlyStopped']);
    expect(result.trials[1]?.message).toContain('asha');
    expect(epochs).toEqual([4, 1]);
  });
});
