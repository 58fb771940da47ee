// A TypeScript user builds a PyTorchJob trial template with GPU requests through the public builders and runs
// it with Experiment.run(), which must pick the local distributed launcher exactly as `hpo run` does.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Experiment, search } from '../../src/index.ts';
import { buildJobManifest, LocalDistributedExecutor, validateJobManifest } from '../../src/training/index.ts';
import { tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
const saved = { path: process.env.PATH, ignore: process.env.HPO_IGNORE_GPU_REQUESTS };
beforeEach(() => {
  tmp = tempDir('hpo-ts-pytorchjob-');
  delete process.env.HPO_IGNORE_GPU_REQUESTS;
  // Two whole GPUs, as `nvidia-smi -L` lists them; detection runs once per process, so this file owns it.
  const smi = join(tmp.dir, 'nvidia-smi');
  writeFileSync(
    smi,
    '#!/bin/sh\necho "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-aaaa)"\necho "GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-bbbb)"\n',
  );
  chmodSync(smi, 0o755);
  process.env.PATH = `${tmp.dir}:${saved.path ?? ''}`;
});
afterEach(() => {
  process.env.PATH = saved.path;
  if (saved.ignore === undefined) delete process.env.HPO_IGNORE_GPU_REQUESTS;
  else process.env.HPO_IGNORE_GPU_REQUESTS = saved.ignore;
  tmp.cleanup();
});

/** Each replica writes what the operator contract gave it; rank 0 reports a loss that depends on lr. */
const replica = `
const { writeFileSync } = require('node:fs');
const lr = Number(process.argv[2]);
writeFileSync('replica.json', JSON.stringify({ rank: process.env.RANK, world: process.env.WORLD_SIZE,
  master: process.env.MASTER_ADDR + ':' + process.env.MASTER_PORT, cuda: process.env.CUDA_VISIBLE_DEVICES }));
if (process.env.RANK === '0') console.log('loss=' + (Math.log10(lr) + 2) ** 2);
`;

describe('a PyTorchJob with GPU requests written in TypeScript', () => {
  it('runs through Experiment.run() on the local distributed launcher, one GPU per replica', async () => {
    const script = join(tmp.dir, 'train.cjs');
    writeFileSync(script, replica);
    const trialSpec = buildJobManifest({
      name: '',
      kind: 'PyTorchJob',
      replicas: { Master: 1, Worker: 1 },
      image: 'pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime',
      command: [process.execPath, script, '${trialParameters.lr}'],
      gpusPerReplica: 1,
    });
    expect(validateJobManifest(trialSpec)).toEqual([]);
    const exp = Experiment.create({
      name: 'ts-pytorchjob',
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'random', algorithmSettings: { random_state: 3 } },
      parameters: [search.double('lr', 1e-4, 1, { log: true })],
      trialTemplate: {
        primaryContainerName: 'pytorch',
        trialParameters: [{ name: 'lr', reference: 'lr' }],
        trialSpec,
      },
      maxTrialCount: 2,
      parallelTrialCount: 1,
      store: join(tmp.dir, 'store'),
    });
    expect(exp.templateExecutor()).toBeInstanceOf(LocalDistributedExecutor);
    const result = await exp.run();
    await exp.close();
    expect(result.status).toBe('Succeeded');
    expect(result.trials.map((t) => t.state)).toEqual(['Succeeded', 'Succeeded']);
    for (const t of result.trials) {
      const dir = join(tmp.dir, 'store', 'experiments', 'ts-pytorchjob', 'trials', t.name);
      const master = JSON.parse(readFileSync(join(dir, 'master-0', 'replica.json'), 'utf8'));
      const worker = JSON.parse(readFileSync(join(dir, 'worker-0', 'replica.json'), 'utf8'));
      expect([master.rank, worker.rank, master.world, worker.world]).toEqual(['0', '1', '2', '2']);
      expect(master.master).toBe(worker.master);
      expect([master.cuda, worker.cuda].sort()).toEqual(['0', '1']);
      const lr = t.parameters.lr as number;
      expect(t.objective).toBeCloseTo((Math.log10(lr) + 2) ** 2, 10);
    }
  });
});
