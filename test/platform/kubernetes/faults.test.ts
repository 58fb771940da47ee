// What a real cluster does to a long-running client, injected into the fake API server: 409 on create,
// 410 Gone on watches, 429 with Retry-After, 500s, dropped watch and log connections, 403 from RBAC.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeScript } from '../../fixtures/k8s/fakeOperator.ts';
import {
  type FakeCluster,
  fakeExecutor,
  pytorchExperiment,
  quickRetry,
  recordingContext,
  startCluster,
  until,
} from './harness.ts';

const jobs = '/apis/kubeflow.org/v1/namespaces/team-a/pytorchjobs';

/** Ten numbered losses, slowly enough for a fault to land in the middle. */
const slowLosses: FakeScript = () => ({
  lines: Array.from({ length: 10 }, (_, i) => `loss=${i + 1}`),
  lineDelayMs: 40,
});

let cluster: FakeCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function watchRequests(c: FakeCluster): number {
  return c.server.requestsTo(jobs, 'GET').filter((r) => r.query.watch === 'true').length;
}

function listRequests(c: FakeCluster): number {
  return c.server.requestsTo(jobs, 'GET').filter((r) => r.query.watch === undefined).length;
}

describe('409 on create', { timeout: 20_000 }, () => {
  const leftover = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name: 'torch-left', labels, annotations },
    spec: pytorchExperiment().spec.trialTemplate!.trialSpec!.spec,
  });

  it('adopts a leftover job of the same trial from a crashed run and follows it to the end', async () => {
    cluster = await startCluster({ operator: { script: () => ({ lines: ['loss=0.4'], lineDelayMs: 30 }) } });
    cluster.server.store.create(
      cluster.server.resource('kubeflow.org/v1', 'pytorchjobs'),
      'team-a',
      leftover(
        { 'katib.kubeflow.org/experiment': 'torch', 'katib.kubeflow.org/trial': 'torch-left' },
        { 'hpo-workbench/assignment': '{"lr":0.02}' },
      ),
    );
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-left', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    expect(result).toEqual({ outcome: 'completed' });
    expect(cluster.server.requestsTo(jobs, 'POST').map((r) => r.status)).toEqual([409]);
    expect(rec.warnings).toContain(
      'adopted the existing PyTorchJob team-a/torch-left left by an earlier run of this trial',
    );
    expect(rec.values('loss')).toEqual([0.4]);
    rec.cleanup();
  });

  it.each([
    ['another experiment', { 'katib.kubeflow.org/experiment': 'other', 'katib.kubeflow.org/trial': 'torch-left' }, {}],
    ['no labels at all', {}, {}],
    [
      'other parameter values',
      { 'katib.kubeflow.org/experiment': 'torch', 'katib.kubeflow.org/trial': 'torch-left' },
      { 'hpo-workbench/assignment': '{"lr":0.09}' },
    ],
  ])('refuses a job of the same name with %s, leaving it alone', async (_what, labels, annotations) => {
    cluster = await startCluster({ operator: { script: () => ({ outcome: 'Running' }) } });
    cluster.server.store.create(
      cluster.server.resource('kubeflow.org/v1', 'pytorchjobs'),
      'team-a',
      leftover(labels, annotations),
    );
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-left', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    expect(result).toMatchObject({ outcome: 'failed', reason: 'JobConflict' });
    expect((result as { message: string }).message).toContain(
      "a PyTorchJob named torch-left already exists in namespace team-a and is not this trial's job",
    );
    expect((result as { message: string }).message).toContain(
      "'kubectl delete pytorchjobs.kubeflow.org torch-left -n team-a'",
    );
    expect(cluster.server.deletions).toEqual([]);
    rec.cleanup();
  });

  it('creates again when the conflicting object is already gone', async () => {
    cluster = await startCluster({ operator: { script: () => ({ lines: ['loss=1'] }) } });
    cluster.server.faults.failNext({ method: 'POST', path: jobs, status: 409, reason: 'AlreadyExists' });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-race', params: { lr: 0.02 } });
    expect(await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx)).toEqual({ outcome: 'completed' });
    expect(cluster.server.requestsTo(jobs, 'POST').map((r) => r.status)).toEqual([409, 201]);
    rec.cleanup();
  });
});

