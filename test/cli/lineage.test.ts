// `hpo lineage` and `hpo export --to mlmd` as a user runs them: a real run in a git repository whose trials save a
// model, read back through the CLI; a store without artifacts; hostile names; an MLMD server (the in-process fake
// built from MLMD's protos) and an unreachable one.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openStore } from '../../src/store/open.ts';
import { collect, hpo, hpoAsync } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { startFakeMlmd } from '../platform/mlmd/fakeMlmd.ts';
import { experiment, fullTrial, trial } from '../store/fixtures-data.ts';

let tmp: ReturnType<typeof tempDir>;
let repo: string;
let store: string;
const hostile = `x"y $(touch pwned) \`id\`;'z`;

const trainScript = `
import { mkdirSync, writeFileSync } from 'node:fs';
const lr = Number(process.argv[2].split('=')[1]);
const dir = process.env.HPO_ARTIFACTS_DIR;
mkdirSync(dir, { recursive: true });
writeFileSync(dir + '/model.onnx', 'weights ' + lr);
console.log('loss=' + (lr - 0.3) ** 2);
`;

const experimentYaml = `apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: lin
  annotations:
    hpo-workbench.io/data: "file:///data/train.csv s3://bucket/extra"
spec:
  objective: { type: minimize, objectiveMetricName: loss }
  algorithm: { algorithmName: grid }
  maxTrialCount: 2
  parallelTrialCount: 1
  parameters:
    - { name: lr, parameterType: discrete, feasibleSpace: { list: ["0.1", "0.3"] } }
  trialTemplate:
    primaryContainerName: main
    trialParameters: [{ name: lr, reference: lr }]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            containers:
              - name: main
                image: node:20-slim
                command: [node, $(HPO_EXPERIMENT_DIR)/train.mjs, "--lr=\${trialParameters.lr}"]
            restartPolicy: Never
`;

const git = (...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  tmp = tempDir('hpo-lineage-');
  repo = join(tmp.dir, 'repo');
  store = join(repo, '.hpo');
  execFileSync('git', ['init', '-q', repo]);
  writeFileSync(join(repo, 'train.mjs'), trainScript);
  writeFileSync(join(repo, 'experiment.yaml'), experimentYaml);
  writeFileSync(join(repo, '.gitignore'), '.hpo/\n');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'train');
  const run = hpo(['run', join(repo, 'experiment.yaml'), '--store', store, '-q']);
  expect(run.status, run.stderr).toBe(0);
  const s = openStore(store);
  try {
    // No artifacts recorded (trials of another machine, or ones that save nothing), and a name built to break out.
    await s.createExperiment(experiment('bare', { phase: 'Succeeded' }));
    await s.insertTrial({ ...fullTrial('bare', 0), workDir: join(tmp.dir, 'gone') });
    await s.createExperiment(experiment(hostile, { phase: 'Succeeded' }));
    await s.insertTrial({ ...fullTrial(hostile, 0), name: `${hostile}-t0`, workDir: join(tmp.dir, 'gone') });
    await s.createExperiment(experiment('nowinner', { phase: 'Running' }));
    await s.insertTrial(trial('nowinner', 0, { state: 'Running' }));
  } finally {
    await s.close();
  }
}, 120_000);
afterAll(() => tmp.cleanup());

