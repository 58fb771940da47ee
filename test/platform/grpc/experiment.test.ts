import { describe, expect, it } from 'vitest';
import { readExperiment, toManifest, toParameterSpec } from '../../../src/platform/grpc/experiment.ts';
import type {
  DistributionName,
  ExperimentMessage,
  ParameterSpecMessage,
  ParameterTypeName,
} from '../../../src/platform/grpc/messages.ts';
import { encodeState } from '../../../src/platform/grpc/state.ts';
import { parseExperiment } from '../../../src/spec/config.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';

function spec(
  type: ParameterTypeName,
  fs: { min?: string; max?: string; step?: string; list?: string[]; distribution?: DistributionName },
): ParameterSpecMessage {
  return {
    name: 'p',
    parameter_type: type,
    feasible_space: {
      min: fs.min ?? '',
      max: fs.max ?? '',
      step: fs.step ?? '',
      list: fs.list ?? [],
      distribution: fs.distribution ?? 'DISTRIBUTION_UNSPECIFIED',
    },
  };
}

describe('toParameterSpec', () => {
  it.each([
    [spec('DOUBLE', { min: '0.1', max: '1' }), { parameterType: 'double', feasibleSpace: { min: '0.1', max: '1' } }],
    [
      spec('DOUBLE', { min: '0.1', max: '1', step: '0.1', distribution: 'LOG_UNIFORM' }),
      { parameterType: 'double', feasibleSpace: { min: '0.1', max: '1', step: '0.1', distribution: 'logUniform' } },
    ],
    [
      spec('INT', { min: '1', max: '9', distribution: 'NORMAL' }),
      { parameterType: 'int', feasibleSpace: { min: '1', max: '9', distribution: 'normal' } },
    ],
    [
      spec('INT', { min: '1', max: '9', distribution: 'LOG_NORMAL' }),
      { parameterType: 'int', feasibleSpace: { min: '1', max: '9', distribution: 'logNormal' } },
    ],
    [
      spec('DOUBLE', { min: '0', max: '1', distribution: 'UNIFORM' }),
      { parameterType: 'double', feasibleSpace: { min: '0', max: '1', distribution: 'uniform' } },
    ],
    [spec('DISCRETE', { list: ['1', '2'] }), { parameterType: 'discrete', feasibleSpace: { list: ['1', '2'] } }],
    [spec('CATEGORICAL', { list: ['a'] }), { parameterType: 'categorical', feasibleSpace: { list: ['a'] } }],
    [spec('UNKNOWN_TYPE', { list: ['a'] }), { parameterType: 'unknown', feasibleSpace: { list: ['a'] } }],
  ])('maps %j to the YAML form', (message, expected) => {
    expect(toParameterSpec(message)).toEqual({ name: 'p', ...expected });
  });
});

describe('readExperiment', () => {
  const base: ExperimentMessage = {
    name: 'exp',
    spec: {
      parameter_specs: { parameters: [spec('DOUBLE', { min: '0.1', max: '1', distribution: 'LOG_UNIFORM' })] },
      objective: { type: 'MAXIMIZE', goal: 0, objective_metric_name: 'acc', additional_metric_names: [] },
      algorithm: {
        algorithm_name: 'random',
        algorithm_settings: [
          { name: 'random_state', value: '1' },
          { name: 'random_state', value: '2' },
        ],
      },
      early_stopping: null,
      parallel_trial_count: 0,
      max_trial_count: 0,
      nas_config: null,
    },
  };

  const served = { algorithms: new Set(['random']) };

  it('builds the space, objective and budget; 0 counts mean unset; a later setting wins', () => {
    const { experiment, issues } = readExperiment(base, served);
    expect(issues).toEqual([]);
    const config = experiment!.config;
    expect(config.space).toEqual([{ name: 'p', domain: { kind: 'double', min: 0.1, max: 1, scale: 'logUniform' } }]);
    expect(config.objectives[0]).toEqual({ type: 'maximize', metricName: 'acc' });
    expect(config.budget).not.toHaveProperty('maxTrialCount');
    expect(config.budget.parallelTrialCount).toBe(3);
    expect(config.algorithm.settings).toEqual({ random_state: '2' });
  });

  it('reports a missing objective and an empty space with YAML paths', () => {
    const { experiment, issues } = readExperiment(
      {
        name: 'exp',
        spec: { ...(base.spec as NonNullable<ExperimentMessage['spec']>), parameter_specs: null, objective: null },
      },
      served,
    );
    expect(experiment).toBeUndefined();
    expect(issues.map((i) => i.path).sort()).toEqual([
      'spec.objective.objectiveMetricName',
      'spec.objective.type',
      'spec.parameters',
    ]);
  });

  it('takes the server state out of the settings; the seed policy reads what is left', () => {
    const state = encodeState({ version: 1, algorithm: 'random', issued: [{ n: 'exp-a', v: ['0.5'] }] });
    const spec = base.spec as NonNullable<ExperimentMessage['spec']>;
    const message: ExperimentMessage = {
      ...base,
      spec: {
        ...spec,
        algorithm: { algorithm_name: 'random', algorithm_settings: [{ name: 'hpo_state', value: state }] },
      },
    };
    const { experiment } = readExperiment(message, served);
    expect(experiment!.state).toEqual({ version: 1, algorithm: 'random', issued: [{ n: 'exp-a', v: ['0.5'] }] });
    expect(experiment!.config.algorithm.settings).toEqual({});
    expect(experiment!.config.seed).toEqual({ kind: 'drawn' });
  });

  it('runs the checks hpo validate runs: the objective in additionalMetricNames, a bad name', () => {
    const spec = base.spec as NonNullable<ExperimentMessage['spec']>;
    const { experiment, issues } = readExperiment(
      {
        name: 'Exp_1',
        spec: { ...spec, objective: { ...spec.objective!, additional_metric_names: ['loss', 'acc', 'loss'] } },
      },
      served,
    );
    expect(experiment).toBeUndefined();
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/^metadata\.name: name "Exp_1" must consist of lower case/),
      'spec.objective.additionalMetricNames[1]: additionalMetricNames should not contain spec.objective.objectiveMetricName ("acc").',
      'spec.objective.additionalMetricNames[2]: metric "loss" is listed twice.',
    ]);
  });
});

