// Stuck trials through the real @kubernetes/client-node against the fake API server: the operator leaves the pods
// with the status (and events) a real kubelet or scheduler writes, and the executor must end the trial with the
// reason and a fix within the grace period instead of waiting for the deadline.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeRun } from '../../fixtures/k8s/fakeOperator.ts';
import type { FakeObject } from '../../fixtures/k8s/fakeStore.ts';
import { type FakeCluster, fakeExecutor, pytorchExperiment, recordingContext, startCluster } from './harness.ts';

let cluster: FakeCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const image = 'docker.io/kubeflowkatib/pytorch-mnist-cpu:latest';

/** Pod status with the given container states (the trial's container is `pytorch`). */
function containers(...states: Record<string, unknown>[]): (pod: FakeObject) => Record<string, unknown> {
  return () => ({
    phase: 'Pending',
    containerStatuses: states.map((s) => ({ name: 'pytorch', image, ready: false, restartCount: 0, ...s })),
  });
}

const waiting = (reason: string, message: string) => ({ state: { waiting: { reason, message } } });

interface Case {
  readonly name: string;
  readonly run: FakeRun;
  readonly reason: string;
  /** Parts the message must contain: the cause and the fix. */
  readonly says: readonly string[];
}

const cases: Case[] = [
  {
    name: 'an image that cannot be pulled',
    run: {
      podStatus: containers(waiting('ImagePullBackOff', `Back-off pulling image "${image}"`)),
      podEvents: [{ reason: 'Failed', message: `Failed to pull image "${image}": not found` }],
    },
    reason: 'ImagePullBackOff',
    says: [image, 'Back-off pulling image', 'imagePullSecret'],
  },
  {
    name: 'the first failed pull',
    run: { podStatus: containers(waiting('ErrImagePull', 'rpc error: code = NotFound')) },
    reason: 'ErrImagePull',
    says: ['NotFound', 'image name and tag'],
  },
  {
    name: 'a missing Secret',
    run: { podStatus: containers(waiting('CreateContainerConfigError', 'secret "wandb-key" not found')) },
    reason: 'CreateContainerConfigError',
    says: ['secret "wandb-key" not found', 'create the Secret/ConfigMap'],
  },
  {
    name: 'a crash loop',
    run: {
      podStatus: containers({
        ...waiting('CrashLoopBackOff', 'back-off 40s restarting failed container'),
        lastState: { terminated: { reason: 'Error', exitCode: 2 } },
      }),
    },
    reason: 'CrashLoopBackOff',
    says: ['exit code 2', 'kubectl logs torch-stuck-master-0 -c pytorch --previous'],
  },
  {
    name: 'a crash loop of OOM kills',
    run: {
      podStatus: containers({
        ...waiting('CrashLoopBackOff', 'back-off'),
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
      }),
    },
    reason: 'OOMKilled',
    says: ['memory limit', 'resources.limits.memory'],
  },
  {
    name: 'too few GPUs (the reason from the PodScheduled condition)',
    run: {
      podStatus: () => ({
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available.',
          },
        ],
      }),
    },
    reason: 'Unschedulable',
    says: ['3 Insufficient nvidia.com/gpu', 'hpo doctor'],
  },
  {
    name: 'an unschedulable pod whose reason is only in a FailedScheduling event',
    run: {
      podStatus: () => ({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] }),
      podEvents: [
        {
          reason: 'FailedScheduling',
          message: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.",
        },
      ],
    },
    reason: 'Unschedulable',
    says: ["didn't match Pod's node affinity", 'nodeSelector'],
  },
  {
    name: 'an eviction',
    run: {
      podStatus: () => ({
        phase: 'Failed',
        reason: 'Evicted',
        message: 'The node was low on resource: ephemeral-storage.',
      }),
    },
    reason: 'Evicted',
    says: ['low on resource: ephemeral-storage', 'resources.requests'],
  },
];

/** A trial whose pods get `run`'s stuck status, with a short grace period. */
async function runStuck(run: FakeRun, graceMs = 150) {
  cluster = await startCluster({ operator: { script: () => run } });
  const rec = recordingContext({ experiment: 'torch', trial: 'torch-stuck', params: { lr: 0.02 } });
  const started = performance.now();
  const result = await fakeExecutor(cluster, pytorchExperiment({ workers: 1 }), {
    stuckGraceMs: graceMs,
    stuckPollMs: 20,
  }).run(rec.ctx);
  return { rec, result, ms: performance.now() - started, server: cluster.server };
}

