/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
import { readFileSync } from 'node:fs';
import type { Issue } from '../../src/common/issue.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import type { ValidateOptions } from '../../src/spec/validate.ts';
import { katibAlgorithmNames } from '../../src/suggestion/registry.ts';

/** Katib's example Experiments, copied from shared/katib/examples. */
export const examplesDir: URL = new URL('../fixtures/spec/katib/', import.meta.url);

export function readExample(file: string): string {
  return readFileSync(new URL(file, examplesDir), 'utf8');
}

/** Every algorithm name Katib knows (the registry's list), as the examples are validated against. */
export const options: ValidateOptions = {
  algorithms: katibAlgorithmNames,
  earlyStopping: new Set(['medianstop']),
};

/** A small valid Experiment: a batch Job over a double, an int and a categorical parameter. */
export function baseManifest(): ExperimentManifest {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'base', namespace: 'team-a' },
    spec: {
      objective: { type: 'minimize', objectiveMetricName: 'loss', additionalMetricNames: ['accuracy'], goal: 0.01 },
      algorithm: { algorithmName: 'random' },
      maxTrialCount: 6,
      parallelTrialCount: 2,
      maxFailedTrialCount: 1,
      parameters: [
        { name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.1' } },
        { name: 'layers', parameterType: 'int', feasibleSpace: { min: '1', max: '4' } },
        { name: 'opt', parameterType: 'categorical', feasibleSpace: { list: ['sgd', 'adam'] } },
      ],
      trialTemplate: {
        primaryContainerName: 'training',
        trialParameters: [
          { name: 'learningRate', reference: 'lr' },
          { name: 'numLayers', reference: 'layers' },
          { name: 'optimizer', reference: 'opt' },
        ],
        trialSpec: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          spec: {
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [
                  {
                    name: 'training',
                    image: 'python:3.12',
                    command: [
                      'python3',
                      'train.py',
                      '--lr=${trialParameters.learningRate}',
                      '--layers=${trialParameters.numLayers}',
                      '--optimizer=${trialParameters.optimizer}',
                    ],
                  },
                ],
              },
            },
          },
        },
      },
    },
  };
}

/** A manifest edited freely, as hand-written YAML could be. */
// biome-ignore lint/suspicious/noExplicitAny: tests reshape manifests beyond their static type on purpose.
export type Loose = any;

/** `baseManifest()` after `fn` edits it freely (as YAML could). */
export function mutated(fn: (m: Loose) => void): ExperimentManifest {
  const m = baseManifest();
  fn(m);
  return m;
}

/** Compact `path: message` lines, for readable failure output. */
export function lines(issues: readonly Issue[]): string[] {
  return issues.map((i) => `${i.path}: ${i.message}`);
}
