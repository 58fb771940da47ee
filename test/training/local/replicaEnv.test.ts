import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers.ts';
import { addedEnv, distributed, fakeContext, manifestFor, pod } from './helpers.ts';

let tmp: ReturnType<typeof tempDir>;
// Variables this process may have inherited that the operators also set: unset while testing, so that an
// injected value equal to the inherited one still shows up as injected.
const shadowed = ['PYTHONUNBUFFERED', 'MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'LOCAL_RANK', 'TF_CONFIG'];
const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  tmp = tempDir('hpo-dist-env-');
  for (const k of shadowed) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
});
afterEach(() => {
  tmp.cleanup();
  for (const k of shadowed) if (saved[k] !== undefined) process.env[k] = saved[k];
});

const H = '127.0.0.1';

/** Runs a job whose replicas are replica.mjs and returns each replica's added environment by folder name. */
async function runJob(
  trialSpec: Record<string, unknown>,
  replicaNames: readonly string[],
  primary: string,
): Promise<{ envs: Record<string, Record<string, string>>; warnings: string[] }> {
  const executor = distributed({ manifest: manifestFor(trialSpec, { primary }), gpus: null });
  const { ctx, warnings } = fakeContext(tmp.dir);
  const result = await executor.run(ctx);
  expect(result).toEqual({ outcome: 'completed', exitCode: 0 });
  const envs: Record<string, Record<string, string>> = {};
  for (const name of replicaNames) envs[name] = addedEnv(join(tmp.dir, name));
  return { envs, warnings };
}

function job(kind: string, key: string, roles: Record<string, [number, Record<string, unknown>]>, spec = {}) {
  const replicaSpecs = Object.fromEntries(Object.entries(roles).map(([r, [n, p]]) => [r, { replicas: n, ...p }]));
  return { apiVersion: 'kubeflow.org/v1', kind, spec: { ...spec, [key]: replicaSpecs } };
}

