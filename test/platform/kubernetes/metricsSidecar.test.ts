/* biome-ignore-all lint/suspicious/noExplicitAny: tests walk and edit manifests freely. */
// The File / TensorFlowEvent collector sidecar of the Kubernetes backend: its rendering into the trial job (valid
// against the shipped CRDs), its shell script run for real with /bin/sh, and the mirror that writes its records back.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsMirror } from '../../../src/platform/kubernetes/metricsMirror.ts';
import {
  addMetricsSidecar,
  metricsSidecarName,
  metricsSidecarScript,
  mirrorChunkBytes,
  mirrorRecordTag,
} from '../../../src/platform/kubernetes/metricsSidecar.ts';
import { buildTrialJob } from '../../../src/platform/kubernetes/trialJob.ts';
import type { KubeObject } from '../../../src/platform/kubernetes/types.ts';
import { validateAgainstCrd, validateJobManifest } from '../../../src/training/jobs/index.ts';
import { eventFileBytes } from '../../fixtures/metrics/tfeventsWriter.ts';
import { tempDir } from '../../helpers.ts';
import { crdText } from '../../training/jobs/fixtures.ts';
import { pytorchExperiment } from './harness.ts';
import { pause, runSidecar, until } from './sidecarRun.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function tmp(): string {
  const t = tempDir('hpo-sidecar-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function mirrorOf(lines: readonly string[], mode: 'file' | 'dir', path: string, target: string): string[] {
  const problems: string[] = [];
  const mirror = new MetricsMirror({ source: { mode, path }, target, onProblem: (m) => problems.push(m) });
  for (const l of lines) mirror.apply(l);
  mirror.close();
  return problems;
}

function renderedPytorch(extraMounts = ''): KubeObject {
  const manifest = pytorchExperiment({ extra: extraMounts });
  const tt = manifest.spec.trialTemplate!;
  return buildTrialJob(tt, tt.trialSpec!, {
    experiment: 'torch',
    trial: 'torch-abc',
    namespace: 'team-a',
    params: { lr: 0.05 },
  });
}