describe('toManifest', () => {
  const message: ExperimentMessage = {
    name: 'exp',
    spec: {
      parameter_specs: { parameters: [spec('INT', { min: '1', max: '9', step: '2' })] },
      objective: { type: 'MINIMIZE', goal: 0.05, objective_metric_name: 'loss', additional_metric_names: ['acc'] },
      algorithm: { algorithm_name: 'tpe', algorithm_settings: [{ name: 'gamma', value: '0.3' }] },
      early_stopping: { algorithm_name: 'medianstop', algorithm_settings: [{ name: 'start_step', value: '4' }] },
      parallel_trial_count: 2,
      max_trial_count: 10,
      nas_config: null,
    },
  };

  /** The Experiment YAML Katib's controller built `message` from. */
  const yaml: ExperimentManifest = {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'exp' },
    spec: {
      parameters: [{ name: 'p', parameterType: 'int', feasibleSpace: { min: '1', max: '9', step: '2' } }],
      objective: { type: 'minimize', goal: 0.05, objectiveMetricName: 'loss', additionalMetricNames: ['acc'] },
      algorithm: { algorithmName: 'tpe', algorithmSettings: [{ name: 'gamma', value: '0.3' }] },
      earlyStopping: { algorithmName: 'medianstop', algorithmSettings: [{ name: 'start_step', value: '4' }] },
      parallelTrialCount: 2,
      maxTrialCount: 10,
    },
  };

  it('writes each field of the message where the YAML has it', () => {
    expect(toManifest(message, { gamma: '0.3' })).toEqual(yaml);
  });

  it('reads proto3 zeros and empty messages as unset', () => {
    const spec = message.spec!;
    const m = toManifest(
      {
        ...message,
        spec: {
          ...spec,
          objective: { ...spec.objective!, goal: 0, additional_metric_names: [] },
          early_stopping: { algorithm_name: '', algorithm_settings: [] },
          parallel_trial_count: 0,
          max_trial_count: 0,
          nas_config: null,
        },
      },
      {},
    );
    expect(m.spec.objective).toEqual({ type: 'minimize', objectiveMetricName: 'loss' });
    expect(m.spec).not.toHaveProperty('earlyStopping');
    expect(m.spec).not.toHaveProperty('parallelTrialCount');
    expect(m.spec).not.toHaveProperty('maxTrialCount');
  });

  it('keeps additional metrics; each metric takes the strategy the same YAML without metricStrategies gets', () => {
    const { experiment } = readExperiment(message, { algorithms: new Set(['tpe']) });
    const config = experiment!.config;
    expect(config.metricNames).toEqual(['loss', 'acc']);
    // Katib's message has no metric strategies: Katib applies them before it sends observations.
    expect(config.metricStrategies).toEqual({ loss: 'min', acc: 'min' });
    const fromYamlFile = parseExperiment(yaml, {
      algorithms: new Set(['tpe']),
      earlyStopping: new Set(['medianstop']),
      inProcess: true,
    }).config!;
    const { manifest: _a, ...fromService } = config;
    const { manifest: _b, ...fromYaml } = fromYamlFile;
    expect(fromService).toEqual(fromYaml);
  });
});
