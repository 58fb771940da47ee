// The fake API server itself, driven through the real @kubernetes/client-node: if it did not speak the
// protocol the way the client expects, every other Kubernetes test would prove nothing.
import { Writable } from 'node:stream';
import { CoreV1Api, CustomObjectsApi, Log, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../../fixtures/k8s/fakeApiServer.ts';
import { FakeOperator } from '../../fixtures/k8s/fakeOperator.ts';
import { until } from './harness.ts';

let server: FakeApiServer;
let custom: CustomObjectsApi;
let core: CoreV1Api;
beforeEach(async () => {
  server = await FakeApiServer.start({ namespaces: { 'team-a': { team: 'a' } } });
  custom = server.kubeConfig().makeApiClient(CustomObjectsApi);
  core = server.kubeConfig().makeApiClient(CoreV1Api);
});
afterEach(async () => {
  await server.close();
});

const pj = { group: 'kubeflow.org', version: 'v1', namespace: 'team-a', plural: 'pytorchjobs' };
const body = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'kubeflow.org/v1',
  kind: 'PyTorchJob',
  metadata: { name, labels },
  spec: {
    pytorchReplicaSpecs: {
      Master: {
        replicas: 1,
        template: { spec: { containers: [{ name: 'pytorch', image: 'x', args: ['--log=a=1'] }] } },
      },
      Worker: { replicas: 1, template: { spec: { containers: [{ name: 'pytorch', image: 'x' }] } } },
    },
  },
});

function statusOf(err: unknown): { code: number; body: Record<string, unknown> } {
  const e = err as { code: number; body: string };
  return { code: e.code, body: JSON.parse(e.body) as Record<string, unknown> };
}

