/* biome-ignore-all lint/suspicious/noExplicitAny: tests read the posted job freely. */
// File (TEXT, JSON) and TensorFlowEvent metrics on the Kubernetes backend, end to end through the real client and the
// fake API server: the job goes in with the collector sidecar, the sidecar's log (produced by running its script
// for real on files a "trial" wrote) comes back through the pod log API, and the experiment's collector parses it.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsSidecarName } from '../../../src/platform/kubernetes/metricsSidecar.ts';
import type { MetricsCollectorSpec } from '../../../src/spec/types.ts';
import { eventFileBytes } from '../../fixtures/metrics/tfeventsWriter.ts';
import { tempDir } from '../../helpers.ts';
import { type FakeCluster, fakeExecutor, pytorchExperiment, recordingContext, startCluster } from './harness.ts';
import { pause, runSidecar } from './sidecarRun.ts';

let cluster: FakeCluster | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
  for (const c of cleanups.splice(0)) c();
});

/** What the sidecar prints for a metrics file written in two steps (the second after it started polling). */
async function fileSidecarLog(first: string, rest: string): Promise<string[]> {
  const t = tempDir('hpo-pod-');
  cleanups.push(t.cleanup);
  const file = join(t.dir, 'metrics.log');
  return runSidecar('file', file, async () => {
    writeFileSync(file, first);
    await pause(150);
    appendFileSync(file, rest);
  });
}

async function runWith(collector: MetricsCollectorSpec, sidecar: string[], primary: string[] = []) {
  cluster = await startCluster({
    operator: { script: () => ({ lines: primary, containerLines: { [metricsSidecarName]: sidecar } }) },
  });
  const manifest = pytorchExperiment();
  manifest.spec.metricsCollectorSpec = collector;
  const rec = recordingContext({ experiment: 'torch', trial: 'torch-f1', params: { lr: 0.02 } });
  cleanups.push(rec.cleanup);
  const result = await fakeExecutor(cluster, manifest, { retain: true }).run(rec.ctx);
  const pytorchjobs = cluster.server.resource('kubeflow.org/v1', 'pytorchjobs');
  return { result, rec, job: cluster.server.store.get(pytorchjobs, 'team-a', 'torch-f1') as Record<string, any> };
}

describe('KubernetesExecutor with File and TensorFlowEvent collectors', { timeout: 20_000 }, () => {
  it('File TEXT: reads the metrics file through the sidecar, applying the metricsFormat filter, not the stdout', async () => {
    const sidecar = await fileSidecarLog('step 1: {loss: 0.9}\n', 'step 2: {loss: 0.4}\n{accuracy: 0.7}\n');
    const { result, rec, job } = await runWith(
      {
        collector: { kind: 'File' },
        source: {
          fileSystemPath: { path: '/var/log/katib/metrics.log', kind: 'File', format: 'TEXT' },
          filter: { metricsFormat: ['{(\\w+): ((-?\\d+)(\\.\\d+)?)}'] },
        },
      },
      sidecar,
      ['loss=999'],
    );
    expect(result).toEqual({ outcome: 'completed' });
    expect(rec.values('loss')).toEqual([0.9, 0.4]);
    expect(rec.values('accuracy')).toEqual([0.7]);
    const master = job.spec.pytorchReplicaSpecs.Master.template.spec;
    expect(master.initContainers[0]).toMatchObject({
      name: metricsSidecarName,
      restartPolicy: 'Always',
      args: ['file', '/var/log/katib/metrics.log', '2'],
    });
    expect(rec.warnings).toEqual([]);
  });

  it('File JSON: each JSON line of the file is a record', async () => {
    const sidecar = await fileSidecarLog('{"loss": "0.8", "epoch": 1}\n', '{"loss": 0.3, "accuracy": "0.9"}\n');
    const { result, rec } = await runWith(
      {
        collector: { kind: 'File' },
        source: { fileSystemPath: { path: '/out/m.json', kind: 'File', format: 'JSON' } },
      },
      sidecar,
    );
    expect(result).toEqual({ outcome: 'completed' });
    expect(rec.values('loss')).toEqual([0.8, 0.3]);
    expect(rec.values('accuracy')).toEqual([0.9]);
  });

  it("TensorFlowEvent: every event file under the directory, each value with its event's step", async () => {
    const t = tempDir('hpo-pod-');
    cleanups.push(t.cleanup);
    const root = join(t.dir, 'tb');
    const sidecar = await runSidecar('dir', root, async () => {
      mkdirSync(join(root, 'train'), { recursive: true });
      const events = [10, 20, 30].map((step, i) => ({
        wallTime: 1_700_000_000 + i,
        step,
        values: [
          { tag: 'loss', value: 1 / (i + 2) },
          { tag: 'accuracy', value: 0.5 + i / 10, encoding: { kind: 'tensor', dtype: 'double', layout: 'packed' } },
        ],
      })) as Parameters<typeof eventFileBytes>[0];
      writeFileSync(join(root, 'train', 'events.out.tfevents.1700000000.pod'), eventFileBytes(events));
      await pause(100);
    });
    const { result, rec } = await runWith(
      {
        collector: { kind: 'TensorFlowEvent' },
        source: { fileSystemPath: { path: '/var/log/katib/tfevent/', kind: 'Directory' } },
      },
      sidecar,
    );
    expect(result).toEqual({ outcome: 'completed' });
    const loss = rec.reports.filter((r) => r.name === 'loss');
    expect(loss.map((r) => [r.step, Number(r.value)])).toEqual([
      [10, 0.5],
      [20, 0.33333334], // float32, printed as numpy prints it
      [30, 0.25],
    ]);
    expect(rec.reports.filter((r) => r.name === 'accuracy').map((r) => r.step)).toEqual([10, 20, 30]);
  });

  it('a trial whose sidecar printed nothing ends without metrics, and the sidecar complaint is an event', async () => {
    const { result, rec } = await runWith({ collector: { kind: 'File' } }, ['sh: md5sum: not found'], ['loss=0.1']);
    expect(result).toEqual({ outcome: 'completed' });
    expect(rec.reports).toEqual([]);
    expect(rec.warnings).toEqual([`metrics: the metrics collector sidecar printed: sh: md5sum: not found`]);
  });
});
