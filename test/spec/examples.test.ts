/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorsOnly, formatIssue } from '../../src/common/issue.ts';
import { loadConfigMaps, loadExperiments } from '../../src/spec/load.ts';
import { validateExperiment } from '../../src/spec/validate.ts';
import { examplesDir, lines, options, readExample } from './helpers.ts';

/** Examples Katib itself would reject, with the issue path and a fragment of its message. */
const invalid: Record<string, { path: string; fragment: string }[]> = {
  'test-e2e-testdata__invalid-experiment.yaml': [
    {
      path: 'spec.algorithm.algorithmName',
      fragment: 'unable to get Suggestion config data for algorithm invalid-algorithm',
    },
  ],
  // Uses Tekton's $(trialParameters.lr) instead of ${trialParameters.learningRate}: rule 27.
  'tekton__pipeline-run.yaml': [
    { path: 'spec.trialTemplate.trialParameters[0].name', fragment: 'learningRate in spec.trialParameters not found' },
  ],
  // Without the ConfigMap outside a cluster the template cannot be read (rule 23).
  'trial-template__trial-configmap-source.yaml': [
    { path: 'spec.trialTemplate.configMap', fragment: 'cannot be read outside a cluster' },
  ],
};

const files = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml') && !f.startsWith('manifests__'));

describe('Katib example Experiments', () => {
  it('covers every copied example', () => {
    expect(files.length).toBe(35);
  });

  it.each(files)('%s', (file) => {
    const [m, ...rest] = loadExperiments(readExample(file), file);
    expect(rest).toHaveLength(0);
    const issues = validateExperiment(m!, options);
    const expected = invalid[file];
    if (expected === undefined) {
      expect(errorsOnly(issues).map(formatIssue)).toEqual([]);
    } else {
      expect(lines(issues)).toHaveLength(expected.length);
      for (const e of expected) {
        expect(
          issues.some((i) => i.path === e.path && i.message.includes(e.fragment)),
          lines(issues).join('\n'),
        ).toBe(true);
      }
    }
  });

  it('rejects the ConfigMap-sourced example on rules 27/28 once the ConfigMap is supplied', () => {
    const configMaps = loadConfigMaps(readExample('manifests__trial-templates-configmap.yaml'));
    const [m] = loadExperiments(readExample('trial-template__trial-configmap-source.yaml'));
    const issues = validateExperiment(m!, { ...options, configMaps });
    expect(lines(issues)).toEqual([
      'spec.trialTemplate.trialParameters[1].name: parameter name: numberLayers in spec.trialParameters not found in spec.trialTemplate.',
      'spec.trialTemplate.trialParameters[2].name: parameter name: optimizer in spec.trialParameters not found in spec.trialTemplate.',
      'spec.trialTemplate.configMap.templatePath: parameters: [${trialParameters.momentum}] in spec.trialTemplate not found in spec.trialParameters.',
    ]);
  });

  it('warns, without rejecting, where simple-pbt has maxFailedTrialCount above maxTrialCount (Katib rule 5)', () => {
    const [m] = loadExperiments(readExample('hp-tuning__simple-pbt.yaml'));
    const issues = validateExperiment(m!, options);
    expect(issues.map((i) => [i.path, i.severity])).toEqual([['spec.maxFailedTrialCount', 'warning']]);
  });

  it('explains the Tekton example uses the wrong placeholder syntax', () => {
    const [m] = loadExperiments(readExample('tekton__pipeline-run.yaml'));
    const [issue] = validateExperiment(m!, options);
    expect(issue?.fix).toContain('${trialParameters.learningRate}');
    expect(issue?.fix).toContain('$(trialParameters.');
  });
});