describe('LocalDistributedExecutor: the exact variables each operator injects, per replica', () => {
  it('PyTorchJob: MASTER_*/PET_* on 127.0.0.1 and a free port, WORLD_SIZE, RANK (workers after the master)', async () => {
    const spec = job('PyTorchJob', 'pytorchReplicaSpecs', {
      Master: [1, pod('pytorch', [])],
      Worker: [2, pod('pytorch', [])],
    });
    const { envs } = await runJob(spec, ['master-0', 'worker-0', 'worker-1'], 'pytorch');
    const port = envs['master-0']!.MASTER_PORT!;
    expect(Number(port)).toBeGreaterThan(0);
    const expected = (rank: number) => ({
      PYTHONUNBUFFERED: '0',
      MASTER_ADDR: H,
      MASTER_PORT: port,
      PET_MASTER_ADDR: H,
      PET_MASTER_PORT: port,
      WORLD_SIZE: '3',
      RANK: String(rank),
      PET_NODE_RANK: String(rank),
      PET_NPROC_PER_NODE: 'auto',
      PET_NNODES: '3',
      LOCAL_RANK: '0',
    });
    expect(envs).toEqual({ 'master-0': expected(0), 'worker-0': expected(1), 'worker-1': expected(2) });
  });

  it('TFJob: TF_CONFIG with chief/ps/worker host:port lists (no evaluator) and each task', async () => {
    // The chief outlives the others' start: the PS is stopped as soon as the chief completes.
    const spec = job('TFJob', 'tfReplicaSpecs', {
      Chief: [1, pod('tensorflow', ['--sleep', '1500'])],
      PS: [1, pod('tensorflow', [])],
      Worker: [2, pod('tensorflow', [])],
      Evaluator: [1, pod('tensorflow', [])],
    });
    const names = ['chief-0', 'ps-0', 'worker-0', 'worker-1', 'evaluator-0'];
    const { envs } = await runJob(spec, names, 'tensorflow');
    const configs = names.map((n) => {
      expect(Object.keys(envs[n]!)).toEqual(['TF_CONFIG']);
      return JSON.parse(envs[n]!.TF_CONFIG!) as { cluster: Record<string, string[]>; task: unknown };
    });
    const cluster = configs[0]!.cluster;
    expect(Object.keys(cluster)).toEqual(['chief', 'ps', 'worker']);
    const addresses = Object.values(cluster).flat();
    expect(addresses).toHaveLength(4);
    for (const a of addresses) expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(new Set(addresses).size).toBe(4);
    const tasks = [
      { type: 'chief', index: 0 },
      { type: 'ps', index: 0 },
      { type: 'worker', index: 0 },
      { type: 'worker', index: 1 },
      { type: 'evaluator', index: 0 },
    ];
    expect(configs).toEqual(tasks.map((task) => ({ cluster, task, environment: 'cloud' })));
  });

  it('TFJob: no TF_CONFIG in a container not named tensorflow, with a warning', async () => {
    const spec = job('TFJob', 'tfReplicaSpecs', { Chief: [1, pod('main', [])], Worker: [1, pod('main', [])] });
    const { envs, warnings } = await runJob(spec, ['chief-0', 'worker-0'], 'main');
    expect(envs).toEqual({ 'chief-0': {}, 'worker-0': {} });
    expect(warnings.join('\n')).toContain("only in a container named 'tensorflow'");
  });

  it('XGBoostJob: MASTER_*, WORLD_SIZE, RANK offset by the master, WORKER_PORT/WORKER_ADDRS', async () => {
    const spec = job('XGBoostJob', 'xgbReplicaSpecs', {
      Master: [1, pod('xgboost', [])],
      Worker: [2, pod('xgboost', [])],
    });
    const { envs } = await runJob(spec, ['master-0', 'worker-0', 'worker-1'], 'xgboost');
    const m = envs['master-0']!;
    expect(m.WORKER_PORT).not.toBe(m.MASTER_PORT);
    const expected = (rank: number) => ({
      MASTER_ADDR: H,
      MASTER_PORT: m.MASTER_PORT,
      WORLD_SIZE: '3',
      RANK: String(rank),
      PYTHONUNBUFFERED: '0',
      WORKER_PORT: m.WORKER_PORT,
      WORKER_ADDRS: `${H},${H}`,
    });
    expect(envs).toEqual({ 'master-0': expected(0), 'worker-0': expected(1), 'worker-1': expected(2) });
  });

  it('JAXJob: COORDINATOR_* of worker 0, NUM_PROCESSES, PROCESS_ID', async () => {
    const spec = job('JAXJob', 'jaxReplicaSpecs', { Worker: [3, pod('jax', [])] });
    const { envs } = await runJob(spec, ['worker-0', 'worker-1', 'worker-2'], 'jax');
    const port = envs['worker-0']!.COORDINATOR_PORT;
    const expected = (id: number) => ({
      PYTHONUNBUFFERED: '1',
      COORDINATOR_ADDRESS: H,
      COORDINATOR_PORT: port,
      NUM_PROCESSES: '3',
      PROCESS_ID: String(id),
    });
    expect(envs).toEqual({ 'worker-0': expected(0), 'worker-1': expected(1), 'worker-2': expected(2) });
  });

  it('PaddleJob collective mode: PADDLE_* with worker 0 as the endpoint (it also gets POD_IP_DUMMY)', async () => {
    const spec = job('PaddleJob', 'paddleReplicaSpecs', { Worker: [2, pod('paddle', [])] });
    const { envs } = await runJob(spec, ['worker-0', 'worker-1'], 'paddle');
    const master = envs['worker-0']!.PADDLE_MASTER!;
    expect(master).toMatch(/^127\.0\.0\.1:\d+$/);
    const base = { PYTHONUNBUFFERED: '0', PADDLE_JOB_ID: 'dist-trial', PADDLE_NNODES: '2', PADDLE_MASTER: master };
    expect(envs).toEqual({ 'worker-0': { ...base, POD_IP_DUMMY: H }, 'worker-1': base });
  });

  it('PaddleJob PS mode: the Master is the endpoint and a server, the workers trainers', async () => {
    const spec = job('PaddleJob', 'paddleReplicaSpecs', {
      Master: [1, pod('paddle', [])],
      Worker: [1, pod('paddle', [])],
    });
    const { envs } = await runJob(spec, ['master-0', 'worker-0'], 'paddle');
    const master = envs['master-0']!.PADDLE_MASTER!;
    const base = { PYTHONUNBUFFERED: '0', PADDLE_JOB_ID: 'dist-trial', PADDLE_NNODES: '2', PADDLE_MASTER: master };
    expect(envs).toEqual({
      'master-0': { ...base, POD_IP_DUMMY: H, PADDLE_SERVER_NUM: '1' },
      'worker-0': { ...base, PADDLE_TRAINER_NUM: '1' },
    });
  });

  it('TrainJob (torch runtime): PET_* per node, node 0 the master', async () => {
    const spec = {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      spec: {
        runtimeRef: { name: 'torch-distributed' },
        trainer: { image: 'x', numNodes: 2, command: ['node', fixtureReplica()] },
      },
    };
    const { envs } = await runJob(spec, ['node-0', 'node-1'], 'node');
    const port = envs['node-0']!.PET_MASTER_PORT;
    const expected = (rank: number) => ({
      PET_NNODES: '2',
      PET_NPROC_PER_NODE: 'auto',
      PET_NODE_RANK: String(rank),
      PET_MASTER_ADDR: H,
      PET_MASTER_PORT: port,
    });
    expect(envs).toEqual({ 'node-0': expected(0), 'node-1': expected(1) });
  });

  it('collects metrics from the master replica only and gives every replica its own log', async () => {
    const spec = job('PyTorchJob', 'pytorchReplicaSpecs', {
      Master: [1, pod('pytorch', ['--print', 'score=0.75', '--print', 'master says hi'])],
      Worker: [1, pod('pytorch', ['--print', 'score=0.25', '--print', 'worker says hi'])],
    });
    const executor = distributed({ manifest: manifestFor(spec, { primary: 'pytorch' }), gpus: null });
    const { ctx, reports } = fakeContext(tmp.dir);
    expect((await executor.run(ctx)).outcome).toBe('completed');
    expect(reports.map((r) => `${r.name}=${r.value}`)).toEqual(['score=0.75']);
    expect(readFileSync(ctx.logPath, 'utf8')).toContain('master says hi');
    expect(readFileSync(`${ctx.logPath}.worker-0`, 'utf8')).toContain('worker says hi');
    expect(readFileSync(`${ctx.logPath}.worker-0`, 'utf8')).not.toContain('master');
  });
});

function fixtureReplica(): string {
  return (pod('x', []).template.spec.containers[0]!.command as string[])[1]!;
}
