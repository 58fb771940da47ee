import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configOf, parseExperiment, seedPolicyOf, statelessSeed, suggestRequest } from '../../src/spec/config.ts';
import { loadExperiments } from '../../src/spec/load.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';

const examples = fileURLToPath(new URL('../../../shared/katib/examples/', import.meta.url));
const options = {
  algorithms: new Set([
    'random',
    'grid',
    'tpe',
    'bayesianoptimization',
    'cmaes',
    'hyperband',
    'pbt',
    'sobol',
    'multivariate-tpe',
    'enas',
    'darts',
  ]),
  earlyStopping: new Set(['medianstop']),
};

function manifest(spec: Record<string, unknown>): ExperimentManifest {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'c' },
    spec: {
      objective: { type: 'maximize', objectiveMetricName: 'acc', additionalMetricNames: ['loss'] },
      algorithm: { algorithmName: 'random' },
      parameters: [{ name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.1' } }],
      ...spec,
    },
  } as ExperimentManifest;
}

describe('parseExperiment', () => {
  it("resolves every valid Katib example into one config with Katib's defaults", () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml') && !f.includes('invalid'));
    let parsed = 0;
    for (const f of files) {
      let manifests: ExperimentManifest[] = [];
      try {
        manifests = loadExperiments(readFileSync(`${examples}${f}`, 'utf8'));
      } catch {
        continue; // the trial-template ConfigMap file holds no Experiment
      }
      for (const m of manifests) {
        const { config } = parseExperiment(m, { ...options, configMaps: {} });
        if (!config) continue;
        parsed++;
        expect(config.name).toBe(m.metadata.name);
        expect(config.namespace).toBe(m.metadata.namespace ?? 'default');
        expect(config.objectives).toHaveLength(1);
        expect(config.budget.parallelTrialCount).toBe(m.spec.parallelTrialCount ?? 3);
        expect(config.metricNames[0]).toBe(m.spec.objective!.objectiveMetricName);
      }
    }
    expect(parsed).toBeGreaterThanOrEqual(25);
  });

  it('gives a File collector without a path the default metrics file, and the objective its strategy', () => {
    const { config } = parseExperiment(
      manifest({ metricsCollectorSpec: { collector: { kind: 'File' } }, algorithm: { algorithmName: 'random' } }),
      { ...options, inProcess: true },
    );
    expect(config?.collector).toEqual({ kind: 'File', path: '/var/log/katib/metrics.log', format: 'TEXT' });
    expect(config?.metricStrategies).toEqual({ acc: 'max', loss: 'max' });
  });

  it.each([
    ['null', null],
    ['a list', [1, 2]],
    ['spec: null', { apiVersion: 'kubeflow.org/v1beta1', kind: 'Experiment', metadata: { name: 'x' }, spec: null }],
  ])('reports %s as issues with paths instead of throwing', (_, input) => {
    const { config, issues } = parseExperiment(input, options);
    expect(config).toBeUndefined();
    expect(issues.length).toBeGreaterThan(0);
  });
});

describe('seeds and requests', () => {
  it('one seed rule: a whole random_state is fixed, anything else is drawn (stateless services hash the name)', () => {
    expect(seedPolicyOf({ random_state: '7' })).toEqual({ kind: 'fixed', seed: 7 });
    expect(seedPolicyOf({ random_state: String(2 ** 32 + 5) })).toEqual({ kind: 'fixed', seed: 5 });
    expect(seedPolicyOf({ random_state: '-1' })).toEqual({ kind: 'drawn' });
    expect(seedPolicyOf({})).toEqual({ kind: 'drawn' });
    const a = statelessSeed({ name: 'exp-a', seed: { kind: 'drawn' } });
    expect(statelessSeed({ name: 'exp-a', seed: { kind: 'drawn' } })).toBe(a);
    expect(statelessSeed({ name: 'exp-b', seed: { kind: 'drawn' } })).not.toBe(a);
    expect(statelessSeed({ name: 'exp-a', seed: { kind: 'fixed', seed: 9 } })).toBe(9);
  });

  it('builds the suggestion request from the config', () => {
    const config = configOf(
      manifest({
        maxTrialCount: 12,
        parallelTrialCount: 2,
        algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'random_state', value: '3' }] },
      }),
    );
    expect(suggestRequest(config, { trials: [], count: 2, seed: 3, settings: config.algorithm.settings })).toEqual({
      experiment: 'c',
      space: config.space,
      objective: { type: 'maximize', metricName: 'acc' },
      objectives: [{ type: 'maximize', metricName: 'acc' }],
      trials: [],
      count: 2,
      seed: 3,
      settings: { random_state: '3' },
      maxTrialCount: 12,
      parallelTrialCount: 2,
    });
  });
});
