// The KServe hand-off on real output: a small run of examples/svc-digits trains real SVCs that save model.joblib;
// `hpo export --to kserve` writes an InferenceService that KServe 0.20's CRD accepts, and `serveModel` (hpo serve)
// answers real Open Inference Protocol requests with the winner's own predictions.
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Experiment } from '../../src/experiment/experiment.ts';
import { readWinner, type WinnerDocument } from '../../src/experiment/winner.ts';
import {
  type ModelServer,
  servableModel,
  serveModel,
  validateInferenceService,
} from '../../src/platform/kserve/index.ts';
import { loadExperiments } from '../../src/spec/load.ts';
import { openStore } from '../../src/store/open.ts';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';

const file = fileURLToPath(new URL('../../examples/svc-digits/experiment.yaml', import.meta.url));
const crd = readFileSync(
  fileURLToPath(
    new URL('../../../shared/kubeflow/crds/kserve-v0.20.0/serving.kserve.io_inferenceservices.yaml', import.meta.url),
  ),
  'utf8',
);

let tmp: ReturnType<typeof tempDir>;
let storeDir: string;
let winner: WinnerDocument;
let server: ModelServer;

/** Rows of the digits data set (scaled as svc.py scales them) and what the winner's model predicts for them. */
function digitsAndPredictions(modelPath: string, rows: number): { x: number[][]; y: number[]; predicted: number[] } {
  const script = `import json, sys, joblib
from sklearn.datasets import load_digits
X, y = load_digits(return_X_y=True)
X = X[-${rows}:] / 16.0
print(json.dumps({"x": X.tolist(), "y": y[-${rows}:].tolist(), "predicted": joblib.load(sys.argv[1]).predict(X).tolist()}))`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, modelPath], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function call(path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const post = (path: string, body: unknown) =>
  call(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

beforeAll(async () => {
  tmp = tempDir('hpo-kserve-');
  storeDir = join(tmp.dir, 'store');
  const [m] = loadExperiments(readFileSync(file, 'utf8'), file);
  const manifest = { ...m!, spec: { ...m!.spec, maxTrialCount: 2, parallelTrialCount: 2 } };
  const store = openStore(storeDir);
  try {
    expect((await Experiment.fromManifest(manifest, { store, sourcePath: file }).run()).status).toBe('Succeeded');
    winner = (await readWinner(store, 'svc-digits'))!;
  } finally {
    await store.close();
  }
  const model = await servableModel(winner);
  server = await serveModel({ modelPath: model.path, modelName: 'svc-digits', port: 0, maxBodyBytes: 64 * 1024 });
}, 120_000);
afterAll(async () => {
  await server?.close();
  tmp?.cleanup();
});

describe('hpo export --to kserve on the SVC example', () => {
  it('writes an InferenceService for the winner model that the KServe 0.20 CRD accepts', () => {
    const r = hpo([
      'export',
      'svc-digits',
      '--to',
      'kserve',
      '--store',
      storeDir,
      '--storage-uri',
      's3://models/svc/',
      '--canary',
      '25',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const isvc = parseYaml(r.stdout);
    expect(validateInferenceService(isvc, crd)).toEqual([]);
    expect(isvc.spec.predictor).toEqual({
      model: { modelFormat: { name: 'sklearn' }, protocolVersion: 'v2', storageUri: 's3://models/svc/' },
      canaryTrafficPercent: 25,
    });
    expect(isvc.metadata.annotations['hpo-workbench.io/model-sha256']).toBe(winner.artifacts[0]!.sha256);
    expect(r.stderr).toContain('Knative');
  });

  it('refuses, exit 2, without --storage-uri, naming the local model and its digest', () => {
    const r = hpo(['export', 'svc-digits', '--to', 'kserve', '--store', storeDir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(winner.artifacts[0]!.sha256);
    expect(r.stdout).toBe('');
  });
});

describe('hpo serve (Open Inference Protocol v2) on the winner model', () => {
  it('answers health, metadata and readiness', async () => {
    expect(await call('/v2/health/live')).toEqual({ status: 200, body: { live: true } });
    expect(await call('/v2/health/ready')).toEqual({ status: 200, body: { ready: true } });
    expect(await call('/v2/models/svc-digits/ready')).toEqual({
      status: 200,
      body: { name: 'svc-digits', ready: true },
    });
    const meta = await call('/v2/models/svc-digits');
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ name: 'svc-digits', platform: 'sklearn', inputs: [{ shape: [-1, 64] }] });
    expect(server.model.type).toBe('sklearn.svm._classes.SVC');
  });

  it('predicts what the winner model predicts, for flat and nested data', async () => {
    const { x, y, predicted } = digitsAndPredictions(winner.artifacts[0]!.path, 20);
    const nested = await post('/v2/models/svc-digits/infer', {
      id: 'req-1',
      inputs: [{ name: 'digits', shape: [20, 64], datatype: 'FP64', data: x }],
    });
    expect(nested).toEqual({
      status: 200,
      body: {
        model_name: 'svc-digits',
        id: 'req-1',
        outputs: [{ name: 'output-0', shape: [20], datatype: 'INT64', data: predicted }],
      },
    });
    // The winner (validation accuracy > 0.9) gets most of these held-out rows right: it is a trained model.
    expect(predicted.filter((p, i) => p === y[i]).length).toBeGreaterThan(15);
    const flat = await post('/v2/models/svc-digits/infer', {
      inputs: [{ name: 'digits', shape: [2, 64], datatype: 'FP32', data: x.slice(0, 2).flat() }],
    });
    expect(flat.body.outputs).toEqual([
      { name: 'output-0', shape: [2], datatype: 'INT64', data: predicted.slice(0, 2) },
    ]);
  });

  it.each([
    ['not JSON', 'garbage', 400, 'not JSON'],
    ['no inputs', {}, 400, 'exactly one tensor'],
    ['two inputs', { inputs: [{}, {}] }, 400, 'exactly one tensor'],
    [
      'a wrong feature count',
      { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] }] },
      400,
      '64 features',
    ],
    ['too few values', { inputs: [{ name: 'x', shape: [2, 64], datatype: 'FP64', data: [1] }] }, 400, 'needs 128'],
    [
      'text values',
      { inputs: [{ name: 'x', shape: [1, 64], datatype: 'FP64', data: Array(64).fill('1') }] },
      400,
      'not a FP64',
    ],
    ['BYTES input', { inputs: [{ name: 'x', shape: [1, 64], datatype: 'BYTES', data: [] }] }, 400, 'datatype'],
    ['a body over the limit', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), 413, 'over'],
  ])('refuses %s', async (_what, body, status, message) => {
    const r = await post('/v2/models/svc-digits/infer', body);
    expect(r.status).toBe(status);
    expect(String(r.body.error)).toContain(message);
  });

  it('answers 404 for another model or path and 405 for a wrong method, and keeps serving', async () => {
    expect((await post('/v2/models/other/infer', {})).status).toBe(404);
    expect((await call('/v2/nothing')).status).toBe(404);
    expect((await call('/v2/models/%E0/ready')).status).toBe(404);
    expect((await call('/v2/models/svc-digits/infer')).status).toBe(405);
    expect((await call('/v2/health/ready')).status).toBe(200);
  });

  it('says why a file that is not a model cannot be served', async () => {
    const junk = join(tmp.dir, 'junk.joblib');
    writeFileSync(junk, 'not a pickle');
    await expect(serveModel({ modelPath: junk, modelName: 'junk', port: 0 })).rejects.toThrow(
      /could not load the model .*junk\.joblib/,
    );
  });

  it('refuses to serve a model whose bytes changed since the trial recorded them', async () => {
    const model = winner.artifacts[0]!;
    const copy = join(tmp.dir, 'model-copy.joblib');
    copyFileSync(model.path, copy);
    appendFileSync(copy, 'x');
    await expect(servableModel({ ...winner, artifacts: [{ ...model, path: copy }] })).rejects.toThrow('changed since');
  });
});