describe('backoff on 429 and 5xx', { timeout: 20_000 }, () => {
  it('honours Retry-After on 429 and retries the create', async () => {
    cluster = await startCluster({ operator: { script: () => ({ lines: ['loss=1'] }) } });
    cluster.server.faults.failNext({ method: 'POST', path: jobs, status: 429, retryAfterSeconds: 2, count: 2 });
    const retry = quickRetry();
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-429', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment(), { retry: retry.policy }).run(rec.ctx);
    expect(result).toEqual({ outcome: 'completed' });
    expect(cluster.server.requestsTo(jobs, 'POST').map((r) => r.status)).toEqual([429, 429, 201]);
    expect(retry.waits.slice(0, 2)).toEqual([2000, 2000]);
    expect(rec.warnings.some((w) => w.includes('Too many requests'))).toBe(true);
    rec.cleanup();
  });

  it('backs off exponentially on 500s and succeeds when the server recovers', async () => {
    cluster = await startCluster({ operator: { script: () => ({ lines: ['loss=1'] }) } });
    cluster.server.faults.failNext({ method: 'POST', path: jobs, status: 500, count: 3 });
    const retry = quickRetry();
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-500', params: { lr: 0.02 } });
    expect(await fakeExecutor(cluster, pytorchExperiment(), { retry: retry.policy }).run(rec.ctx)).toEqual({
      outcome: 'completed',
    });
    expect(retry.waits.slice(0, 3)).toEqual([5, 10, 20]);
    rec.cleanup();
  });

  it('fails the trial with the server message once the retries run out', async () => {
    cluster = await startCluster();
    cluster.server.faults.failNext({ method: 'POST', path: jobs, status: 503, count: 100 });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-503', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    expect(result).toEqual({
      outcome: 'failed',
      reason: 'KubernetesApiError',
      message:
        'cannot create pytorchjobs.kubeflow.org in namespace team-a: HTTP 503 ServiceUnavailable: the server is currently unable to handle the request',
    });
    expect(cluster.server.requestsTo(jobs, 'POST')).toHaveLength(6);
    rec.cleanup();
  });

  it('retries watch requests that answer 500 and still sees the job finish', async () => {
    cluster = await startCluster({ operator: { script: () => ({ lines: ['loss=1'] }) } });
    cluster.server.faults.failNext({ path: jobs, watch: true, status: 500, count: 2 });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-w500', params: { lr: 0.02 } });
    expect(await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx)).toEqual({ outcome: 'completed' });
    expect(watchRequests(cluster)).toBeGreaterThanOrEqual(3);
    rec.cleanup();
  });

  it('stops waiting in a backoff as soon as the trial is killed', async () => {
    cluster = await startCluster();
    cluster.server.faults.failNext({ method: 'POST', path: jobs, status: 429, retryAfterSeconds: 30, count: 5 });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-k', params: { lr: 0.02 } });
    // Real timers here: a 30 s Retry-After must not hold the kill.
    const exec = fakeExecutor(cluster, pytorchExperiment(), { retry: { attempts: 5, baseMs: 5, maxMs: 60_000 } });
    const started = Date.now();
    const running = exec.run(rec.ctx);
    await until(() => cluster!.server.requestsTo(jobs, 'POST').length === 1);
    rec.abort.abort({ kind: 'Killed', reason: 'ExperimentKilled', message: 'killed' });
    expect(await running).toEqual({ outcome: 'stopped' });
    expect(Date.now() - started).toBeLessThan(5_000);
    rec.cleanup();
  });
});

