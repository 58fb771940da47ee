import { describe, expect, it } from 'vitest';
import { readExperiment, toParameterSpec } from '../../../src/platform/grpc/experiment.ts';
import type {
  DistributionName,
  ExperimentMessage,
  ParameterSpecMessage,
  ParameterTypeName,
} from '../../../src/platform/grpc/messages.ts';

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
    },
  };

  it('builds the space, objective and context; 0 counts mean unset; a later setting wins', () => {
    const { view, issues } = readExperiment(base);
    expect(issues).toEqual([]);
    expect(view.space).toEqual([{ name: 'p', domain: { kind: 'double', min: 0.1, max: 1, scale: 'logUniform' } }]);
    expect(view.objective).toEqual({ type: 'maximize', metricName: 'acc' });
    expect(view.context).not.toHaveProperty('maxTrialCount');
    expect(view.context.parallelTrialCount).toBe(3);
    expect(view.settings).toEqual({ random_state: '2' });
  });

  it('reports a missing objective and an empty space with YAML paths', () => {
    const { issues } = readExperiment({
      name: 'exp',
      spec: { ...(base.spec as NonNullable<ExperimentMessage['spec']>), parameter_specs: null, objective: null },
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      'spec.objective.objectiveMetricName',
      'spec.objective.type',
      'spec.parameters',
    ]);
  });
});
