import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostfileText, localMpirunArgv, mpiSlots } from '../../../src/training/local/index.ts';
import { tempDir } from '../../helpers.ts';
import { alive, distributed, fakeContext, fixture, manifestFor, waitForFile } from './helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hpo-dist-mpi-');
});
afterEach(() => tmp.cleanup());

const o = { hostfile: '/t/hostfile', slots: 2, root: false, cores: 8 };

describe('localMpirunArgv: the launcher command made local', () => {
  const cases: { name: string; argv: string[]; opts?: Partial<typeof o>; want: string[] }[] = [
    {
      name: "Katib's horovod example: options kept, hostfile added, program and its args untouched",
      argv: [
        'mpirun',
        '-np',
        '2',
        '--allow-run-as-root',
        '-bind-to',
        'none',
        '-x',
        'PATH',
        '-mca',
        'btl',
        '^openib',
        'python',
        'train.py',
        '--lr',
        '0.01',
      ],
      want: [
        'mpirun',
        '--hostfile',
        '/t/hostfile',
        '-np',
        '2',
        '--allow-run-as-root',
        '-bind-to',
        'none',
        '-x',
        'PATH',
        '-mca',
        'btl',
        '^openib',
        'python',
        'train.py',
        '--lr',
        '0.01',
      ],
    },
    {
      name: 'host options naming pods are dropped, -np added from the slots when missing',
      argv: [
        'mpirun',
        '--host',
        'pi-worker-0,pi-worker-1',
        '--hostfile=/etc/mpi/hostfile',
        '/home/mpiuser/pi',
        '-H',
        'x',
      ],
      want: ['mpirun', '--hostfile', '/t/hostfile', '-np', '2', '/home/mpiuser/pi', '-H', 'x'],
    },
    {
      name: 'as root: --allow-run-as-root; more ranks than cores: --oversubscribe',
      argv: ['/usr/bin/mpiexec', '-n', '4', 'prog'],
      opts: { root: true, cores: 2 },
      want: [
        '/usr/bin/mpiexec',
        '--hostfile',
        '/t/hostfile',
        '--allow-run-as-root',
        '--oversubscribe',
        '-n',
        '4',
        'prog',
      ],
    },
    {
      name: 'flags already given are not repeated',
      argv: ['mpirun', '--oversubscribe', '-allow-run-as-root', '-np', '4', 'prog'],
      opts: { root: true, cores: 2 },
      want: ['mpirun', '--hostfile', '/t/hostfile', '--oversubscribe', '-allow-run-as-root', '-np', '4', 'prog'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(localMpirunArgv(c.argv, { ...o, ...c.opts })).toEqual(c.want));
  }

  it('the hostfile puts every slot on this machine', () => {
    expect(mpiSlots(3, 2, false)).toBe(6);
    expect(mpiSlots(3, 2, true)).toBe(8);
    expect(hostfileText(6)).toBe('localhost slots=6\n');
  });
});

function mpiJob(launcher: Record<string, unknown>, worker: Record<string, unknown>, workers: number, spec = {}) {
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'MPIJob',
    spec: {
      slotsPerWorker: 1,
      ...spec,
      mpiReplicaSpecs: {
        Launcher: {
          replicas: 1,
          template: { spec: { containers: [{ name: 'mpi-launcher', image: 'x', ...launcher }] } },
        },
        Worker: {
          replicas: workers,
          template: { spec: { containers: [{ name: 'mpi-worker', image: 'x', ...worker }] } },
        },
      },
    },
  };
}

function ranks(dir: string, n: number): { rank: number; size: number; pid: number }[] {
  return Array.from({ length: n }, (_, r) => JSON.parse(readFileSync(join(dir, `rank-${r}.json`), 'utf8')));
}

describe('LocalDistributedExecutor: MPIJob trials through mpirun', () => {
  it("runs the launcher's mpirun as written (Katib's MPIJob example form); rank 0's metric is collected", async () => {
    const spec = mpiJob(
      {
        command: ['mpirun'],
        args: [
          '-np',
          '2',
          '-bind-to',
          'none',
          '-map-by',
          'slot',
          '-x',
          'PATH',
          'node',
          fixture('mpiRank.mjs'),
          '${trialParameters.x}',
        ],
      },
      {},
      2,
    );
    const manifest = manifestFor(spec, { primary: 'mpi-launcher', parameters: [{ name: 'x', reference: 'x' }] });
    const exec = distributed({ manifest, gpus: null });
    const { ctx, reports } = fakeContext(tmp.dir, { x: 1.5 });
    expect(await exec.run(ctx)).toEqual({ outcome: 'completed', exitCode: 0 });
    expect(reports.map((r) => `${r.name}=${r.value}`)).toEqual(['score=3']);
    expect(ranks(join(tmp.dir, 'launcher-0'), 2).map((r) => [r.rank, r.size])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(readFileSync(join(tmp.dir, '.hpo-mpi', 'hostfile'), 'utf8')).toBe('localhost slots=2\n');
  });

  it('synthesises mpirun -np workers×slotsPerWorker around the worker command when the launcher has none', async () => {
    const spec = mpiJob({}, { command: ['node', fixture('mpiRank.mjs'), '2'] }, 3, { slotsPerWorker: 1 });
    const exec = distributed({ manifest: manifestFor(spec, { primary: 'mpi-launcher' }), gpus: null });
    const { ctx, reports } = fakeContext(tmp.dir);
    expect(await exec.run(ctx)).toEqual({ outcome: 'completed', exitCode: 0 });
    expect(reports.map((r) => r.value)).toEqual(['6']);
    expect(ranks(join(tmp.dir, 'launcher-0'), 3).map((r) => r.size)).toEqual([3, 3, 3]);
  });

  it("a failing rank fails the trial with the launcher's exit status and output", async () => {
    const spec = mpiJob(
      {
        command: [
          'mpirun',
          '-np',
          '2',
          'node',
          '-e',
          'console.log("rank died"); process.exit(Number(process.env.OMPI_COMM_WORLD_RANK) + 2)',
        ],
      },
      {},
      2,
    );
    const exec = distributed({ manifest: manifestFor(spec, { primary: 'mpi-launcher' }), gpus: null });
    const { ctx } = fakeContext(tmp.dir);
    const result = await exec.run(ctx);
    expect(result.outcome).toBe('failed');
    if (result.outcome !== 'failed') return;
    expect(result.message).toMatch(/^replica Launcher-0 exited with code [1-9]/);
    expect(result.message).toContain('rank died');
  });

  it('aborting the trial stops mpirun and every rank', async () => {
    const spec = mpiJob({ command: ['mpirun', 'node', fixture('mpiRank.mjs'), '1', '--forever'] }, {}, 2);
    const exec = distributed({ manifest: manifestFor(spec, { primary: 'mpi-launcher' }), gpus: null });
    const { ctx, abort } = fakeContext(tmp.dir);
    const running = exec.run(ctx);
    const dir = join(tmp.dir, 'launcher-0');
    for (const r of [0, 1]) await waitForFile(join(dir, `rank-${r}.json`));
    const pids = ranks(dir, 2).map((r) => r.pid);
    expect(pids.every(alive)).toBe(true);
    abort.abort();
    expect(await running).toEqual({ outcome: 'stopped' });
    expect(pids.map(alive)).toEqual([false, false]);
  });
});
