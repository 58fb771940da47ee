// `hpo best -o json|yaml` (the winner document) and `hpo export NAME --to kfp` as a user runs them, on the
// quickstart example's real output.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validatePipeline } from '../../src/platform/kfp/index.ts';
import { applyDefaults } from '../../src/spec/defaults.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import { openStore } from '../../src/store/open.ts';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { kfpProtoDir } from '../platform/kfp/fixtures.ts';
import { experiment, fullTrial, trial } from '../store/fixtures-data.ts';

const svcDigits = fileURLToPath(new URL('../../examples/svc-digits/experiment.yaml', import.meta.url));
const quickstart = fileURLToPath(new URL('../../examples/quickstart/experiment.yaml', import.meta.url));
let tmp: ReturnType<typeof tempDir>;
let store: string;

beforeAll(async () => {
  tmp = tempDir();
  store = join(tmp.dir, 'store');
  expect(hpo(['run', quickstart, '--store', store, '-q']).status).toBe(0);
  const s = openStore(store);
  try {
    // Trials that were calls in the tuning process (optimize()): the manifest has no trial template.
    await s.createExperiment(experiment('inproc', { phase: 'Succeeded' }));
    await s.insertTrial(fullTrial('inproc', 0));
    const svc = applyDefaults(loadExperimentFile(svcDigits)[0]!);
    await s.createExperiment(experiment('svc', { phase: 'Running', manifest: svc }));
    await s.insertTrial(trial('svc', 0, { state: 'Succeeded', objective: 0.97, params: { C: 2.5, gamma: 0.01 } }));
    await s.createExperiment(experiment('nowinner', { phase: 'Running' }));
    await s.insertTrial(trial('nowinner', 0, { state: 'Running' }));
  } finally {
    await s.close();
  }
}, 120_000);
afterAll(() => tmp.cleanup());

