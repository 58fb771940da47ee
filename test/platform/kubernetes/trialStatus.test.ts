// SetTrialStatus as Katib's early-stopping service does it: `hpo suggestion-server` with the Kubernetes hook, called
// with a real gRPC client built from Katib's proto, appends Katib's EarlyStopped condition to the Trial through the
// real @kubernetes/client-node against the fake API server (GET, then a conditional PUT of the status subresource).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { type SuggestionServer, startSuggestionServer } from '../../../src/platform/grpc/server.ts';
import { earlyStoppedMarker, trialNamespace } from '../../../src/platform/kubernetes/trialStatus.ts';
import type { FakeApiServer } from '../../fixtures/k8s/fakeApiServer.ts';
import type { FakeObject } from '../../fixtures/k8s/fakeStore.ts';
import { tempDir } from '../../helpers.ts';
import { call, katibClients } from '../grpc/helpers.ts';
import { type FakeCluster, startCluster } from './harness.ts';

let cluster: FakeCluster | undefined;
let server: SuggestionServer | undefined;
let clients: ReturnType<typeof katibClients> | undefined;
afterEach(async () => {
  clients?.close();
  await server?.close();
  await cluster?.close();
  cluster = undefined;
  server = undefined;
  clients = undefined;
});

const running = [
  { type: 'Created', status: 'True', reason: 'TrialCreated', message: 'Trial is created' },
  { type: 'Running', status: 'True', reason: 'TrialRunning', message: 'Trial is running' },
];

/** A fake cluster with the Trial `exp-abc` running in team-a, and the suggestion server marking Trials there. */
async function setUp(): Promise<FakeApiServer> {
  cluster = await startCluster();
  const s = cluster.server;
  s.store.create(s.resource('kubeflow.org/v1beta1', 'trials'), 'team-a', {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Trial',
    metadata: { name: 'exp-abc', namespace: 'team-a' },
    spec: { primaryContainerName: 'training' },
    status: { conditions: running },
  } as FakeObject);
  server = await startSuggestionServer({
    port: 0,
    host: '127.0.0.1',
    setTrialStatus: earlyStoppedMarker(s.kubeConfig('team-a'), 'team-a'),
  });
  clients = katibClients(server.port);
  return s;
}

const conditionsOf = (s: FakeApiServer) =>
  (
    s.store.get(s.resource('kubeflow.org/v1beta1', 'trials'), 'team-a', 'exp-abc').status as {
      conditions: { type: string; status: string; reason?: string; message?: string }[];
    }
  ).conditions;

const setStatus = () => call<object>(clients!.earlyStopping, 'SetTrialStatus', { trial_name: 'exp-abc' });

describe('SetTrialStatus marks the Trial EarlyStopped', { timeout: 20_000 }, () => {
  it("appends Katib's EarlyStopped condition through the status subresource, once", async () => {
    const s = await setUp();
    expect(await setStatus()).toEqual({ ok: true, reply: {} });
    const conditions = conditionsOf(s);
    expect(conditions.slice(0, 2)).toEqual(running);
    expect(conditions[2]).toMatchObject({
      type: 'EarlyStopped',
      status: 'True',
      reason: 'TrialEarlyStopped',
      message: 'Trial is early stopped',
    });
    const puts = s.requestsTo('/apis/kubeflow.org/v1beta1/namespaces/team-a/trials/exp-abc/status', 'PUT');
    expect(puts.map((r) => r.status)).toEqual([200]);
    // The collector may call again: nothing more is written.
    expect(await setStatus()).toEqual({ ok: true, reply: {} });
    expect(conditionsOf(s)).toHaveLength(3);
    expect(s.requestsTo(/trials\/exp-abc\/status/, 'PUT')).toHaveLength(1);
  });

  it('reads again and retries when another writer changed the Trial in between (409)', async () => {
    const s = await setUp();
    s.faults.failNext({ status: 409, method: 'PUT', path: /trials\/exp-abc\/status$/ });
    expect(await setStatus()).toEqual({ ok: true, reply: {} });
    expect(s.requestsTo(/trials\/exp-abc\/status/, 'PUT').map((r) => r.status)).toEqual([409, 200]);
    expect(conditionsOf(s).map((c) => c.type)).toEqual(['Created', 'Running', 'EarlyStopped']);
  });

  it('a stale resourceVersion is a real conflict: the controller wrote status after our read', async () => {
    const s = await setUp();
    const trials = s.resource('kubeflow.org/v1beta1', 'trials');
    let raced = false;
    // Katib's trial controller updates the status between our GET and our PUT.
    const original = s.store.get.bind(s.store);
    s.store.get = ((rt, ns, name) => {
      const got = original(rt, ns, name);
      if (!raced && rt === trials) {
        raced = true;
        s.store.update(trials, 'team-a', 'exp-abc', (o) => ({ ...o, status: { conditions: [...running] } }));
      }
      return got;
    }) as typeof s.store.get;
    expect(await setStatus()).toEqual({ ok: true, reply: {} });
    expect(s.requestsTo(/trials\/exp-abc\/status/, 'PUT').map((r) => r.status)).toEqual([409, 200]);
  });

  it('an unknown Trial is NOT_FOUND; a denied update names the RBAC to grant', async () => {
    const s = await setUp();
    const missing = await call<object>(clients!.earlyStopping, 'SetTrialStatus', { trial_name: 'nope' });
    expect(missing).toMatchObject({ ok: false, code: status.NOT_FOUND });
    s.faults.deny({ verb: 'update', group: 'kubeflow.org', resource: 'trials/status' });
    const denied = await setStatus();
    expect(denied).toMatchObject({ ok: false, code: status.INTERNAL });
    expect((denied as { details: string }).details).toMatch(/update.*trials\/status/);
    expect(conditionsOf(s)).toEqual(running);
  });
});

describe('trialNamespace', () => {
  it("is the pod's service-account namespace, else the kubeconfig context's", async () => {
    cluster = await startCluster();
    const kc = cluster.server.kubeConfig('team-a');
    const t = tempDir('hpo-sa-');
    const file = join(t.dir, 'namespace');
    writeFileSync(file, 'katib-exp-ns\n');
    expect(trialNamespace(kc, file)).toBe('katib-exp-ns');
    expect(trialNamespace(kc, join(t.dir, 'absent'))).toBe('team-a');
    t.cleanup();
  });
});
