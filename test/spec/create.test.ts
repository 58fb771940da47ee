import { describe, expect, it } from 'vitest';
import { buildManifest, search } from '../../src/spec/create.ts';
import { toSearchSpace } from '../../src/spec/searchSpace.ts';
import type { ParameterSpec } from '../../src/spec/types.ts';
import { validateExperiment } from '../../src/spec/validate.ts';
import { lines, options } from './helpers.ts';

describe('search helpers', () => {
  it('build Katib ParameterSpecs with string bounds', () => {
    expect(search.double('lr', 1e-4, 0.1, { log: true })).toEqual({
      name: 'lr',
      parameterType: 'double',
      feasibleSpace: { min: '0.0001', max: '0.1', distribution: 'logUniform' },
    });
    expect(search.int('layers', 1, 8, { step: 2, distribution: 'normal' })).toEqual({
      name: 'layers',
      parameterType: 'int',
      feasibleSpace: { min: '1', max: '8', step: '2', distribution: 'normal' },
    });
    expect(search.categorical('opt', ['sgd', 'adam', true])).toEqual({
      name: 'opt',
      parameterType: 'categorical',
      feasibleSpace: { list: ['sgd', 'adam', 'true'] },
    });
    expect(search.discrete('bs', [16, 32])).toEqual({
      name: 'bs',
      parameterType: 'discrete',
      feasibleSpace: { list: ['16', '32'] },
    });
  });
});

describe('buildManifest', () => {
  const options_ = {
    name: 'svc',
    objective: { type: 'maximize', objectiveMetricName: 'accuracy', goal: 0.99 },
    algorithm: { algorithmName: 'tpe', algorithmSettings: { gamma: 0.25, n_EI_candidates: 24 } },
    parameters: [search.double('C', 1e-3, 1e3, { log: true }), search.categorical('kernel', ['rbf', 'linear'])],
    maxTrialCount: 50,
    parallelTrialCount: 2,
  } as const;

  it('builds a complete manifest that validates for an in-process objective', () => {
    const m = buildManifest({
      ...options_,
      objective: { ...options_.objective },
      parameters: [...options_.parameters],
    });
    expect(m.apiVersion).toBe('kubeflow.org/v1beta1');
    expect(m.kind).toBe('Experiment');
    expect(m.metadata).toEqual({ name: 'svc' });
    expect(m.spec.algorithm?.algorithmSettings).toEqual([
      { name: 'gamma', value: '0.25' },
      { name: 'n_EI_candidates', value: '24' },
    ]);
    expect(m.spec).not.toHaveProperty('trialTemplate');
    expect(lines(validateExperiment(m, { ...options, inProcess: true }))).toEqual([]);
    expect(lines(validateExperiment(m, options))).toEqual([
      'spec.trialTemplate: trialTemplate is required (Katib: Required value).',
    ]);
  });

  it('accepts settings as name/value pairs and keeps optional fields', () => {
    const m = buildManifest({
      ...options_,
      objective: { ...options_.objective },
      parameters: [...options_.parameters],
      namespace: 'team',
      algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'random_state', value: '3' }] },
      earlyStopping: { algorithmName: 'medianstop', algorithmSettings: { start_step: 2 } },
      maxFailedTrialCount: 3,
      resumePolicy: 'LongRunning',
      metricsCollectorSpec: { collector: { kind: 'Push' } },
    });
    expect(m.metadata.namespace).toBe('team');
    expect(m.spec.earlyStopping).toEqual({
      algorithmName: 'medianstop',
      algorithmSettings: [{ name: 'start_step', value: '2' }],
    });
    expect(m.spec).toMatchObject({ maxFailedTrialCount: 3, resumePolicy: 'LongRunning' });
    expect(lines(validateExperiment(m, { ...options, inProcess: true }))).toEqual([]);
  });
});

describe('toSearchSpace', () => {
  it.each<[ParameterSpec, unknown]>([
    [
      { name: 'a', parameterType: 'double', feasibleSpace: { min: '0.1', max: '1', distribution: 'logUniform' } },
      { kind: 'double', min: 0.1, max: 1, scale: 'logUniform' },
    ],
    [
      { name: 'a', parameterType: 'double', feasibleSpace: { min: '0', max: '1', step: '0.25' } },
      { kind: 'double', min: 0, max: 1, step: 0.25, scale: 'uniform' },
    ],
    [
      { name: 'a', parameterType: 'int', feasibleSpace: { min: '1', max: '9', distribution: 'normal' } },
      { kind: 'int', min: 1, max: 9, step: 1, scale: 'normal' },
    ],
    [
      { name: 'a', parameterType: 'int', feasibleSpace: { min: '10', max: '50', step: '10', distribution: 'unknown' } },
      { kind: 'int', min: 10, max: 50, step: 10, scale: 'uniform' },
    ],
    [
      { name: 'a', parameterType: 'discrete', feasibleSpace: { list: ['1', '2.5'] } },
      { kind: 'discrete', values: [1, 2.5] },
    ],
    [
      { name: 'a', parameterType: 'categorical', feasibleSpace: { list: ['x', '2'] } },
      { kind: 'categorical', values: ['x', '2'] },
    ],
  ])('%j', (param, domain) => {
    expect(toSearchSpace([param])).toEqual([{ name: 'a', domain }]);
  });
});