describe('hpo best', () => {
  it('-o json gives the winner document: parameters, every metric, the rendered template, folder and log', () => {
    const r = hpo(['best', 'quickstart', '--store', store, '-o', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    const trials = JSON.parse(hpo(['trials', 'quickstart', '--store', store, '-o', 'json']).stdout);
    const best = trials.trials.find((t: { name: string }) => t.name === doc.name);
    expect(doc).toMatchObject({
      experiment: 'quickstart',
      namespace: 'default',
      state: 'Succeeded',
      parameters: best.parameters,
      objective: best.objective,
      objectiveMetricName: 'loss',
      objectiveType: 'minimize',
      metrics: best.metrics,
    });
    expect(doc.metrics.map((m: { name: string }) => m.name).sort()).toEqual(['accuracy', 'loss']);
    for (const m of doc.metrics) expect(Object.keys(m).sort()).toEqual(['latest', 'max', 'min', 'name']);
    const container = doc.trialTemplate.trialSpec.spec.template.spec.containers[0];
    expect(container.command).toContain(`--lr=${best.parameters.lr}`);
    expect(container.command).toContain(`--batch-size=${best.parameters.batch_size}`);
    expect(doc.trialTemplate.trialSpec.metadata.name).toBe(doc.name);
    expect(existsSync(doc.workDir)).toBe(true);
    expect(readFileSync(doc.logPath, 'utf8')).toMatch(/loss=/);
    const yaml = hpo(['best', 'quickstart', '--store', store, '-o', 'yaml']);
    expect(parseYaml(yaml.stdout)).toEqual(doc);
  });

  it('keeps its text output, and exit 1 (null as a document) while no trial has the objective', () => {
    const text = hpo(['best', 'quickstart', '--store', store]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^quickstart-\w+ {2}loss=[\d.]+\n {2}lr=/);
    const none = hpo(['best', 'nowinner', '--store', store, '-o', 'json']);
    expect(none.status).toBe(1);
    expect(JSON.parse(none.stdout)).toBeNull();
    expect(hpo(['best', 'nowinner', '--store', store]).status).toBe(1);
  });

  it('gives a null template for trials that ran in-process', () => {
    const doc = JSON.parse(hpo(['best', 'inproc', '--store', store, '-o', 'json']).stdout);
    expect(doc.trialTemplate).toBeNull();
    expect(doc.metrics).toEqual(fullTrial('inproc', 0).metrics);
  });
});

describe('hpo export --to kfp', () => {
  it('prints a pipeline that validates against KFP’s proto and retrains the best parameters', async () => {
    const r = hpo(['export', 'quickstart', '--to', 'kfp', '--store', store]);
    expect(r.status).toBe(0);
    const v = await validatePipeline(r.stdout, { schema: kfpProtoDir });
    expect(v.issues).toEqual([]);
    const best = JSON.parse(hpo(['best', 'quickstart', '--store', store, '-o', 'json']).stdout);
    const spec = parseYaml(r.stdout);
    const c = spec.deploymentSpec.executors['exec-retrain'].container;
    expect(c.image).toBe('node:20-slim');
    expect(c.command).toContain(`--lr=${best.parameters.lr}`);
    expect(spec.pipelineInfo.name).toBe('quickstart');
    expect(spec.sdkVersion).toMatch(/^hpo-workbench-\d/);
    expect(r.stderr).toContain('warning: the command refers to $(HPO_EXPERIMENT_DIR)');
  });

  it('says when the experiment still runs: the pipeline retrains the best trial so far', () => {
    const r = hpo(['export', 'svc', '--to', 'kfp', '--store', store]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("warning: experiment 'svc' is Running: this is its best trial so far");
    expect(parseYaml(r.stdout).deploymentSpec.executors['exec-retrain'].container.command).toContain('--C=2.5');
  });

  it('--with-tuning needs no winner: a running experiment exports the Katib tuning step and the retrain after it', async () => {
    const r = hpo(['export', 'svc', '--to', 'kfp', '--with-tuning', '--store', store], {
      env: { HPO_KUBECTL_IMAGE: 'mirror.local/kubectl:1' },
    });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('best trial so far');
    expect((await validatePipeline(r.stdout, { schema: kfpProtoDir })).issues).toEqual([]);
    const spec = parseYaml(r.stdout);
    expect(Object.keys(spec.root.dag.tasks).sort()).toEqual(['retrain', 'tune']);
    expect(spec.deploymentSpec.executors['exec-tune'].container.image).toBe('mirror.local/kubectl:1');
    expect(spec.deploymentSpec.executors['exec-retrain'].container.command).toContain(
      "--C={{$.inputs.parameters['C']}}",
    );
    const other = hpo(['export', 'svc', '--to', 'kserve', '--with-tuning', '--store', store]);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('--with-tuning is for --to kfp, not --to kserve');
  });

  it('--out writes the same YAML to a file and nothing to stdout', () => {
    const file = join(tmp.dir, 'pipeline.yaml');
    const r = hpo(['export', 'quickstart', '--to', 'kfp', '--out', file, '--store', store]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(hpo(['export', 'quickstart', '--to', 'kfp', '--store', store]).stdout);
    const bad = hpo([
      'export',
      'quickstart',
      '--to',
      'kfp',
      '--out',
      join(tmp.dir, 'no', 'such', 'dir.yaml'),
      '--store',
      store,
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cannot write --out/);
  });

  it.each([
    [
      ['nowinner', '--to', 'kfp'],
      /experiment 'nowinner' has no winner yet: no trial has reported the objective Validation-accuracy/,
    ],
    [['inproc', '--to', 'kfp'], /has no trial template: its trials were calls in the tuning process/],
    [['quickstart'], /required option '--to <target>'/],
    [['quickstart', '--to', 'onnx'], /argument 'onnx' is invalid/],
    // The quickstart's trials save no model: nothing for an InferenceService to serve.
    [['quickstart', '--to', 'kserve', '--storage-uri', 's3://m/'], /recorded no model artifact/],
    [['quickstart', '--to', 'kserve', '--canary', '-5'], /--canary/],
    [['quickstart', '--to', 'kfp', '--storage-uri', 's3://m/'], /--storage-uri is for --to kserve/],
    [['nosuch', '--to', 'kfp'], /no experiment 'nosuch'/],
  ])('hpo export %j is exit 2 with a clear message', (args, message) => {
    const r = hpo(['export', ...args, '--store', store]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
