import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalDistributedExecutor } from '../../../src/training/local/index.ts';
import type { StopReason } from '../../../src/trial/executor.ts';
import { tempDir } from '../../helpers.ts';
import type { Runnable } from '../../trial/runExecutor.ts';
import { alive, distributed, fakeContext, manifestFor, pod, recordedPid, waitForFile } from './helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hpo-dist-life-');
});
afterEach(() => tmp.cleanup());

/** The replica process-group leaders the executor recorded for recovery (every replica it started). */
function groupLeaders(): number[] {
  const doc = JSON.parse(readFileSync(join(tmp.dir, '.hpo-pid'), 'utf8')) as { processes: { pid: number }[] };
  return doc.processes.map((p) => p.pid);
}

function pytorch(master: readonly string[], worker: readonly string[], workers = 1, spec = {}) {
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    spec: {
      ...spec,
      pytorchReplicaSpecs: {
        Master: { replicas: 1, ...pod('pytorch', master) },
        Worker: { replicas: workers, ...pod('pytorch', worker) },
      },
    },
  };
}

function executor(trialSpec: Record<string, unknown>, extra = {}): Runnable<LocalDistributedExecutor> {
  return distributed({
    manifest: manifestFor(trialSpec, { primary: 'pytorch' }),
    gpus: null,
    killGraceMs: 500,
    ...extra,
  });
}