describe('addMetricsSidecar', () => {
  it('adds a native sidecar sharing an emptyDir at the metrics folder to every pod with the primary container, valid against the PyTorchJob CRD', () => {
    const job = renderedPytorch();
    addMetricsSidecar(job, 'pytorch', { mode: 'file', path: '/var/log/katib/metrics.log' });
    const spec = job.spec as any;
    for (const role of ['Master', 'Worker']) {
      const pod = spec.pytorchReplicaSpecs[role].template.spec;
      expect(pod.volumes).toEqual([{ name: 'hpo-metrics', emptyDir: {} }]);
      expect(pod.containers[0].volumeMounts).toEqual([{ name: 'hpo-metrics', mountPath: '/var/log/katib' }]);
      const side = pod.initContainers[0];
      expect(side).toMatchObject({
        name: metricsSidecarName,
        restartPolicy: 'Always',
        args: ['file', '/var/log/katib/metrics.log', '2'],
        volumeMounts: [{ name: 'hpo-metrics', mountPath: '/var/log/katib', readOnly: true }],
      });
      // The path reaches the script as an argument, never inside its source.
      expect(side.command).toEqual(['sh', '-c', metricsSidecarScript, metricsSidecarName]);
      // Kubernetes turns `$$` in a command into `$` (its `$(VAR)` escape): the script must not rely on one.
      expect(metricsSidecarScript).not.toContain('$$');
    }
    expect(validateAgainstCrd(job, crdText('PyTorchJob'))).toEqual([]);
    expect(validateJobManifest(job as Record<string, unknown>)).toEqual([]);
    expect(spec.pytorchReplicaSpecs.Master.template.spec.initContainers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('runs as nobody where the pod asks for non-root without naming a user (busybox would run as root)', () => {
    const job = renderedPytorch();
    const master = (job.spec as any).pytorchReplicaSpecs.Master.template.spec;
    master.securityContext = { runAsNonRoot: true };
    addMetricsSidecar(job, 'pytorch', { mode: 'file', path: '/m/metrics.log' });
    expect(master.initContainers[0].securityContext.runAsUser).toBe(65534);
    const worker = (job.spec as any).pytorchReplicaSpecs.Worker.template.spec;
    expect(worker.initContainers[0].securityContext.runAsUser).toBeUndefined();
    expect(validateAgainstCrd(job, crdText('PyTorchJob'))).toEqual([]);
  });

  it("reads the primary container's own volume when one of its mounts covers the event directory", () => {
    const job = renderedPytorch();
    const master = (job.spec as any).pytorchReplicaSpecs.Master.template.spec;
    master.volumes = [{ name: 'runs', persistentVolumeClaim: { claimName: 'tb' } }];
    master.containers[0].volumeMounts = [{ name: 'runs', mountPath: '/runs', subPath: 'exp1' }];
    addMetricsSidecar(job, 'pytorch', { mode: 'dir', path: '/runs/tb/' }, { image: 'registry.local/sh:1' });
    expect(master.volumes).toHaveLength(1);
    expect(master.initContainers[0]).toMatchObject({
      image: 'registry.local/sh:1',
      args: ['dir', '/runs/tb', '2'],
      volumeMounts: [{ name: 'runs', mountPath: '/runs', subPath: 'exp1', readOnly: true }],
    });
    expect(validateAgainstCrd(job, crdText('PyTorchJob'))).toEqual([]);
  });

  it('refuses a TrainJob, whose pods live in its runtime', () => {
    const job: KubeObject = {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: 't' },
      spec: { runtimeRef: { name: 'torch-distributed' }, trainer: { image: 'i', command: ['python3'] } },
    };
    expect(() => addMetricsSidecar(job, 'node', { mode: 'file', path: '/m/metrics.log' })).toThrow(
      /no pod template holding it \(a TrainJob keeps its pods in the runtime\)/,
    );
  });
});

describe('the sidecar script under /bin/sh, and its mirror', () => {
  it('mirrors a metrics file written while it polls, and the lines appended just before SIGTERM', async () => {
    // A hostile folder name stays data: the path reaches the script as an argument.
    const pod = join(tmp(), `a $(touch pwned) '"; touch pwned2`);
    mkdirSync(pod);
    const file = join(pod, 'metrics.log');
    const lines = await runSidecar('file', file, async (printed) => {
      await pause(150); // the file does not exist yet: nothing is printed, nothing fails
      expect(printed()).toBe(0);
      writeFileSync(file, 'epoch=1 loss=0.9\n');
      // The first line is out before more is written, so the rest must come in later records.
      await until(() => printed() >= 1);
      appendFileSync(file, 'epoch=2 loss=0.5\nepoch=3 lo');
      await pause(200);
      appendFileSync(file, 'ss=0.25\n');
    });
    for (const l of lines) expect(l.startsWith(`${mirrorRecordTag} - `)).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(2); // streamed while running, not only at the end
    const local = join(tmp(), 'fs', 'var', 'log', 'katib', 'metrics.log');
    expect(mirrorOf(lines, 'file', '/var/log/katib/metrics.log', local)).toEqual([]);
    expect(readFileSync(local, 'utf8')).toBe('epoch=1 loss=0.9\nepoch=2 loss=0.5\nepoch=3 loss=0.25\n');
    expect(existsSync('pwned') || existsSync('pwned2') || existsSync(join(pod, 'pwned'))).toBe(false);
  });

  it('mirrors every event file under the directory tree byte for byte, in chunks under the log line limit', async () => {
    const pod = tmp();
    const root = join(pod, 'tb');
    mkdirSync(join(root, 'train'), { recursive: true });
    const events = Array.from({ length: 600 }, (_, i) => ({
      wallTime: 1_700_000_000 + i,
      step: i,
      values: [{ tag: 'loss', value: 1 / (i + 1) }],
    }));
    const big = eventFileBytes(events);
    expect(big.length).toBeGreaterThan(2 * mirrorChunkBytes);
    const small = eventFileBytes(events.slice(0, 3));
    const lines = await runSidecar('dir', `${root}/`, async () => {
      writeFileSync(join(root, 'train', 'events.out.tfevents.1.host'), big);
      writeFileSync(join(root, 'events.out.tfevents.2.host with space'), small);
      writeFileSync(join(root, 'notes.txt'), 'not an event file');
      await pause(200);
    });
    for (const l of lines) expect(l.length).toBeLessThan(16 * 1024);
    const target = tmp();
    expect(mirrorOf(lines, 'dir', '/tb', target)).toEqual([]);
    expect(readFileSync(join(target, 'train', 'events.out.tfevents.1.host')).equals(big)).toBe(true);
    expect(readFileSync(join(target, 'events.out.tfevents.2.host with space')).equals(small)).toBe(true);
    expect(() => readFileSync(join(target, 'notes.txt'))).toThrow(/ENOENT/);
  });
});

describe('MetricsMirror', () => {
  it('writes a record twice to the same bytes, and refuses names that leave the folder and lines that are no records', () => {
    const target = tmp();
    const rec = (name: string, off: number, text: string): string =>
      `${mirrorRecordTag} ${Buffer.from(name).toString('base64')} ${off} ${Buffer.from(text).toString('base64')}`;
    const problems = mirrorOf(
      [
        rec('a/events.out.tfevents.1', 0, 'abc'),
        rec('a/events.out.tfevents.1', 3, 'def'),
        rec('a/events.out.tfevents.1', 3, 'def'),
        rec('../../escape', 0, 'x'),
        rec('/etc/passwd', 0, 'x'),
        'sh: tail: not found',
      ],
      'dir',
      '/tb',
      target,
    );
    expect(readFileSync(join(target, 'a', 'events.out.tfevents.1'), 'utf8')).toBe('abcdef');
    expect(problems).toEqual([
      'an event file named "../../escape" is outside the event directory; ignored',
      'an event file named "/etc/passwd" is outside the event directory; ignored',
      'the metrics collector sidecar printed: sh: tail: not found',
    ]);
  });

  it('stops a file at the size limit and says so once', () => {
    const target = join(tmp(), 'm.log');
    const problems: string[] = [];
    const mirror = new MetricsMirror({
      source: { mode: 'file', path: '/m.log' },
      target,
      onProblem: (m) => problems.push(m),
      maxFileBytes: 4,
    });
    for (const [off, text] of [
      [0, 'ab'],
      [2, 'cd'],
      [4, 'ef'],
      [6, 'gh'],
    ] as const) {
      mirror.apply(`${mirrorRecordTag} - ${off} ${Buffer.from(text).toString('base64')}`);
    }
    mirror.close();
    expect(readFileSync(target, 'utf8')).toBe('abcd');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/grew past the mirror's limit/);
  });
});
