/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
// A 10,000-parameter Experiment: validation is one pass over the template (it searched the template once per
// parameter, tens of seconds), and still finds a missing and an undeclared placeholder among them.
import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../src/spec/defaults.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import { validateExperiment } from '../../src/spec/validate.ts';

const n = 10_000;

function experiment(args: string[], declared: number): ExperimentManifest {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'many' },
    spec: {
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'random' },
      parameters: Array.from({ length: n }, (_, i) => ({
        name: `p${i}`,
        parameterType: 'double' as const,
        feasibleSpace: { min: '0', max: '1' },
      })),
      trialTemplate: {
        primaryContainerName: 'main',
        trialParameters: Array.from({ length: declared }, (_, i) => ({ name: `p${i}`, reference: `p${i}` })),
        trialSpec: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          spec: { template: { spec: { containers: [{ name: 'main', image: 'x', command: ['train', ...args] }] } } },
        },
      },
    },
  };
}

const opts = { algorithms: new Set(['random']), earlyStopping: new Set<string>() };

describe('validation of a 10,000-parameter Experiment', () => {
  it('accepts it when every placeholder is declared and used', () => {
    const args = Array.from({ length: n }, (_, i) => `--p${i}=\${trialParameters.p${i}}`);
    expect(validateExperiment(applyDefaults(experiment(args, n)), opts)).toEqual([]);
  });

  it('reports the one declared parameter the template does not use, and the one placeholder nobody declared', () => {
    const args = Array.from({ length: n }, (_, i) => (i === 4321 ? '--missing' : `--p${i}=\${trialParameters.p${i}}`));
    args.push('${trialParameters.ghost}');
    const issues = validateExperiment(applyDefaults(experiment(args, n)), opts).map((i) => `${i.path}: ${i.message}`);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toContain('trialParameters[4321].name: parameter name: p4321 in spec.trialParameters not found');
    expect(issues[1]).toContain('[${trialParameters.ghost}] in spec.trialTemplate not found in spec.trialParameters');
  });
});
