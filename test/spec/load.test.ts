import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { loadConfigMaps, loadExperimentFile, loadExperiments } from '../../src/spec/load.ts';
import { validateExperiment } from '../../src/spec/validate.ts';
import { caught } from '../helpers.ts';
import { lines, options, readExample } from './helpers.ts';

const bare = `
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: bare}
spec:
  objective: {type: maximize, objectiveMetricName: acc, goal: "0.95"}
  algorithm:
    algorithmName: random
    algorithmSettings:
      - {name: random_state, value: 7}
      - {name: verbose, value: true}
  maxTrialCount: 4
  parallelTrialCount: 2
  parameters:
    - {name: lr, parameterType: double, feasibleSpace: {min: 0.01, max: 1e-1, step: 0.01}}
    - {name: bs, parameterType: discrete, feasibleSpace: {list: [16, 32, 64]}}
  trialTemplate:
    primaryContainerName: main
    primaryPodLabels: {primary: true}
    trialParameters:
      - {name: lr, reference: lr}
      - {name: bs, reference: bs}
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: main
                image: python
                command: [python3, t.py, "--lr=\${trialParameters.lr}", "--bs=\${trialParameters.bs}"]
`;

describe('loadExperiments', () => {
  it('reports YAML syntax errors with file:line:col', () => {
    const e = caught(() => loadExperiments('kind: Experiment\nspec:\n  a: [1, 2\n  b: 3\n', 'exp.yaml'));
    expect(e.code).toBe(ErrorCode.invalidSpec);
    expect(e.issues[0]?.path).toMatch(/^exp\.yaml:4:\d+$/);
    expect(e.issues[0]?.message).toMatch(/flow sequence/i);
  });

  it('reports duplicate keys at their line', () => {
    const e = caught(() => loadExperiments('kind: Experiment\nmetadata:\n  name: a\n  name: b\n', 'dup.yaml'));
    expect(e.issues.map((i) => i.path)).toEqual(['dup.yaml:4:3']);
    expect(e.issues[0]?.message).toMatch(/unique/);
  });

  it('keeps only Experiment documents and skips empty ones', () => {
    const text = `${readExample('manifests__trial-templates-configmap.yaml')}\n---\n---\n${bare}\n---\n${bare.replace('name: bare', 'name: second')}`;
    expect(loadExperiments(text).map((m) => m.metadata.name)).toEqual(['bare', 'second']);
  });

  it('rejects a file without any Experiment, naming what it found', () => {
    const e = caught(() => loadExperiments(readExample('manifests__trial-templates-configmap.yaml'), 'cm.yaml'));
    expect(e.code).toBe(ErrorCode.invalidSpec);
    expect(e.describe()).toContain('found: ConfigMap');
    expect(caught(() => loadExperiments('', 'empty.yaml')).describe()).toContain('no YAML documents');
  });

  it('normalises values users write unquoted', () => {
    const [m] = loadExperiments(bare);
    expect(m?.spec.parameters?.[0]?.feasibleSpace).toEqual({ min: '0.01', max: '0.1', step: '0.01' });
    expect(m?.spec.parameters?.[1]?.feasibleSpace.list).toEqual(['16', '32', '64']);
    expect(m?.spec.algorithm?.algorithmSettings).toEqual([
      { name: 'random_state', value: '7' },
      { name: 'verbose', value: 'true' },
    ]);
    expect(m?.spec.objective?.goal).toBe(0.95);
    expect(m?.spec.trialTemplate?.primaryPodLabels).toEqual({ primary: 'true' });
    expect(lines(validateExperiment(m!, options))).toEqual([]);
  });

  it('leaves a non-numeric goal for the validator to report', () => {
    const [m] = loadExperiments(bare.replace('goal: "0.95"', 'goal: high'));
    expect(lines(validateExperiment(m!, options))).toEqual([
      'spec.objective.goal: goal must be a finite number, got "high".',
    ]);
  });
});

describe('files', () => {
  it('loads a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpo-spec-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, bare);
    expect(loadExperimentFile(good)).toHaveLength(1);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'a: [\n');
    expect(caught(() => loadExperimentFile(bad)).issues[0]?.path).toMatch(/bad\.yaml:2:\d+$/);
    expect(caught(() => loadExperimentFile(join(dir, 'missing.yaml'))).code).toBe(ErrorCode.notFound);
  });

  it('reads ConfigMap data keyed by namespace/name', () => {
    const cms = loadConfigMaps(readExample('manifests__trial-templates-configmap.yaml'));
    expect(Object.keys(cms)).toEqual(['kubeflow/trial-templates']);
    expect(Object.keys(cms['kubeflow/trial-templates']!)).toEqual([
      'defaultTrialTemplate.yaml',
      'enasCPUTemplate',
      'pytorchJobTemplate',
    ]);
  });
});
