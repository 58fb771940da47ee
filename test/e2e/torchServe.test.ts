// `hpo serve` for a PyTorch winner on real output: one short trial of examples/pytorch-ddp (two DDP processes, gloo)
// trains the digits MLP and rank 0 saves it as TorchScript (model.pt); the server answers real Open Inference Protocol
// requests with the module's own output, and `hpo export --to kserve` takes the same artifact.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Experiment } from '../../src/experiment/experiment.ts';
import { readWinner, type WinnerDocument } from '../../src/experiment/winner.ts';
import { type ModelServer, servableModel, serveModel } from '../../src/platform/kserve/index.ts';
import { loadExperiments } from '../../src/spec/load.ts';
import { openStore } from '../../src/store/open.ts';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';

const file = fileURLToPath(new URL('../../examples/pytorch-ddp/experiment.yaml', import.meta.url));
let tmp: ReturnType<typeof tempDir>;
let storeDir: string;
let winner: WinnerDocument;
let server: ModelServer;

/** Held-out digits rows (scaled as train.py scales them), their labels, and the saved module's own outputs. */
function digitsAndOutputs(modelPath: string, rows: number): { x: number[][]; y: number[]; logits: number[][] } {
  const script = `import json, sys, torch
from sklearn.datasets import load_digits
X, y = load_digits(return_X_y=True)
X = X[-${rows}:] / 16.0
m = torch.jit.load(sys.argv[1])
with torch.no_grad():
    out = m(torch.tensor(X, dtype=torch.float32))
print(json.dumps({"x": X.tolist(), "y": y[-${rows}:].tolist(), "logits": out.tolist()}))`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, modelPath], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const post = async (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${server.url}/v2/models/ddp/infer`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  tmp = tempDir('hpo-torchserve-');
  storeDir = join(tmp.dir, 'store');
  // One trial of 3 epochs instead of 3 of 8: a real trained model in a few seconds.
  const text = readFileSync(file, 'utf8').replaceAll('--epochs=8', '--epochs=3');
  const [m] = loadExperiments(text, file);
  const manifest = { ...m!, spec: { ...m!.spec, maxTrialCount: 1 } };
  const store = openStore(storeDir);
  try {
    expect((await Experiment.fromManifest(manifest, { store, sourcePath: file }).run()).status).toBe('Succeeded');
    winner = (await readWinner(store, 'pytorch-ddp'))!;
  } finally {
    await store.close();
  }
  const model = await servableModel(winner);
  expect(model.format).toBe('pytorch');
  server = await serveModel({ modelPath: model.path, format: model.format, modelName: 'ddp', port: 0 });
}, 90_000);
afterAll(async () => {
  await server?.close();
  tmp?.cleanup();
});

describe('hpo serve on the DDP example', () => {
  it('the trial saved its model as TorchScript, recorded as a model artifact', () => {
    expect(winner.artifacts).toEqual([expect.objectContaining({ name: 'model.pt', kind: 'model' })]);
    expect(server.model).toEqual({ type: 'torch.jit.Sequential', features: 64 });
  });

  it('answers metadata for a TorchScript model', async () => {
    const res = await fetch(`${server.url}/v2/models/ddp`);
    expect(await res.json()).toMatchObject({
      platform: 'pytorch_torchscript',
      inputs: [{ datatype: 'FP32', shape: [-1, 64] }],
      outputs: [{ datatype: 'FP32', shape: [-1, -1] }],
    });
  });

  it("answers the module's own output tensor for real rows", async () => {
    const { x, y, logits } = digitsAndOutputs(winner.artifacts[0]!.path, 12);
    const r = await post({ id: 'r1', inputs: [{ name: 'pixels', shape: [12, 64], datatype: 'FP32', data: x.flat() }] });
    expect(r.status).toBe(200);
    const [out] = r.body.outputs as { name: string; shape: number[]; datatype: string; data: number[] }[];
    expect(r.body).toMatchObject({ model_name: 'ddp', id: 'r1' });
    expect(out).toMatchObject({ name: 'output-0', shape: [12, 10], datatype: 'FP32' });
    logits.flat().forEach((v, i) => {
      expect(out!.data[i]).toBeCloseTo(v, 5);
    });
    // A trained model: the arg max of most rows is their label.
    const predicted = x.map((_, row) => {
      const scores = out!.data.slice(row * 10, row * 10 + 10);
      return scores.indexOf(Math.max(...scores));
    });
    expect(predicted.filter((p, i) => p === y[i]).length).toBeGreaterThan(8);
  });

  it('refuses a wrong feature count before the model sees it, and keeps serving', async () => {
    const r = await post({ inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] });
    expect(r.status).toBe(400);
    expect(String(r.body.error)).toContain('64 features');
    expect((await fetch(`${server.url}/v2/health/ready`)).status).toBe(200);
  });

  it('says how to save a model that is not TorchScript', async () => {
    const plain = join(tmp.dir, 'state.pt');
    writeFileSync(plain, 'not a TorchScript archive');
    await expect(serveModel({ modelPath: plain, format: 'pytorch', modelName: 'x', port: 0 })).rejects.toThrow(
      /could not load the model .*state\.pt.*torch\.jit\.script/s,
    );
  });

  it('hpo export --to kserve makes a pytorch predictor of the same artifact', () => {
    const r = hpo(['export', 'pytorch-ddp', '--to', 'kserve', '--store', storeDir, '--storage-uri', 'gs://m/ddp/']);
    expect(r.status, r.stderr).toBe(0);
    const isvc = parseYaml(r.stdout);
    expect(isvc.spec.predictor.model).toMatchObject({ modelFormat: { name: 'pytorch' }, storageUri: 'gs://m/ddp/' });
    expect(isvc.metadata.annotations['hpo-workbench.io/model-sha256']).toBe(winner.artifacts[0]!.sha256);
  });
});