describe('LocalDistributedExecutor: failures and stops reach every replica', () => {
  it('a replica exiting 3 stops the others and fails the trial with its role, index, exit status and log tail', async () => {
    const spec = pytorch(
      ['--forever'],
      ['--print', 'loading shard', '--print', 'boom: bad shard', '--sleep', '300', '--exit', '3'],
    );
    const { ctx } = fakeContext(tmp.dir);
    const started = Date.now();
    const result = await executor(spec).run(ctx);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.outcome).toBe('failed');
    if (result.outcome !== 'failed') return;
    expect(result.reason).toBe('TrialFailed');
    expect(result.exitCode).toBe(3);
    expect(result.message).toContain('replica Worker-0 exited with code 3');
    expect(result.message).toContain(`${ctx.logPath}.worker-0`);
    expect(result.message).toContain('boom: bad shard');
    // The master, which would have run forever, is gone.
    expect(groupLeaders().map(alive)).toEqual([false, false]);
  });

  it('aborting the trial stops every replica process', async () => {
    const spec = pytorch(['--forever'], ['--forever'], 2);
    const { ctx, abort } = fakeContext(tmp.dir);
    const running = executor(spec).run(ctx);
    const dirs = ['master-0', 'worker-0', 'worker-1'].map((d) => join(tmp.dir, d));
    for (const d of dirs) await waitForFile(join(d, 'pid'));
    const pids = dirs.map(recordedPid);
    expect(pids.every(alive)).toBe(true);
    const reason: StopReason = { kind: 'Killed', reason: 'Interrupted', message: 'stopped by the test' };
    abort.abort(reason);
    expect(await running).toEqual({ outcome: 'stopped' });
    expect(pids.map(alive)).toEqual([false, false, false]);
  });

  it("the master's success completes the trial; a TF parameter server is stopped, not waited for", async () => {
    const spec = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'TFJob',
      spec: {
        tfReplicaSpecs: {
          Chief: { replicas: 1, ...pod('tensorflow', ['--sleep', '800', '--print', 'score=0.5']) },
          PS: { replicas: 1, ...pod('tensorflow', ['--forever']) },
        },
      },
    };
    const exec = distributed({ manifest: manifestFor(spec, { primary: 'tensorflow' }), gpus: null });
    const { ctx, reports } = fakeContext(tmp.dir);
    const started = Date.now();
    expect(await exec.run(ctx)).toEqual({ outcome: 'completed', exitCode: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(reports.map((r) => r.value)).toEqual(['0.5']);
    expect(groupLeaders().map(alive)).toEqual([false, false]);
  });

  it('a worker still running after the master completed is stopped after the grace period', async () => {
    const spec = pytorch(['--exit', '0'], ['--forever']);
    const { ctx, warnings } = fakeContext(tmp.dir);
    const started = Date.now();
    const result = await executor(spec, { finishGraceMs: 300 }).run(ctx);
    expect(result).toEqual({ outcome: 'completed', exitCode: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(groupLeaders().map(alive)).toEqual([false, false]);
    expect(warnings).toEqual([]);
  });

  it('runPolicy.activeDeadlineSeconds stops all replicas and fails with DeadlineExceeded', async () => {
    const spec = pytorch(['--forever'], ['--forever'], 1, { runPolicy: { activeDeadlineSeconds: 1 } });
    const { ctx } = fakeContext(tmp.dir);
    const result = await executor(spec).run(ctx);
    expect(result.outcome).toBe('failed');
    if (result.outcome === 'failed') expect(result.reason).toBe('DeadlineExceeded');
    expect(groupLeaders().map(alive)).toEqual([false, false]);
  });

  it('a replica whose command cannot start fails the trial naming the replica', async () => {
    const spec = pytorch(['--forever'], []);
    spec.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0]!.command = ['/no/such/program'];
    const { ctx } = fakeContext(tmp.dir);
    const result = await executor(spec).run(ctx);
    expect(result.outcome).toBe('failed');
    if (result.outcome === 'failed') expect(result.message).toMatch(/^replica Worker-0: .*\/no\/such\/program/);
  });

  it('a replica without a command fails the trial before anything starts', async () => {
    const spec = pytorch([], []);
    delete spec.spec.pytorchReplicaSpecs.Worker.template.spec.containers[0]!.command;
    const { ctx } = fakeContext(tmp.dir);
    const result = await executor(spec).run(ctx);
    expect(result).toMatchObject({
      outcome: 'failed',
      message: expect.stringContaining('replica Worker has no command'),
    });
  });

  it('recover() kills the replica process groups a dead controller left behind', async () => {
    const spec = pytorch(['--forever'], ['--forever']);
    const { ctx, abort } = fakeContext(tmp.dir);
    const exec = executor(spec);
    const running = exec.run(ctx);
    for (const d of ['master-0', 'worker-0']) await waitForFile(join(tmp.dir, d, 'pid'));
    const pids = ['master-0', 'worker-0'].map((d) => recordedPid(join(tmp.dir, d)));
    // A fresh executor (a restarted controller) reads the pid file and kills the groups.
    executor(spec).recover({ name: ctx.trial, workDir: tmp.dir });
    const result = await running;
    expect(result.outcome).toBe('failed');
    expect(pids.map(alive)).toEqual([false, false]);
    abort.abort();
  });
});

describe('LocalDistributedExecutor: replicas end with their main process', () => {
  it('a replica whose child escaped with setsid still completes promptly, and the child is gone', async () => {
    const sh = (name: string, script: string) => ({
      template: { spec: { containers: [{ name, image: 'sh', command: ['sh', '-c', script] }] } },
    });
    // Each replica waits until its escaped sleep is in its own session, so the group kill alone cannot reach it.
    // `$$$$` because Kubernetes (and so the launcher) turns `$$` in a command into `$`.
    const escapeGroup =
      "setsid sh -c 'echo $$$$ > escaped.pid; exec sleep 1000' & while [ ! -s escaped.pid ]; do sleep 0.05; done";
    const spec = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      spec: {
        pytorchReplicaSpecs: {
          Master: { replicas: 1, ...sh('pytorch', `${escapeGroup}; echo score=0.5`) },
          Worker: { replicas: 1, ...sh('pytorch', escapeGroup) },
        },
      },
    };
    const { ctx, reports } = fakeContext(tmp.dir);
    const started = Date.now();
    expect(await executor(spec).run(ctx)).toEqual({ outcome: 'completed', exitCode: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(reports.map((r) => r.value)).toEqual(['0.5']);
    const escaped = ['master-0', 'worker-0'].map((d) => recordedPidIn(join(tmp.dir, d, 'escaped.pid')));
    expect(escaped.every((p) => p > 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(escaped.map(alive)).toEqual([false, false]);
  });
});

function recordedPidIn(file: string): number {
  return Number(readFileSync(file, 'utf8'));
}