describe('fake API server: objects', () => {
  it('creates (201 with uid and resourceVersion) and answers a second create with a 409 AlreadyExists Status', async () => {
    const created = await custom.createNamespacedCustomObject({ ...pj, body: body('a') });
    expect(created.metadata).toMatchObject({ name: 'a', namespace: 'team-a' });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.requestsTo('/apis/kubeflow.org/v1/namespaces/team-a/pytorchjobs', 'POST')[0]?.status).toBe(201);
    const err = await custom.createNamespacedCustomObject({ ...pj, body: body('a') }).catch((e: unknown) => e);
    expect(statusOf(err)).toEqual({
      code: 409,
      body: expect.objectContaining({
        kind: 'Status',
        status: 'Failure',
        reason: 'AlreadyExists',
        code: 409,
        message: 'pytorchjobs.kubeflow.org "a" already exists',
      }),
    });
  });

  it('refuses to create in a namespace that does not exist', async () => {
    const err = await custom
      .createNamespacedCustomObject({ ...pj, namespace: 'nope', body: body('a') })
      .catch((e: unknown) => e);
    expect(statusOf(err).body).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
  });

  it('lists with label and field selectors and reports the current resourceVersion', async () => {
    await custom.createNamespacedCustomObject({ ...pj, body: body('a', { team: 'x' }) });
    await custom.createNamespacedCustomObject({ ...pj, body: body('b', { team: 'y' }) });
    const byLabel = await custom.listNamespacedCustomObject({ ...pj, labelSelector: 'team=y' });
    expect(byLabel.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['b']);
    const byField = await custom.listNamespacedCustomObject({ ...pj, fieldSelector: 'metadata.name=a' });
    expect(byField.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a']);
    expect(Number(byField.metadata.resourceVersion)).toBeGreaterThanOrEqual(
      Number(byField.items[0].metadata.resourceVersion),
    );
    expect(byField.kind).toBe('PyTorchJobList');
  });

  it('merge-patches the status subresource without touching spec, and the object without touching status', async () => {
    await custom.createNamespacedCustomObject({ ...pj, body: body('a') });
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const patched = await custom.patchNamespacedCustomObjectStatus(
      { ...pj, name: 'a', body: { status: { conditions: [{ type: 'Running', status: 'True' }] }, spec: { x: 1 } } },
      merge,
    );
    expect(patched.status.conditions).toEqual([{ type: 'Running', status: 'True' }]);
    expect(patched.spec.x).toBeUndefined();
    const main = await custom.patchNamespacedCustomObject(
      { ...pj, name: 'a', body: { metadata: { labels: { k: 'v' } }, status: null } },
      merge,
    );
    expect(main.metadata.labels).toEqual({ k: 'v' });
    expect(main.status.conditions).toHaveLength(1);
    expect(server.requestsTo(/\/pytorchjobs\/a\/status$/, 'PATCH')[0]?.contentType).toBe(
      'application/merge-patch+json',
    );
  });

  it('applies a JSON patch guarded by a test op, and answers 422 when the test fails (a concurrent change)', async () => {
    const created = await custom.createNamespacedCustomObject({ ...pj, body: body('a') });
    const rv = created.metadata.resourceVersion;
    const guarded = (value: string) => [
      { op: 'test', path: '/metadata/resourceVersion', value },
      { op: 'replace', path: '/spec/pytorchReplicaSpecs/Worker/replicas', value: 3 },
    ];
    const patched = await custom.patchNamespacedCustomObject({ ...pj, name: 'a', body: guarded(rv) });
    expect(patched.spec.pytorchReplicaSpecs.Worker.replicas).toBe(3);
    expect(patched.metadata.generation).toBe(2);
    const err = await custom.patchNamespacedCustomObject({ ...pj, name: 'a', body: guarded(rv) }).catch((e) => e);
    expect(statusOf(err)).toMatchObject({ code: 422, body: { reason: 'Invalid' } });
  });

  it('deletes with Foreground propagation: marks the object, removes its pods, then removes it', async () => {
    const operator = new FakeOperator(server, { script: () => ({ outcome: 'Running' }) }).start();
    await custom.createNamespacedCustomObject({ ...pj, body: body('a') });
    await until(() => server.store.list(server.resource('v1', 'pods'), 'team-a').length === 2);
    const marked = await custom.deleteNamespacedCustomObject({ ...pj, name: 'a', propagationPolicy: 'Foreground' });
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.finalizers).toContain('foregroundDeletion');
    await until(
      () => server.store.find(server.resource('kubeflow.org/v1', 'pytorchjobs'), 'team-a', 'a') === undefined,
    );
    expect(server.store.list(server.resource('v1', 'pods'), 'team-a')).toEqual([]);
    expect(server.deletions).toEqual([
      { resource: 'pytorchjobs.kubeflow.org', namespace: 'team-a', name: 'a', propagationPolicy: 'Foreground' },
    ]);
    operator.stop();
  });

  it('orphans the pods of a batch Job deleted without a propagation policy, as the real API does', async () => {
    const jobs = { group: 'batch', version: 'v1', namespace: 'team-a', plural: 'jobs' };
    const operator = new FakeOperator(server, { script: () => ({ outcome: 'Running' }) }).start();
    await custom.createNamespacedCustomObject({
      ...jobs,
      body: { metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } },
    });
    await until(() => server.store.list(server.resource('v1', 'pods'), 'team-a').length === 1);
    await custom.deleteNamespacedCustomObject({ ...jobs, name: 'j' });
    await new Promise((r) => setTimeout(r, 30));
    const pods = server.store.list(server.resource('v1', 'pods'), 'team-a');
    expect(pods).toHaveLength(1);
    expect(pods[0]?.metadata.ownerReferences).toEqual([]);
    operator.stop();
  });

  it('answers 403 Forbidden worded like the RBAC authorizer', async () => {
    server.faults.deny({ verb: 'list', group: 'kubeflow.org', resource: 'pytorchjobs' });
    const err = await custom.listNamespacedCustomObject(pj).catch((e: unknown) => e);
    expect(statusOf(err).body).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message:
        'pytorchjobs.kubeflow.org is forbidden: User "system:serviceaccount:team-a:default" cannot list resource "pytorchjobs" in API group "kubeflow.org" in the namespace "team-a"',
    });
  });

  it('injects 429 with Retry-After for the next N requests to a path, then recovers', async () => {
    server.faults.failNext({
      path: '/apis/kubeflow.org/v1/namespaces/team-a/pytorchjobs',
      status: 429,
      retryAfterSeconds: 3,
      count: 2,
    });
    for (let i = 0; i < 2; i++) {
      const err = (await custom.listNamespacedCustomObject(pj).catch((e: unknown) => e)) as {
        code: number;
        headers: Record<string, string>;
      };
      expect(err.code).toBe(429);
      expect(err.headers['retry-after']).toBe('3');
    }
    expect((await custom.listNamespacedCustomObject(pj)).items).toEqual([]);
  });

  it('reads namespaces with their labels', async () => {
    const ns = await core.readNamespace({ name: 'team-a' });
    expect(ns.metadata?.labels).toMatchObject({ team: 'a', 'kubernetes.io/metadata.name': 'team-a' });
  });
});

