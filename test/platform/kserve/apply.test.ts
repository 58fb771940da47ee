// applyInferenceService (`hpo export --to kserve --apply`) against the fake API server with a stand-in for KServe's
// controller: a fresh service becomes Ready, a replaced one rolls a canary forward, a failed revision is reported with
// KServe's reason, a silent controller times out, and what the API server refuses is refused.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WinnerDocument } from '../../../src/experiment/winner.ts';
import { applyInferenceService } from '../../../src/platform/kserve/apply.ts';
import { validateInferenceService } from '../../../src/platform/kserve/document.ts';
import { inferenceService } from '../../../src/platform/kserve/inferenceService.ts';
import { FakeApiServer } from '../../fixtures/k8s/fakeApiServer.ts';
import { admitInferenceServices, FakeKServe, isvcCrd } from '../../fixtures/k8s/fakeKServe.ts';

const winner = (sha: string): WinnerDocument => ({
  experiment: 'svc-digits',
  namespace: 'team-a',
  name: 'svc-digits-abc',
  state: 'Succeeded',
  parameters: { C: 2 },
  objective: 0.98,
  objectiveMetricName: 'accuracy',
  objectiveType: 'maximize',
  metrics: [],
  trialTemplate: null,
  artifacts: [{ name: 'model.joblib', path: '/m/model.joblib', kind: 'model', sha256: sha, size: 1 }],
});

const manifest = (uri: string, canary?: number): Record<string, unknown> =>
  inferenceService(winner(uri.endsWith('v2/') ? 'b'.repeat(64) : 'a'.repeat(64)), {
    storageUri: uri,
    ...(canary === undefined ? {} : { canaryTrafficPercent: canary }),
  }).manifest;

let server: FakeApiServer;
let kserve: FakeKServe;
let progress: string[];
const isvcType = () => server.resource('serving.kserve.io/v1beta1', 'inferenceservices');
const apply = (m: Record<string, unknown>, timeoutMs = 5000) =>
  applyInferenceService(m, {
    kubeConfig: server.kubeConfig('team-a'),
    pollMs: 5,
    timeoutMs,
    onProgress: (l) => progress.push(l),
  });

// Compiling the 600 KB CRD takes seconds on a busy machine; once here, so no test's wait depends on it.
beforeAll(() => {
  validateInferenceService(manifest('s3://models/v1/'), isvcCrd);
}, 60_000);

beforeEach(async () => {
  server = await FakeApiServer.start({ namespaces: { 'team-a': {} }, admit: admitInferenceServices });
  kserve = new FakeKServe(server, 10).start();
  progress = [];
});
afterEach(async () => {
  kserve.stop();
  await server.close();
});