describe('hpo lineage', () => {
  it("-o json walks back from the winner's model to trial, parameters, experiment, data and git commit", () => {
    const r = hpo(['lineage', 'lin', '--store', store, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    const best = JSON.parse(hpo(['best', 'lin', '--store', store, '-o', 'json']).stdout);
    expect(doc.trial).toMatchObject({ name: best.name, state: 'COMPLETE', parameters: { lr: 0.3 } });
    expect(doc.trial.type).toBe('system.ContainerExecution');
    const model = best.artifacts.find((a: { kind: string }) => a.kind === 'model');
    expect(doc.model).toMatchObject({ key: 'model.onnx', type: 'system.Model' });
    expect(doc.model.properties.sha256).toBe(createHash('sha256').update(readFileSync(model.path)).digest('hex'));
    expect(new URL(doc.model.uri).pathname).toBe(model.path);
    expect(doc.experiment).toMatchObject({ context: 'default/lin', type: 'system.PipelineRun' });
    expect(doc.data.map((d: { uri: string }) => d.uri)).toEqual(['file:///data/train.csv', 's3://bucket/extra']);
    expect(doc.code).toMatchObject({ commit: git('rev-parse', 'HEAD'), dirty: false, root: repo });
    expect(doc.notes).toEqual([]);
  });

  it('prints the same walk as text, and names any trial with TRIAL', () => {
    const trials = JSON.parse(hpo(['trials', 'lin', '--store', store, '-o', 'json']).stdout).trials as {
      name: string;
      parameters: { lr: number };
    }[];
    const other = trials.find((t) => t.parameters.lr === 0.1)!;
    const r = hpo(['lineage', 'lin', other.name, '--store', store]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^model {7}model\.onnx {2}system\.Model {2}file:\/\/.*sha256 [0-9a-f]{12}…$/m);
    expect(r.stdout).toContain(`trial       ${other.name}  COMPLETE`);
    expect(r.stdout).toContain('parameters  lr=0.1');
    expect(r.stdout).toContain(`code        git ${git('rev-parse', 'HEAD')} in ${repo}`);
    expect(r.stdout).toContain('data        file:///data/train.csv  s3://bucket/extra');
    expect(r.stdout).toMatch(/^also wrote {2}metrics {2}system\.Metrics$/m);
  });

  it('a store without artifacts: no model, said plainly; yaml has the same document', () => {
    const r = hpo(['lineage', 'bare', '--store', store, '-o', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.model).toBeNull();
    expect(doc.code).toBeNull();
    expect(doc.notes.join('\n')).toMatch(/left no model artifact[\s\S]*no data recorded[\s\S]*no code version/);
    expect(parseYaml(hpo(['lineage', 'bare', '--store', store, '-o', 'yaml']).stdout)).toEqual(doc);
    const text = hpo(['lineage', 'bare', '--store', store]);
    expect(text.stdout).toMatch(/^model {7}\(none: the trial left no model artifact\)$/m);
  });

  it('hostile experiment and trial names stay data in every format', () => {
    const r = hpo(['lineage', hostile, '--store', store, '-o', 'json'], { cwd: tmp.dir });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.experiment.context).toBe(`default/${hostile}`);
    expect(doc.trial.name).toBe(`${hostile}-t0`);
    expect(hpo(['lineage', hostile, `${hostile}-t0`, '--store', store], { cwd: tmp.dir }).status).toBe(0);
    expect(() => readFileSync(join(tmp.dir, 'pwned'))).toThrow();
  });

  it('exit 1 and null while no trial has the objective; exit 2 for an unknown trial or experiment', () => {
    const none = hpo(['lineage', 'nowinner', '--store', store, '-o', 'json']);
    expect(none.status).toBe(1);
    expect(JSON.parse(none.stdout)).toBeNull();
    const bad = hpo(['lineage', 'lin', 'nope', '--store', store]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: .*nope/);
    expect(bad.stderr).not.toMatch(/ at /);
    expect(hpo(['lineage', 'missing', '--store', store]).status).toBe(2);
  });
});

describe('hpo export --to mlmd', () => {
  it('prints the MLMD graph of every trial as JSON, or writes it to --out', () => {
    const r = hpo(['export', 'lin', '--to', 'mlmd', '--store', store]);
    expect(r.status).toBe(0);
    const g = JSON.parse(r.stdout);
    expect(g.executions).toHaveLength(2);
    expect(g.artifacts.filter((a: { type: string }) => a.type === 'system.Model')).toHaveLength(2);
    const out = join(tmp.dir, 'graph.json');
    const w = hpo(['export', 'lin', '--to', 'mlmd', '--store', store, '--out', out]);
    expect(w.stderr).toContain(`to ${out}`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(g);
  });

  it('stores it in an MLMD server with --mlmd, and again without duplicates', async () => {
    const fake = await startFakeMlmd();
    try {
      const args = ['export', 'lin', '--to', 'mlmd', '--mlmd', fake.address, '--store', store];
      const first = await collect(hpoAsync(args), 60_000).result;
      expect(first.status).toBe(0);
      expect(first.stderr).toMatch(/stored the lineage of lin in ML Metadata at 127\.0\.0\.1:\d+: context \d+, 2 new/);
      const nodes = fake.state.artifacts.size;
      const second = await collect(hpoAsync(args), 60_000).result;
      expect(second.status).toBe(0);
      expect(second.stderr).toContain('0 new and 2 updated trials');
      expect(fake.state.artifacts.size).toBe(nodes);
      expect([...fake.state.artifacts.values()].some((a) => a.type === 'system.Model')).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('an unreachable server, or --mlmd with another target, is exit 2 with a clear message and no stack', () => {
    const r = hpo(['export', 'lin', '--to', 'mlmd', '--mlmd', '127.0.0.1:1', '--store', store]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot reach the ML Metadata server at 127\.0\.0\.1:1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const wrong = hpo(['export', 'lin', '--to', 'kfp', '--mlmd', '127.0.0.1:1', '--store', store]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('--mlmd is for --to mlmd, not --to kfp');
  });
});