describe('watch recovery', { timeout: 20_000 }, () => {
  it('re-lists after an ERROR 410 Expired event and re-watches from the new resourceVersion', async () => {
    cluster = await startCluster({ operator: { script: slowLosses } });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-410', params: { lr: 0.02 } });
    const running = fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    await until(() => watchRequests(cluster!) >= 1 && rec.reports.length >= 2);
    expect(cluster.server.expireWatches()).toBeGreaterThanOrEqual(1);
    expect(await running).toEqual({ outcome: 'completed' });
    expect(listRequests(cluster)).toBeGreaterThanOrEqual(2);
    expect(rec.warnings.some((w) => /expired; re-listing/.test(w))).toBe(true);
    expect(rec.values('loss')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    rec.cleanup();
  });

  it('re-lists when the watch request itself answers 410 Gone', async () => {
    cluster = await startCluster({ operator: { script: () => ({ lines: ['loss=1'] }) } });
    cluster.server.faults.failNext({ path: jobs, watch: true, status: 410 });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-h410', params: { lr: 0.02 } });
    expect(await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx)).toEqual({ outcome: 'completed' });
    expect(listRequests(cluster)).toBeGreaterThanOrEqual(2);
    rec.cleanup();
  });

  it('reconnects a dropped watch from the last resourceVersion it saw', async () => {
    cluster = await startCluster({ operator: { script: slowLosses } });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-drop', params: { lr: 0.02 } });
    const running = fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    await until(() => watchRequests(cluster!) >= 1 && rec.reports.length >= 2);
    const before = watchRequests(cluster);
    expect(cluster.server.dropWatches()).toBeGreaterThanOrEqual(1);
    expect(await running).toEqual({ outcome: 'completed' });
    const rewatch = cluster.server.requestsTo(jobs, 'GET').filter((r) => r.query.watch === 'true')[before];
    expect(Number(rewatch?.query.resourceVersion)).toBeGreaterThan(0);
    expect(rec.values('loss')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    rec.cleanup();
  });

  it('resumes a dropped log stream without losing or repeating a line', async () => {
    cluster = await startCluster({ operator: { script: slowLosses } });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-logdrop', params: { lr: 0.02 } });
    const running = fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    await until(() => rec.reports.length >= 3);
    expect(cluster.server.dropLogStreams()).toBe(1);
    await until(() => rec.reports.length >= 6);
    expect(cluster.server.dropLogStreams()).toBe(1);
    expect(await running).toEqual({ outcome: 'completed' });
    expect(rec.values('loss')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const resumed = cluster.server.requestsTo(/\/pods\/torch-logdrop-master-0\/log$/).slice(1);
    expect(resumed.length).toBeGreaterThanOrEqual(2);
    expect(resumed.every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(r.query.sinceTime ?? ''))).toBe(true);
    rec.cleanup();
  });
});

describe('403 Forbidden', { timeout: 20_000 }, () => {
  it('names the verb, resource and API group to grant when create is denied', async () => {
    cluster = await startCluster();
    cluster.server.faults.deny({ verb: 'create', group: 'kubeflow.org', resource: 'pytorchjobs', namespace: 'team-a' });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-403', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    expect(result).toEqual({
      outcome: 'failed',
      reason: 'Forbidden',
      message:
        "the service account cannot create pytorchjobs.kubeflow.org in namespace team-a: grant verb 'create' on resource 'pytorchjobs' in API group 'kubeflow.org' (denied to system:serviceaccount:team-a:default)",
    });
    expect(cluster.server.requestsTo(jobs, 'POST')).toHaveLength(1); // a 403 is not retried
    rec.cleanup();
  });

  it('fails the trial with the pods/log grant when logs cannot be read, and still deletes the job', async () => {
    cluster = await startCluster({ operator: { script: () => ({ lines: ['loss=1'] }) } });
    cluster.server.faults.deny({ verb: 'get', group: '', resource: 'pods/log' });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-nolog', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    expect(result).toMatchObject({ outcome: 'failed', reason: 'MetricsCollectionFailed' });
    expect((result as { message: string }).message).toMatch(
      /cannot get pods log in namespace team-a: grant verb 'get' on resource 'pods\/log' in the core API group \(""\)/,
    );
    expect(cluster.server.deletions.map((d) => d.name)).toEqual(['torch-nolog']);
    rec.cleanup();
  });

  it('fails with the watch grant when the job cannot be watched, and does not leave the job running', async () => {
    cluster = await startCluster({ operator: { script: () => ({ outcome: 'Running' }) } });
    cluster.server.faults.deny({ verb: 'watch', group: 'kubeflow.org', resource: 'pytorchjobs' });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-nowatch', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    expect(result).toMatchObject({ outcome: 'failed', reason: 'Forbidden' });
    expect((result as { message: string }).message).toMatch(/grant verb 'watch' on resource 'pytorchjobs'/);
    expect(cluster.server.deletions.map((d) => d.name)).toEqual(['torch-nowatch']);
    rec.cleanup();
  });
});
