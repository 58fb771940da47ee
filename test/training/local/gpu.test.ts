import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  containerGpuRequests,
  GpuAllocator,
  type GpuLease,
  parseNvidiaSmiList,
} from '../../../src/training/local/index.ts';
import { tempDir } from '../../helpers.ts';
import { addedEnv, distributed, fakeContext, fixture, manifestFor, pod, waitForFile } from './helpers.ts';

const smi = `GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-aaaa)
GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-bbbb)
GPU 2: NVIDIA A100-SXM4-80GB (UUID: GPU-cccc)
  MIG 1g.10gb     Device  0: (UUID: MIG-1111)
  MIG 1g.10gb     Device  1: (UUID: MIG-2222)
  MIG 3g.40gb     Device  2: (UUID: MIG-3333)
`;

describe('GPU inventory and requests', () => {
  it('parses nvidia-smi -L: whole GPUs by index, MIG-enabled GPUs only as their slices', () => {
    expect(parseNvidiaSmiList(smi).map((d) => [d.id, d.resource])).toEqual([
      ['0', 'nvidia.com/gpu'],
      ['1', 'nvidia.com/gpu'],
      ['MIG-1111', 'nvidia.com/mig-1g.10gb'],
      ['MIG-2222', 'nvidia.com/mig-1g.10gb'],
      ['MIG-3333', 'nvidia.com/mig-3g.40gb'],
    ]);
    expect(parseNvidiaSmiList('')).toEqual([]);
  });

  const requestCases: [string, Record<string, unknown>, { resource: string; count: number }[]][] = [
    ['limits', { limits: { 'nvidia.com/gpu': 2, cpu: '1' } }, [{ resource: 'nvidia.com/gpu', count: 2 }]],
    ['requests only, quoted', { requests: { 'nvidia.com/gpu': '1' } }, [{ resource: 'nvidia.com/gpu', count: 1 }]],
    ['a MIG profile', { limits: { 'nvidia.com/mig-1g.10gb': 1 } }, [{ resource: 'nvidia.com/mig-1g.10gb', count: 1 }]],
    ['no GPUs', { limits: { cpu: '2', memory: '1Gi' } }, []],
    ['zero', { limits: { 'nvidia.com/gpu': 0 } }, []],
  ];
  for (const [name, resources, want] of requestCases) {
    it(`reads a container's GPU requests: ${name}`, () => expect(containerGpuRequests({ resources })).toEqual(want));
  }
  it("reads a TrainJob trainer's resourcesPerNode", () => {
    const trainer = { resourcesPerNode: { limits: { 'nvidia.com/gpu': 4 } } };
    expect(containerGpuRequests(trainer)).toEqual([{ resource: 'nvidia.com/gpu', count: 4 }]);
  });
});

describe('GpuAllocator', () => {
  it('hands out disjoint devices and makes a request wait until enough are free (first come, first served)', async () => {
    const gpus = new GpuAllocator(parseNvidiaSmiList(smi));
    const a = await gpus.acquire([{ resource: 'nvidia.com/gpu', count: 1 }]);
    const order: string[] = [];
    const granted = (name: string) => (lease: GpuLease) => {
      order.push(name);
      return lease;
    };
    const b = gpus.acquire([{ resource: 'nvidia.com/gpu', count: 2 }]).then(granted('b'));
    const c = gpus.acquire([{ resource: 'nvidia.com/gpu', count: 1 }]).then(granted('c'));
    await new Promise((r) => setTimeout(r, 20));
    // One GPU is free, but the larger request came first: neither b nor c is granted yet.
    expect(order).toEqual([]);
    a.release();
    const lb = await b;
    expect([...lb.devices[0]!].sort()).toEqual(['0', '1']);
    lb.release();
    const lc = await c;
    expect(order).toEqual(['b', 'c']);
    expect(lc.devices).toHaveLength(1);
  });

  it('a waiting request gives up when its trial is stopped', async () => {
    const gpus = new GpuAllocator(parseNvidiaSmiList(smi));
    await gpus.acquire([{ resource: 'nvidia.com/mig-3g.40gb', count: 1 }]);
    const abort = new AbortController();
    const waiting = gpus.acquire([{ resource: 'nvidia.com/mig-3g.40gb', count: 1 }], abort.signal);
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    expect(gpus.available('nvidia.com/mig-1g.10gb')).toBe(2);
  });
});

let tmp: ReturnType<typeof tempDir>;
const savedIgnore = process.env.HPO_IGNORE_GPU_REQUESTS;
beforeEach(() => {
  tmp = tempDir('hpo-dist-gpu-');
  delete process.env.HPO_IGNORE_GPU_REQUESTS;
});
afterEach(() => {
  tmp.cleanup();
  if (savedIgnore === undefined) delete process.env.HPO_IGNORE_GPU_REQUESTS;
  else process.env.HPO_IGNORE_GPU_REQUESTS = savedIgnore;
});

function gpuJob(masterGpus: number, workerGpus: number, workers = 1, masterArgs: string[] = []) {
  const res = (n: number) => (n > 0 ? { resources: { limits: { 'nvidia.com/gpu': n } } } : {});
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    spec: {
      pytorchReplicaSpecs: {
        Master: { replicas: 1, ...pod('pytorch', masterArgs, res(masterGpus)) },
        Worker: { replicas: workers, ...pod('pytorch', [], res(workerGpus)) },
      },
    },
  };
}

function cuda(dir: string): string | undefined {
  return addedEnv(dir).CUDA_VISIBLE_DEVICES;
}

