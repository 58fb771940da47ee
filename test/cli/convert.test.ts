// `hpo convert` and `hpo run` of an OptimizationJob, through the real CLI as a user runs them.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';

const quickstart = fileURLToPath(new URL('../../examples/quickstart/experiment.yaml', import.meta.url));
const crd = fileURLToPath(
  new URL(
    '../../../shared/kubeflow/crds/trainer-master-2026-08-21/trainer.kubeflow.org_optimizationjobs.yaml',
    import.meta.url,
  ),
);
const stackFrame = /\n\s+at .+:\d+:\d+/;
const tmp = tempDir('hpo-convert-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

const job = (extra = '', apiVersion = 'trainer.kubeflow.org/v1alpha1') => `apiVersion: ${apiVersion}
kind: OptimizationJob
metadata: {name: tune}
spec:
  objectives: [{metric: loss, direction: Minimize}]
  parameters:
    - name: lr
      searchSpace: {logUniform: {min: "0.001", max: "0.1"}}
  numTrials: 2
  trainJobTemplate:
    spec:
      runtimeRef: {name: torch-distributed}
      trainer: {image: x, command: [python, train.py]}
${extra}`;

describe('hpo convert', () => {
  it('writes the quick start as an OptimizationJob the CRD accepts, warning about what it drops', () => {
    const r = hpo(['convert', quickstart, '--to', 'optimizationjob', '--crd', crd]);
    expect(r.status).toBe(0);
    const doc = parse(r.stdout) as { kind: string; spec: { numTrials: number } };
    expect(doc.kind).toBe('OptimizationJob');
    expect(doc.spec.numTrials).toBe(12);
    expect(r.stderr).toContain('warning: spec.algorithm.algorithmName: sobol has no OptimizationJob equivalent');
    const json = hpo(['convert', quickstart, '--to', 'optimizationjob', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(doc);
  });

  it('writes an OptimizationJob as the Katib Experiment hpo validate accepts', () => {
    const r = hpo(['convert', file('oj.yaml', job()), '--to', 'katib']);
    expect(r.status).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string });
    expect(docs.map((d) => d.kind)).toEqual(['Experiment']);
    const v = hpo(['validate', file('katib.yaml', r.stdout)]);
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
  });

  // [what, file text, the path the error must name]
  const hostile: [string, string, string][] = [
    ['an unknown field', job('  bogus: 1'), 'spec.bogus'],
    ['a wrong apiVersion', job('', 'trainer.kubeflow.org/v1'), 'apiVersion'],
    ['a Katib apiVersion', job('', 'kubeflow.org/v1beta1'), 'apiVersion'],
    ['a lower-case direction', job().replace('Minimize', 'minimize'), 'spec.objectives[0].direction'],
  ];
  it.each(hostile)('refuses an OptimizationJob with %s: exit 2 naming the path', (what, text, path) => {
    // Every command reads it through the one loader; the first case checks all three, the rest `run` alone.
    const commands = what === hostile[0]?.[0] ? [['convert', '--to', 'katib'], ['run'], ['validate']] : [['run']];
    for (const args of commands) {
      const r = hpo([...args, file('bad.yaml', text), '--store', join(tmp.dir, 'never')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${path}:`);
      expect(r.stderr).not.toMatch(stackFrame);
    }
  });

  it('refuses what an OptimizationJob cannot say, with the path (exit 2)', () => {
    const text = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: big}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  maxTrialCount: 500
  parameters: [{name: x, parameterType: double, feasibleSpace: {min: "0", max: "1"}}]
  trialTemplate:
    primaryContainerName: main
    trialParameters: [{name: x, reference: x}]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec: {template: {spec: {restartPolicy: Never, containers: [{name: main, image: x, command: [echo, "\${trialParameters.x}"]}]}}}
`;
    const r = hpo(['convert', file('big.yaml', text), '--to', 'optimizationjob']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('spec.maxTrialCount:');
  });
});

describe('hpo run of an OptimizationJob', () => {
  it('runs the converted quick start locally with the same engine', () => {
    const dir = join(tmp.dir, 'run');
    const converted = hpo(['convert', quickstart, '--to', 'optimizationjob']);
    expect(converted.status).toBe(0);
    // Four trials are enough to show the engine runs it; the quick start's train.mjs sits next to the job file.
    const text = converted.stdout.replace('numTrials: 12', 'numTrials: 4');
    writeFileSync(join(tmp.dir, 'oj-run.yaml'), text);
    copyFileSync(
      fileURLToPath(new URL('../../examples/quickstart/train.mjs', import.meta.url)),
      join(tmp.dir, 'train.mjs'),
    );
    const r = hpo(['run', join(tmp.dir, 'oj-run.yaml'), '--store', dir, '-o', 'json', '-q']);
    expect(r.stderr).not.toMatch(stackFrame);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as { status: string; trials: { state: string; parameters: { lr: number } }[] };
    expect(result.status).toBe('Succeeded');
    expect(result.trials).toHaveLength(4);
    expect(
      result.trials.every((t) => t.state === 'Succeeded' && t.parameters.lr >= 0.001 && t.parameters.lr <= 1),
    ).toBe(true);
  });
});