describe('fake API server: watch', () => {
  async function collect(resourceVersion: string | undefined, until: (events: string[]) => boolean) {
    const events: string[] = [];
    let error: unknown;
    const done = new Promise<void>((resolve) => {
      void new Watch(server.kubeConfig()).watch(
        '/apis/kubeflow.org/v1/namespaces/team-a/pytorchjobs',
        resourceVersion === undefined ? {} : { resourceVersion },
        (type, obj) => {
          events.push(`${type} ${obj.metadata?.name ?? obj.code}`);
          if (until(events)) resolve();
        },
        (err) => {
          error = err;
          resolve();
        },
      );
    });
    return { events, done, error: () => error };
  }

  it('replays the changes after a resourceVersion and streams new ones as ADDED/MODIFIED/DELETED lines', async () => {
    const a = await custom.createNamespacedCustomObject({ ...pj, body: body('a') });
    await custom.createNamespacedCustomObject({ ...pj, body: body('b') });
    const w = await collect(a.metadata.resourceVersion, (e) => e.length === 3);
    await new Promise((r) => setTimeout(r, 20));
    await custom.patchNamespacedCustomObject(
      { ...pj, name: 'a', body: { metadata: { labels: { x: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await custom.deleteNamespacedCustomObject({ ...pj, name: 'b' });
    await w.done;
    expect(w.events).toEqual(['ADDED b', 'MODIFIED a', 'DELETED b']);
  });

  it('sends the current objects as ADDED when no resourceVersion is given', async () => {
    await custom.createNamespacedCustomObject({ ...pj, body: body('a') });
    const w = await collect(undefined, (e) => e.length === 1);
    await w.done;
    expect(w.events).toEqual(['ADDED a']);
  });

  it('answers a compacted resourceVersion with an ERROR 410 Expired event', async () => {
    const a = await custom.createNamespacedCustomObject({ ...pj, body: body('a') });
    server.store.compact();
    const w = await collect(a.metadata.resourceVersion, () => false);
    await w.done;
    expect(w.events).toEqual(['ERROR 410']);
  });

  it('ends open watches on dropWatches()', async () => {
    const w = await collect('1', () => false);
    await until(() => server.dropWatches() > 0);
    await w.done;
    expect(w.events).toEqual([]);
  });
});

describe('fake API server: pod logs', () => {
  it('serves timestamped logs, follows until the container terminates, and honours sinceTime', async () => {
    const operator = new FakeOperator(server, {
      script: () => ({ outcome: 'Running', lines: ['a=1', 'a=2'] }),
    }).start();
    await custom.createNamespacedCustomObject({ ...pj, body: body('a') });
    const podsType = server.resource('v1', 'pods');
    await until(
      () =>
        server.store.find(podsType, 'team-a', 'a-master-0')?.status !== undefined &&
        server.logs.read('team-a', 'a-master-0', 'pytorch').length === 2,
    );
    let text = '';
    const finished = new Promise<void>((resolve) => {
      const sink = new Writable({
        write(c, _e, cb) {
          text += String(c);
          cb();
        },
      });
      sink.on('finish', () => resolve());
      void new Log(server.kubeConfig()).log('team-a', 'a-master-0', 'pytorch', sink, {
        follow: true,
        timestamps: true,
      });
    });
    await until(() => text.split('\n').length === 3);
    server.logs.append('team-a', 'a-master-0', 'pytorch', 'a=3');
    server.logs.terminate('team-a', 'a-master-0', 'pytorch');
    await finished;
    const lines = text.trim().split('\n');
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['a=1', 'a=2', 'a=3']);
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /.test(l))).toBe(true);
    // sinceTime keeps lines at or after that instant: one in the future leaves nothing.
    const future = `${new Date(Date.now() + 3_600_000).toISOString().slice(0, 19)}Z`;
    let later = 'unset';
    await new Promise<void>((resolve) => {
      later = '';
      const sink = new Writable({
        write(c, _e, cb) {
          later += String(c);
          cb();
        },
      });
      sink.on('finish', () => resolve());
      void new Log(server.kubeConfig()).log('team-a', 'a-master-0', 'pytorch', sink, { sinceTime: future });
    });
    expect(later).toBe('');
    operator.stop();
  });

  it('needs a container name when the pod has several, and refuses logs of a container still starting', async () => {
    server.store.create(server.resource('v1', 'pods'), 'team-a', {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'x' }, { name: 'y' }] },
      status: { phase: 'Pending' },
    });
    const noName = await core.readNamespacedPodLog({ namespace: 'team-a', name: 'p' }).catch((e: unknown) => e);
    expect(statusOf(noName).body.message).toBe('a container name must be specified for pod p, choose one of: [x y]');
    const pending = await core
      .readNamespacedPodLog({ namespace: 'team-a', name: 'p', container: 'x' })
      .catch((e: unknown) => e);
    expect(statusOf(pending).body.message).toBe('container "x" in pod "p" is waiting to start: ContainerCreating');
  });
});
