// `hpo submit` (Katib Experiment creation after the namespace-label check) and `hpo status --cluster`.
import { afterEach, describe, expect, it } from 'vitest';
import {
  experimentStatusFrom,
  formatExperimentStatus,
  readExperimentStatus,
} from '../../../src/platform/kubernetes/experimentStatus.ts';
import { submitExperiment } from '../../../src/platform/kubernetes/submit.ts';
import { FakeApiServer } from '../../fixtures/k8s/fakeApiServer.ts';
import { pytorchExperiment, quickRetry } from './harness.ts';

const experiments = '/apis/kubeflow.org/v1beta1/namespaces/team-a/experiments';
let server: FakeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const enabled = { 'katib.kubeflow.org/metrics-collector-injection': 'enabled' };

describe('submitExperiment', () => {
  it('refuses a namespace without the metrics-collector-injection label and names the exact fix', async () => {
    server = await FakeApiServer.start({ namespaces: { 'team-a': {} } });
    const err = await submitExperiment(server.kubeConfig(), pytorchExperiment()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((err as Error).message).toContain(
      'kubectl label namespace team-a katib.kubeflow.org/metrics-collector-injection=enabled',
    );
    expect(server.requestsTo(experiments, 'POST')).toEqual([]);
  });

  it('treats a label with another value as missing', async () => {
    server = await FakeApiServer.start({
      namespaces: { 'team-a': { 'katib.kubeflow.org/metrics-collector-injection': 'disabled' } },
    });
    await expect(submitExperiment(server.kubeConfig(), pytorchExperiment())).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('creates the Experiment in a labelled namespace', async () => {
    server = await FakeApiServer.start({ namespaces: { 'team-a': enabled } });
    const manifest = pytorchExperiment();
    const r = await submitExperiment(server.kubeConfig(), manifest);
    expect(r).toMatchObject({ name: 'torch', namespace: 'team-a', warnings: [] });
    expect(r.uid).not.toBe('');
    const stored = server.store.get(server.resource('kubeflow.org/v1beta1', 'experiments'), 'team-a', 'torch');
    expect(stored.spec).toEqual(manifest.spec);
  });

  it('writes trialTemplate.scheduling into the trialSpec, since Katib would prune the field', async () => {
    server = await FakeApiServer.start({ namespaces: { 'team-a': enabled } });
    const manifest = pytorchExperiment();
    if (manifest.spec.trialTemplate)
      manifest.spec.trialTemplate.scheduling = { queueName: 'team-a-queue', minAvailable: 2 };
    await submitExperiment(server.kubeConfig(), manifest);
    const stored = server.store.get(server.resource('kubeflow.org/v1beta1', 'experiments'), 'team-a', 'torch');
    const tt = (stored.spec as { trialTemplate: Record<string, unknown> }).trialTemplate;
    expect(tt.scheduling).toBeUndefined();
    const trialSpec = tt.trialSpec as { metadata: { labels: unknown }; spec: { runPolicy: unknown } };
    expect(trialSpec.metadata.labels).toEqual({ 'kueue.x-k8s.io/queue-name': 'team-a-queue' });
    expect(trialSpec.spec.runPolicy).toMatchObject({ schedulingPolicy: { minAvailable: 2 } });
  });

  it('refuses a scheduling it cannot write before anything reaches the cluster', async () => {
    server = await FakeApiServer.start({ namespaces: { 'team-a': enabled } });
    const manifest = pytorchExperiment();
    if (manifest.spec.trialTemplate) manifest.spec.trialTemplate.scheduling = { minAvailable: 99 };
    await expect(submitExperiment(server.kubeConfig(), manifest)).rejects.toMatchObject({ code: 'INVALID_SPEC' });
    expect(server.requestsTo(experiments, 'POST')).toEqual([]);
  });

  it('reports a missing namespace and an existing Experiment clearly', async () => {
    server = await FakeApiServer.start({ namespaces: { 'team-a': enabled } });
    await expect(submitExperiment(server.kubeConfig(), pytorchExperiment(), { namespace: 'nope' })).rejects.toThrow(
      'namespace nope does not exist: kubectl create namespace nope',
    );
    await submitExperiment(server.kubeConfig(), pytorchExperiment());
    await expect(submitExperiment(server.kubeConfig(), pytorchExperiment())).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('an Experiment named torch already exists in namespace team-a'),
    });
  });

  it('goes ahead with a warning when it may not read the namespace, and explains a denied create', async () => {
    server = await FakeApiServer.start({ namespaces: { 'team-a': {} } });
    server.faults.deny({ verb: 'get', group: '', resource: 'namespaces' });
    const r = await submitExperiment(server.kubeConfig(), pytorchExperiment());
    expect(r.warnings[0]).toMatch(/could not read namespace team-a/);
    server.faults.deny({ verb: 'create', group: 'kubeflow.org', resource: 'experiments' });
    await expect(
      submitExperiment(server.kubeConfig(), pytorchExperiment({ name: 'other' }), { retry: quickRetry().policy }),
    ).rejects.toThrow(
      "the service account cannot create experiments.kubeflow.org in namespace team-a: grant verb 'create' on resource 'experiments' in API group 'kubeflow.org'",
    );
  });

  it('retries a create that answers 500', async () => {
    server = await FakeApiServer.start({ namespaces: { 'team-a': enabled } });
    server.faults.failNext({ method: 'POST', path: experiments, status: 500, count: 2 });
    const retry = quickRetry();
    await submitExperiment(server.kubeConfig(), pytorchExperiment(), { retry: retry.policy });
    expect(server.requestsTo(experiments, 'POST').map((r) => r.status)).toEqual([500, 500, 201]);
  });
});

describe('readExperimentStatus', () => {
  const status = {
    startTime: '2026-01-01T10:00:00Z',
    conditions: [
      { type: 'Created', status: 'True', reason: 'ExperimentCreated', message: 'Experiment is created' },
      { type: 'Running', status: 'False', reason: 'ExperimentRunning', message: 'Experiment is running' },
      {
        type: 'Succeeded',
        status: 'True',
        reason: 'ExperimentMaxTrialsReached',
        message: 'Experiment has succeeded because max trial count has reached',
      },
    ],
    currentOptimalTrial: {
      bestTrialName: 'torch-abc',
      parameterAssignments: [{ name: 'lr', value: '0.021' }],
      observation: { metrics: [{ name: 'loss', min: '0.1', max: '0.9', latest: '0.12' }] },
    },
    trials: 4,
    trialsSucceeded: 3,
    trialsFailed: 1,
  };

  it('reads conditions, counts and the best trial back from the cluster', async () => {
    server = await FakeApiServer.start({ namespaces: { 'team-a': enabled } });
    server.store.create(server.resource('kubeflow.org/v1beta1', 'experiments'), 'team-a', {
      ...pytorchExperiment(),
      status,
    });
    const s = await readExperimentStatus(server.kubeConfig(), 'team-a', 'torch');
    expect(s).toMatchObject({
      name: 'torch',
      namespace: 'team-a',
      phase: 'Succeeded',
      reason: 'ExperimentMaxTrialsReached',
      trials: {
        total: 4,
        succeeded: 3,
        failed: 1,
        running: 0,
        pending: 0,
        killed: 0,
        earlyStopped: 0,
        metricsUnavailable: 0,
      },
      currentOptimalTrial: {
        name: 'torch-abc',
        parameters: { lr: '0.021' },
        metrics: [{ name: 'loss', min: '0.1', max: '0.9', latest: '0.12' }],
      },
      startTime: '2026-01-01T10:00:00Z',
    });
    expect(s.conditions).toHaveLength(3);
    expect(formatExperimentStatus(s)).toBe(
      [
        'Experiment team-a/torch: Succeeded (ExperimentMaxTrialsReached)',
        '  Experiment has succeeded because max trial count has reached',
        'Trials: 4 total, 3 succeeded, 0 running, 0 pending, 1 failed, 0 killed, 0 early stopped, 0 metrics unavailable',
        'Best trial: torch-abc (lr=0.021) loss=0.12',
      ].join('\n'),
    );
  });

  it('calls an Experiment without conditions Pending and one with Running=True Running', () => {
    expect(experimentStatusFrom({ metadata: { name: 'e', namespace: 'n' } })).toMatchObject({
      phase: 'Pending',
      conditions: [],
    });
    const running = experimentStatusFrom({
      status: {
        conditions: [
          { type: 'Created', status: 'True' },
          { type: 'Running', status: 'True' },
        ],
        currentOptimalTrial: {},
      },
    });
    expect(running.phase).toBe('Running');
    expect(running.currentOptimalTrial).toBeUndefined();
  });

  it('says when the Experiment does not exist', async () => {
    server = await FakeApiServer.start({ namespaces: { 'team-a': enabled } });
    await expect(readExperimentStatus(server.kubeConfig(), 'team-a', 'nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
