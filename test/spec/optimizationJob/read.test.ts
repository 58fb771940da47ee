import { describe, expect, it } from 'vitest';
import { parseForThisInstallation } from '../../../src/experiment/prepare.ts';
import { readOptimizationJob } from '../../../src/spec/optimizationJob/read.ts';
import { kepSample, kepSampleFixed } from './fixtures.ts';

function read(doc: Record<string, unknown>) {
  const r = readOptimizationJob(doc);
  if (!r.ok) throw new Error(`unexpected issues: ${JSON.stringify(r.issues)}`);
  return r.experiment;
}

/** The KEP sample with one change made by `edit`. */
function edited(edit: (spec: Record<string, unknown>, doc: Record<string, unknown>) => void): Record<string, unknown> {
  const doc = kepSampleFixed();
  edit(doc.spec as Record<string, unknown>, doc);
  return doc;
}

describe('readOptimizationJob', () => {
  it('reads the KEP sample as the Katib Experiment it means', () => {
    const e = read(kepSampleFixed());
    expect(e.metadata.name).toBe('random-tuning-mvp');
    expect(e.spec.objective).toEqual({ type: 'minimize', objectiveMetricName: 'val_loss' });
    expect(e.spec.algorithm).toEqual({ algorithmName: 'random' });
    expect(e.spec.parameters).toEqual([
      {
        name: 'learning_rate',
        parameterType: 'double',
        feasibleSpace: { min: '0.0001', max: '0.1', distribution: 'logUniform' },
      },
      { name: 'batch_size', parameterType: 'categorical', feasibleSpace: { list: ['16', '32', '64'] } },
    ]);
    expect(e.spec.maxTrialCount).toBe(20);
    expect(e.spec.parallelTrialCount).toBe(4);
    const trial = e.spec.trialTemplate?.trialSpec as { kind: string; spec: { trainer: { env: unknown[] } } };
    expect(trial.kind).toBe('TrainJob');
    // Trainer's controller hands each value to the trial as KUBEFLOW_TRAINER_OPT_<NAME>; locally the env does.
    expect(trial.spec.trainer.env).toEqual([
      { name: 'KUBEFLOW_TRAINER_OPT_LEARNING_RATE', value: '${trialParameters.learning_rate}' },
      { name: 'KUBEFLOW_TRAINER_OPT_BATCH_SIZE', value: '${trialParameters.batch_size}' },
    ]);
  });

  it('gives an Experiment that passes the same parse and rules as hpo run', () => {
    const parsed = parseForThisInstallation(read(kepSampleFixed()));
    expect(parsed.issues.filter((i) => i.severity !== 'warning')).toEqual([]);
  });

  it('applies the CRD defaults: random search, one trial, one at a time', () => {
    const e = read(
      edited((s) => {
        delete s.searchAlgorithm;
        delete s.numTrials;
        delete s.parallelTrials;
      }),
    );
    expect([e.spec.algorithm?.algorithmName, e.spec.maxTrialCount, e.spec.parallelTrialCount]).toEqual([
      'random',
      1,
      1,
    ]);
  });

  it('maps seed to random_state, grid to grid, Int to int, Maximize to maximize', () => {
    const e = read(
      edited((s) => {
        s.searchAlgorithm = { random: { seed: 9 } };
        s.objectives = [{ metric: 'acc', direction: 'Maximize' }];
        s.parameters = [{ name: 'n', searchSpace: { uniform: { min: '1', max: 4, type: 'Int' } } }];
      }),
    );
    expect(e.spec.algorithm).toEqual({
      algorithmName: 'random',
      algorithmSettings: [{ name: 'random_state', value: '9' }],
    });
    expect(e.spec.objective?.type).toBe('maximize');
    expect(e.spec.parameters?.[0]).toEqual({
      name: 'n',
      parameterType: 'int',
      feasibleSpace: { min: '1', max: '4', distribution: 'uniform' },
    });
    const g = read(
      edited((s) => {
        s.searchAlgorithm = { grid: {} };
        s.parameters = [{ name: 'b', searchSpace: { categorical: { choices: ['1', '2'] } } }];
      }),
    );
    expect(g.spec.algorithm?.algorithmName).toBe('grid');
  });

  // [what, the edit, the path the issue must name]
  const hostile: [string, Parameters<typeof edited>[0], string][] = [
    [
      'the KEP sample as published (lower-case enum)',
      (s) => (s.objectives = [{ metric: 'val_loss', direction: 'minimize' }]),
      'spec.objectives[0].direction',
    ],
    ['wrong apiVersion', (_s, d) => (d.apiVersion = 'kubeflow.org/v1beta1'), 'apiVersion'],
    ['trainer.kubeflow.org/v1', (_s, d) => (d.apiVersion = 'trainer.kubeflow.org/v1'), 'apiVersion'],
    ['an unknown spec field', (s) => (s.maxTrialCount = 3), 'spec.maxTrialCount'],
    ['an unknown top-level field', (_s, d) => (d.extra = {}), 'extra'],
    [
      'an unknown range field',
      (s) => (s.parameters = [{ name: 'x', searchSpace: { uniform: { min: '0', max: '1', step: '0.1' } } }]),
      'spec.parameters[0].searchSpace.uniform.step',
    ],
    ['two objectives', (s) => (s.objectives = [{ metric: 'a' }, { metric: 'b' }]), 'spec.objectives'],
    ['no parameters', (s) => (s.parameters = []), 'spec.parameters'],
    [
      'two search spaces',
      (s) =>
        (s.parameters = [
          { name: 'x', searchSpace: { uniform: { min: '0', max: '1' }, categorical: { choices: ['a'] } } },
        ]),
      'spec.parameters[0].searchSpace',
    ],
    [
      'min not below max',
      (s) => (s.parameters = [{ name: 'x', searchSpace: { uniform: { min: '2', max: '1' } } }]),
      'spec.parameters[0].searchSpace.uniform.min',
    ],
    [
      'a logUniform min of 0',
      (s) => (s.parameters = [{ name: 'x', searchSpace: { logUniform: { min: '0', max: '1' } } }]),
      'spec.parameters[0].searchSpace.logUniform.min',
    ],
    [
      'a number the CRD pattern refuses',
      (s) => (s.parameters = [{ name: 'x', searchSpace: { uniform: { min: '.5', max: '1' } } }]),
      'spec.parameters[0].searchSpace.uniform.min',
    ],
    [
      'categorical choices that are numbers',
      (s) => (s.parameters = [{ name: 'x', searchSpace: { categorical: { choices: [1, 2] } } }]),
      'spec.parameters[0].searchSpace.categorical.choices',
    ],
    [
      'two parameters with the same variable',
      (s) =>
        (s.parameters = [
          { name: 'a-b', searchSpace: { categorical: { choices: ['1'] } } },
          { name: 'a_b', searchSpace: { categorical: { choices: ['1'] } } },
        ]),
      'spec.parameters[1].name',
    ],
    [
      'repeated choices',
      (s) => (s.parameters = [{ name: 'x', searchSpace: { categorical: { choices: ['1', '1'] } } }]),
      'spec.parameters[0].searchSpace.categorical.choices',
    ],
    ['grid over a range', (s) => (s.searchAlgorithm = { grid: {} }), 'spec.parameters[0].searchSpace'],
    ['random and grid', (s) => (s.searchAlgorithm = { random: {}, grid: {} }), 'spec.searchAlgorithm'],
    ['a negative seed', (s) => (s.searchAlgorithm = { random: { seed: -1 } }), 'spec.searchAlgorithm.random.seed'],
    ['more than 100 trials', (s) => (s.numTrials = 101), 'spec.numTrials'],
    ['parallelTrials above numTrials', (s) => (s.parallelTrials = 30), 'spec.parallelTrials'],
    [
      'a template with a name',
      (s) => ((s.trainJobTemplate as Record<string, unknown>).metadata = { name: 'x' }),
      'spec.trainJobTemplate.metadata',
    ],
    ['no template', (s) => delete s.trainJobTemplate, 'spec.trainJobTemplate'],
    ['spec a list', (_s, d) => (d.spec = []), 'spec'],
  ];
  it.each(hostile)('refuses %s with its path', (_what, edit, path) => {
    const r = readOptimizationJob(edited(edit));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain(path);
  });

  it('refuses the published KEP sample (status is accepted, the enum is not)', () => {
    const r = readOptimizationJob(kepSample());
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['spec.objectives[0].direction']);
  });
});