describe('KubernetesExecutor ends stuck trials', { timeout: 20_000 }, () => {
  it.each(cases)('$name → $reason', async ({ run, reason, says }) => {
    const { rec, result, ms, server } = await runStuck(run);
    expect(result).toMatchObject({ outcome: 'failed', reason });
    const text = (result as { message: string }).message;
    for (const s of says) expect(text).toContain(s);
    // Flagged at once, ended only after the grace period.
    expect(rec.warnings.some((w) => w.startsWith(`${reason}:`) && w.includes('ends in'))).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(150);
    // The job does not stay behind holding a node.
    expect(server.deletions.map((d) => d.name)).toEqual(['torch-stuck']);
    // Events were read for the pods that were not running, by the involved object's name.
    const eventLists = server.requestsTo('/api/v1/namespaces/team-a/events', 'GET');
    expect(eventLists.some((r) => r.query.fieldSelector === 'involvedObject.name=torch-stuck-master-0')).toBe(true);
    rec.cleanup();
  });

  it('waits the grace period: a trouble that clears does not end the trial', async () => {
    let pulls = 0;
    cluster = await startCluster({
      operator: {
        script: (job) =>
          job.metadata.name === 'torch-stuck'
            ? { lines: ['loss=0.5'], podStatus: containers(waiting('ImagePullBackOff', 'Back-off')) }
            : {},
      },
    });
    const { server } = cluster;
    const pods = server.resource('v1', 'pods');
    // The image arrives: the pods run and succeed before the grace period is over.
    server.store.subscribe((e) => {
      if (e.resource.plural !== 'pods' || e.type !== 'MODIFIED' || pulls > 0) return;
      const s = e.object.status as { containerStatuses?: unknown[] } | undefined;
      if (s?.containerStatuses === undefined) return;
      pulls++;
      setTimeout(() => {
        for (const p of server.store.list(pods, 'team-a')) {
          server.store.update(pods, 'team-a', p.metadata.name, (o) => ({
            ...o,
            status: {
              phase: 'Succeeded',
              containerStatuses: [{ name: 'pytorch', state: { terminated: { exitCode: 0 } } }],
            },
          }));
          server.logs.terminate('team-a', p.metadata.name, 'pytorch');
        }
        const jobs = server.resource('kubeflow.org/v1', 'pytorchjobs');
        server.store.update(jobs, 'team-a', 'torch-stuck', (o) => ({
          ...o,
          status: { conditions: [{ type: 'Succeeded', status: 'True', reason: 'PyTorchJobSucceeded' }] },
        }));
      }, 60);
    });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-stuck', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment({ workers: 1 }), {
      // Far longer than the trouble lasts (60 ms), even on a loaded machine; the trial ends as soon as it clears.
      stuckGraceMs: 15_000,
      stuckPollMs: 20,
    }).run(rec.ctx);
    expect(result).toEqual({ outcome: 'completed' });
    expect(rec.warnings.some((w) => w.startsWith('ImagePullBackOff:'))).toBe(true);
    expect(rec.values('loss')).toEqual([0.5]);
    rec.cleanup();
  });

  it('an Istio sidecar that keeps a finished pod running: the trial ends from what it printed', async () => {
    const { rec, result, server } = await runStuck({
      lines: ['loss=0.25'],
      podStatus: () => ({
        phase: 'Running',
        containerStatuses: [
          { name: 'pytorch', ready: false, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
          { name: 'istio-proxy', ready: true, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } },
        ],
      }),
    });
    expect(result).toEqual({ outcome: 'completed' });
    expect(rec.values('loss')).toEqual([0.25]);
    const flag = rec.warnings.find((w) => w.startsWith('IstioSidecarRunning:'));
    expect(flag).toContain('sidecar.istio.io/inject: "false"');
    expect(server.deletions.map((d) => d.name)).toEqual(['torch-stuck']);
    rec.cleanup();
  });

  it('an Istio sidecar after a failed training container fails the trial', async () => {
    const { result } = await runStuck({
      podStatus: () => ({
        phase: 'Running',
        containerStatuses: [
          { name: 'pytorch', state: { terminated: { reason: 'Error', exitCode: 1 } } },
          { name: 'istio-proxy', state: { running: {} } },
        ],
      }),
    });
    expect(result).toMatchObject({ outcome: 'failed', reason: 'IstioSidecarRunning' });
  });

  it('an evicted pod while other pods of the job are still active is only flagged', async () => {
    cluster = await startCluster({
      operator: {
        script: () => ({
          podStatus: (_pod, primary) =>
            primary
              ? { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }
              : { phase: 'Running', containerStatuses: [{ name: 'pytorch', ready: true, state: { running: {} } }] },
        }),
      },
    });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-stuck', params: { lr: 0.02 } });
    const handle = fakeExecutor(cluster, pytorchExperiment({ workers: 1 }), { stuckGraceMs: 50, stuckPollMs: 20 }).run(
      rec.ctx,
    );
    // Polls stay on: the flag must come (once), and the trial must not end by itself meanwhile.
    for (let waited = 0; waited < 10_000 && !rec.warnings.some((w) => w.startsWith('Evicted:')); waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    const flags = rec.warnings.filter((w) => w.startsWith('Evicted:'));
    expect(flags).toHaveLength(1);
    expect(flags[0]).not.toContain('ends in');
    rec.abort.abort();
    expect(await handle).toEqual({ outcome: 'stopped' });
    rec.cleanup();
  });

  it('a cluster scale-up in progress is only flagged, never ended', async () => {
    cluster = await startCluster({
      operator: {
        script: () => ({
          podStatus: () => ({
            phase: 'Pending',
            conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes' }],
          }),
          podEvents: [
            {
              reason: 'TriggeredScaleUp',
              message: 'pod triggered scale-up: [{gpu-pool 0->1 (max: 4)}]',
              type: 'Normal',
            },
          ],
        }),
      },
    });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-stuck', params: { lr: 0.02 } });
    const handle = fakeExecutor(cluster, pytorchExperiment({ workers: 1 }), { stuckGraceMs: 50, stuckPollMs: 20 }).run(
      rec.ctx,
    );
    await new Promise((r) => setTimeout(r, 400));
    expect(rec.warnings.filter((w) => w.startsWith('Unschedulable:'))).toHaveLength(2); // master and worker, once each
    expect(rec.warnings[0]).toContain('triggered scale-up');
    rec.abort.abort();
    expect(await handle).toEqual({ outcome: 'stopped' });
    rec.cleanup();
  });
});