describe('LocalDistributedExecutor: GPU requests become CUDA_VISIBLE_DEVICES slices', () => {
  it('gives each replica its own devices; a replica without a request sees none', async () => {
    const gpus = new GpuAllocator(parseNvidiaSmiList(smi));
    const exec = distributed({ manifest: manifestFor(gpuJob(1, 1, 2), { primary: 'pytorch' }), gpus });
    const { ctx } = fakeContext(tmp.dir);
    // Three GPUs asked for, two whole GPUs here: the trial cannot ever run.
    const result = await exec.run(ctx);
    expect(result).toMatchObject({
      outcome: 'failed',
      message: expect.stringContaining('requests 3 nvidia.com/gpu but this machine has 2'),
    });

    const exec2 = distributed({
      manifest: manifestFor(gpuJob(1, 1, 1), { primary: 'pytorch' }),
      gpus,
    });
    expect((await exec2.run(ctx)).outcome).toBe('completed');
    const m = addedEnv(join(tmp.dir, 'master-0'));
    expect(m.CUDA_DEVICE_ORDER).toBe('PCI_BUS_ID');
    expect([m.CUDA_VISIBLE_DEVICES, cuda(join(tmp.dir, 'worker-0'))].sort()).toEqual(['0', '1']);
    expect(gpus.available('nvidia.com/gpu')).toBe(2);

    const exec3 = distributed({
      manifest: manifestFor(gpuJob(1, 0, 1), { primary: 'pytorch' }),
      gpus,
    });
    expect((await exec3.run(ctx)).outcome).toBe('completed');
    expect(cuda(join(tmp.dir, 'worker-0'))).toBe('');
  });

  it('a trial waits while another trial holds the GPUs it needs', async () => {
    const gpus = new GpuAllocator(parseNvidiaSmiList(smi));
    const first = fakeContext(join(tmp.dir, 'a'));
    const second = fakeContext(join(tmp.dir, 'b'));
    const slow = distributed({
      manifest: manifestFor(gpuJob(1, 1, 1, ['--sleep', '1200']), { primary: 'pytorch' }),
      gpus,
    });
    const fast = distributed({ manifest: manifestFor(gpuJob(1, 1), { primary: 'pytorch' }), gpus });
    const a = slow.run(first.ctx);
    await waitForFile(join(tmp.dir, 'a', 'master-0', 'env.json'));
    const b = fast.run(second.ctx);
    await new Promise((r) => setTimeout(r, 300));
    // The second trial has not started any replica while the first holds both GPUs.
    expect(existsSync(join(tmp.dir, 'b', 'master-0', 'env.json'))).toBe(false);
    expect((await a).outcome).toBe('completed');
    expect((await b).outcome).toBe('completed');
    expect([cuda(join(tmp.dir, 'b', 'master-0')), cuda(join(tmp.dir, 'b', 'worker-0'))].sort()).toEqual(['0', '1']);
  });

  it('a MIG request gets a MIG device UUID', async () => {
    const gpus = new GpuAllocator(parseNvidiaSmiList(smi));
    const spec = gpuJob(0, 0);
    spec.spec.pytorchReplicaSpecs.Master.template.spec.containers[0]!.resources = {
      limits: { 'nvidia.com/mig-3g.40gb': 1 },
    };
    const exec = distributed({ manifest: manifestFor(spec, { primary: 'pytorch' }), gpus });
    const { ctx } = fakeContext(tmp.dir);
    expect((await exec.run(ctx)).outcome).toBe('completed');
    expect(addedEnv(join(tmp.dir, 'master-0'))).toMatchObject({ CUDA_VISIBLE_DEVICES: 'MIG-3333' });
    expect(addedEnv(join(tmp.dir, 'master-0')).CUDA_DEVICE_ORDER).toBeUndefined();
  });

  it("an MPI launcher holds its workers' GPUs for their ranks", async () => {
    const gpus = new GpuAllocator(parseNvidiaSmiList(smi));
    const worker = { name: 'w', image: 'x', resources: { limits: { 'nvidia.com/gpu': 1 } } };
    const spec = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'MPIJob',
      spec: {
        mpiReplicaSpecs: {
          Launcher: {
            replicas: 1,
            template: {
              spec: {
                containers: [{ name: 'l', image: 'x', command: ['mpirun', 'node', fixture('mpiRank.mjs'), '1'] }],
              },
            },
          },
          Worker: { replicas: 2, template: { spec: { containers: [worker] } } },
        },
      },
    };
    const exec = distributed({ manifest: manifestFor(spec, { primary: 'l' }), gpus });
    const { ctx } = fakeContext(tmp.dir);
    expect((await exec.run(ctx)).outcome).toBe('completed');
    const rank0 = JSON.parse(readFileSync(join(tmp.dir, 'launcher-0', 'rank-0.json'), 'utf8')) as { cuda: string };
    expect(rank0.cuda.split(',').sort()).toEqual(['0', '1']);
  });

  it('with no nvidia-smi the trial fails with a clear message, unless HPO_IGNORE_GPU_REQUESTS=1', async () => {
    const manifest = manifestFor(gpuJob(1, 1), { primary: 'pytorch' });
    const { ctx } = fakeContext(tmp.dir);
    const result = await distributed({ manifest, gpus: null }).run(ctx);
    expect(result).toMatchObject({
      outcome: 'failed',
      message: expect.stringContaining('requests 2 GPUs but this machine has none (nvidia-smi not found)'),
    });
    expect(existsSync(join(tmp.dir, 'master-0'))).toBe(false);
    process.env.HPO_IGNORE_GPU_REQUESTS = '1';
    expect((await distributed({ manifest, gpus: null }).run(ctx)).outcome).toBe('completed');
    expect(cuda(join(tmp.dir, 'master-0'))).toBeUndefined();
  });
});