describe('applyInferenceService', () => {
  it('creates a new service and waits until Ready, printing each status change', async () => {
    // Status steps slow enough that a 5 ms poll sees the Unknown one.
    kserve.stop();
    kserve = new FakeKServe(server, 150).start();
    const r = await apply(manifest('s3://models/v1/'));
    expect(r).toMatchObject({ outcome: 'ready', action: 'created', name: 'svc-digits', namespace: 'team-a' });
    expect(r.status.url).toBe('http://svc-digits.team-a.example.com');
    expect(r.status.traffic).toEqual([{ revision: 'svc-digits-predictor-00001', percent: 100, latest: true }]);
    expect(progress[0]).toBe('created InferenceService team-a/svc-digits');
    expect(progress.some((l) => /Ready Unknown \(RevisionMissing\)/.test(l))).toBe(true);
    expect(progress.at(-1)).toMatch(/Ready True; traffic svc-digits-predictor-00001 100%/);
    const stored = server.store.get(isvcType(), 'team-a', 'svc-digits');
    expect(stored.spec).toEqual(manifest('s3://models/v1/').spec);
    // What the stand-in reports is itself what KServe's CRD allows in status.
    expect(validateInferenceService(stored, isvcCrd).filter((i) => i.severity !== 'warning')).toEqual([]);
  });

  it('replaces an existing service: the new revision gets the canary share, the old one keeps the rest', async () => {
    expect((await apply(manifest('s3://models/v1/'))).outcome).toBe('ready');
    // Someone else's annotation on the running service survives the replace.
    server.store.update(isvcType(), 'team-a', 'svc-digits', (o) => ({
      ...o,
      metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, 'team.example/owner': 'ml' } },
    }));
    progress = [];
    const r = await apply(manifest('s3://models/v2/', 20));
    expect(r).toMatchObject({ outcome: 'ready', action: 'replaced', canaryTrafficPercent: 20 });
    expect(r.status.traffic).toEqual([
      { revision: 'svc-digits-predictor-00002', percent: 20, latest: true },
      { revision: 'svc-digits-predictor-00001', percent: 80, latest: false },
    ]);
    expect(r.status.previousRolledoutRevision).toBe('svc-digits-predictor-00001');
    expect(progress[0]).toMatch(/the new revision gets 20% of the traffic/);
    const stored = server.store.get(isvcType(), 'team-a', 'svc-digits');
    expect(stored.metadata.generation).toBe(2);
    expect(stored.metadata.annotations).toMatchObject({
      'team.example/owner': 'ml',
      'hpo-workbench.io/model-sha256': 'b'.repeat(64),
    });
    expect((stored.spec as { predictor: Record<string, unknown> }).predictor).toMatchObject({
      canaryTrafficPercent: 20,
      model: { storageUri: 's3://models/v2/' },
    });
    // The replace was a JSON patch guarded by the resourceVersion it read.
    expect(server.requestsTo(/inferenceservices\/svc-digits$/, 'PATCH')[0]?.contentType).toMatch(/json-patch/);

    // Promoting: the same spec without the canary moves all traffic to the canary revision (no new revision).
    const promoted = await apply(manifest('s3://models/v2/'));
    expect(promoted.status.traffic).toEqual([{ revision: 'svc-digits-predictor-00002', percent: 100, latest: true }]);
    expect(
      (server.store.get(isvcType(), 'team-a', 'svc-digits').spec as { predictor: object }).predictor,
    ).not.toHaveProperty('canaryTrafficPercent');
  });

  it("a failed revision ends the wait with KServe's reason and message", async () => {
    await apply(manifest('s3://models/v1/'));
    kserve.outcome = { reason: 'RevisionFailed', message: 'Revision "svc-digits-predictor-00002" failed: OOMKilled' };
    const r = await apply(manifest('s3://models/v2/', 10));
    expect(r.outcome).toBe('failed');
    expect(r.status.failure).toMatchObject({ status: 'False', reason: 'RevisionFailed' });
    expect(r.status.failure?.message).toMatch(/OOMKilled/);
    expect(r.status.traffic).toEqual([{ revision: 'svc-digits-predictor-00001', percent: 100, latest: false }]);
  });

  it('a status from an older generation is not taken for the new one; no report at all is a timeout', async () => {
    await apply(manifest('s3://models/v1/'));
    kserve.outcome = 'silent';
    const r = await apply(manifest('s3://models/v2/'), 150);
    expect(r.outcome).toBe('timeout');
    // The old generation's Ready True is still there, but it describes the previous spec.
    expect(r.status).toMatchObject({ current: false, ready: { status: 'True' } });
  });

  it('the API server refuses a manifest that breaks the CRD (422) and the error says where', async () => {
    const bad = manifest('s3://models/v1/');
    (bad.spec as { predictor: Record<string, unknown> }).predictor.minReplicas = 'two';
    await expect(apply(bad)).rejects.toThrow(/spec\.predictor\.minReplicas/);
  });

  it('a denied create names the verb, resource and namespace', async () => {
    server.faults.deny({ verb: 'create', group: 'serving.kserve.io', resource: 'inferenceservices' });
    await expect(apply(manifest('s3://models/v1/'))).rejects.toThrow(/create.*inferenceservices/s);
  });
});
