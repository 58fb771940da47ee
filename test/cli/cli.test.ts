import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';

const examples = fileURLToPath(new URL('../../../shared/katib/examples/', import.meta.url));
const quickstart = fileURLToPath(new URL('../../examples/quickstart/experiment.yaml', import.meta.url));
const noStack = /\n\s+at .+:\d+:\d+/;

let tmp: ReturnType<typeof tempDir>;
let store: string;
beforeAll(() => {
  tmp = tempDir();
  store = join(tmp.dir, 'store');
});
afterAll(() => tmp.cleanup());

describe('hpo validate', () => {
  it('accepts every Katib example except the ones Katib itself rejects', () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
    const broken = new Set([
      'tekton__pipeline-run.yaml',
      'test-e2e-testdata__invalid-experiment.yaml',
      'manifests__trial-templates-configmap.yaml',
    ]);
    const good = files.filter((f) => !broken.has(f) && f !== 'trial-template__trial-configmap-source.yaml');
    const r = hpo(['validate', ...good.map((f) => join(examples, f))]);
    // The only remark: simple-pbt's maxFailedTrialCount above maxTrialCount, which Katib rejects and we warn about.
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('simple-pbt.yaml: warning: spec.maxFailedTrialCount'),
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('is valid'))).toHaveLength(good.length);
  });

  it('exits 2 listing problems with their paths for the e2e invalid experiment and the broken Tekton example', () => {
    const r = hpo([
      'validate',
      join(examples, 'test-e2e-testdata__invalid-experiment.yaml'),
      join(examples, 'tekton__pipeline-run.yaml'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('spec.algorithm.algorithmName');
    expect(r.stderr).toContain('invalid-algorithm');
    expect(r.stderr).toContain('spec.trialTemplate');
    expect(r.stderr).not.toMatch(noStack);
  });

  it('reports every problem of a bad file at once, with paths and fixes', () => {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(
      file,
      `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: Bad_Name}
spec:
  objective: {type: minimise, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  maxTrialCount: 0
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.5", max: "0.1"}
  trialTemplate:
    primaryContainerName: main
    trialParameters: [{name: lr, reference: lr}]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec: {template: {spec: {containers: [{name: main, image: x, command: [echo, "\${trialParameters.lr}"]}]}}}
`,
    );
    const r = hpo(['validate', file]);
    expect(r.status).toBe(2);
    for (const path of [
      'metadata.name',
      'spec.objective.type',
      'spec.maxTrialCount',
      'spec.parameters[0].feasibleSpace',
    ]) {
      expect(r.stderr).toContain(path);
    }
    expect(r.stderr).not.toMatch(noStack);
  });

  it('gives a clear message for a YAML syntax error and a missing file', () => {
    const file = join(tmp.dir, 'syntax.yaml');
    writeFileSync(file, 'kind: Experiment\nspec: [unclosed\n');
    const r = hpo(['validate', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/syntax\.yaml:\d+/);
    const missing = hpo(['validate', join(tmp.dir, 'nope.yaml')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.yaml');
    expect(missing.stderr).not.toMatch(noStack);
  });
});

describe('hpo run and the read commands', () => {
  it('runs the quickstart with real local processes and reports JSON', () => {
    const r = hpo(['run', quickstart, '--store', store, '--output', 'json']);
    expect(r.stderr).not.toMatch(noStack);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ experiment: 'quickstart', status: 'Succeeded', reason: 'ExperimentMaxTrialsReached' });
    expect(doc.trials).toHaveLength(12);
    for (const t of doc.trials) {
      expect(t.state).toBe('Succeeded');
      expect(typeof t.objective).toBe('number');
      expect(Object.keys(t.parameters).sort()).toEqual(['batch_size', 'l2', 'lr']);
      expect(t.metrics.map((m: { name: string }) => m.name).sort()).toEqual(['accuracy', 'loss']);
    }
    const best = Math.min(...doc.trials.map((t: { objective: number }) => t.objective));
    expect(doc.bestTrial.objective).toBe(best);
  });

  it('trials --output json has the same shape as run --output json', () => {
    const r = hpo(['trials', 'quickstart', '--store', store, '--output', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc).sort()).toEqual([
      'bestTrial',
      'experiment',
      'message',
      'namespace',
      'reason',
      'status',
      'trials',
    ]);
    expect(doc.trials).toHaveLength(12);
  });

  it('trials as csv and table, best, status, list and logs', () => {
    const csvOut = hpo(['trials', 'quickstart', '--store', store, '--output', 'csv']);
    expect(csvOut.status).toBe(0);
    const lines = csvOut.stdout.trim().split('\n');
    expect(lines[0]).toBe('name,state,loss,lr,l2,batch_size,accuracy,reason,start,end,duration_s');
    expect(lines).toHaveLength(13);
    // Full precision, as stored: the JSON output's numbers and the CSV's agree digit for digit.
    const json = JSON.parse(hpo(['trials', 'quickstart', '--store', store, '-o', 'json']).stdout);
    const first = json.trials[0];
    const cells = lines[1]!.split(',');
    expect(cells[3]).toBe(String(first.parameters.lr));
    expect(cells[4]).toBe(String(first.parameters.l2));
    expect(cells[7]).toBe(first.reason);
    expect(cells[8]).toBe(first.startedAt);
    expect(cells[9]).toBe(first.completedAt);
    expect(Number(cells[10])).toBe((Date.parse(first.completedAt) - Date.parse(first.startedAt)) / 1000);
    const tableOut = hpo(['trials', 'quickstart', '--store', store]);
    expect(tableOut.stdout).toMatch(/^name\s+state\s+loss/);
    const best = hpo(['best', 'quickstart', '--store', store, '--output', 'json']);
    expect(JSON.parse(best.stdout).parameters).toHaveProperty('lr');
    const status = hpo(['status', 'quickstart', '--store', store]);
    expect(status.stdout).toContain('Succeeded');
    expect(status.stdout).toContain('12 total');
    const list = hpo(['list', '--store', store]);
    expect(list.stdout).toContain('quickstart');
    const trialName = lines[1]!.split(',')[0]!;
    const logs = hpo(['logs', 'quickstart', trialName, '--store', store]);
    expect(logs.status).toBe(0);
    expect(logs.stdout).toMatch(/epoch=8 loss=/);
  });

  it('re-running a finished experiment does not run trials again', () => {
    const r = hpo(['run', quickstart, '--store', store, '--output', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).trials).toHaveLength(12);
  });

  it('exits 2 with a message for unknown experiments and bad flags, and deletes', () => {
    const unknown = hpo(['status', 'nope', '--store', store]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("no experiment 'nope'");
    const badFlag = hpo(['resume', 'quickstart', '--store', store, '--max-trials', 'many']);
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toContain('--max-trials');
    const notRestartable = hpo(['resume', 'quickstart', '--store', store, '--max-trials', '20']);
    expect(notRestartable.status).toBe(2);
    expect(notRestartable.stderr).toContain('resumePolicy');
    const del = hpo(['delete', 'quickstart', '--store', store]);
    expect(del.status).toBe(0);
    expect(hpo(['list', '--store', store]).stdout).not.toContain('quickstart');
  });
});
