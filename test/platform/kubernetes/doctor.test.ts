// `hpo doctor`'s checks through the real @kubernetes/client-node against the fake API server: a healthy cluster
// passes every check, and each failure scenario (CRD missing or drifted, live schema rejecting the trial, RBAC
// denied, namespace label missing, PBT claim missing/unbound/wrong mode, GPUs no node has) fails with its fix.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type DoctorCheck, formatDoctor, runDoctor } from '../../../src/platform/kubernetes/doctor.ts';
import { dryRunManifests } from '../../../src/platform/kubernetes/dryRun.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import type { FakeApiServer } from '../../fixtures/k8s/fakeApiServer.ts';
import type { FakeObject } from '../../fixtures/k8s/fakeStore.ts';
import { type FakeCluster, pytorchExperiment, startCluster } from './harness.ts';

const pytorchCrd = parseYaml(
  readFileSync(
    new URL('../../../../shared/kubeflow/crds/training-operator-v1.9.4/kubeflow.org_pytorchjobs.yaml', import.meta.url),
    'utf8',
  ),
) as FakeObject;

/** A minimal Katib Experiment CRD (Katib's own is not in the shared CRD set; doctor reads only its versions). */
const experimentCrd: FakeObject = {
  metadata: { name: 'experiments.kubeflow.org' },
  spec: {
    group: 'kubeflow.org',
    names: { kind: 'Experiment', plural: 'experiments' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1beta1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
} as FakeObject;

let cluster: FakeCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const gpuLimits = `
                    resources: {limits: {nvidia.com/gpu: 2}}`;

/** The PyTorch experiment, optionally with PBT and GPU limits on the master. */
function experiment(o: { pbt?: boolean; gpus?: boolean; parallel?: number } = {}): ExperimentManifest {
  const m = pytorchExperiment({ workers: 1 });
  const spec = structuredClone(m.spec);
  if (o.pbt) {
    spec.algorithm = {
      algorithmName: 'pbt',
      algorithmSettings: [
        { name: 'suggestion_trial_dir', value: '/var/log/katib/checkpoints/' },
        { name: 'n_population', value: '4' },
        { name: 'truncation_threshold', value: '0.2' },
      ],
    };
  }
  if (o.parallel !== undefined) spec.parallelTrialCount = o.parallel;
  if (o.gpus) {
    const master = (spec.trialTemplate!.trialSpec as { spec: { pytorchReplicaSpecs: Record<string, unknown> } }).spec
      .pytorchReplicaSpecs.Master as { template: { spec: { containers: Record<string, unknown>[] } } };
    master.template.spec.containers[0]!.resources = parseYaml(gpuLimits.trim()).resources;
  }
  return { ...m, spec };
}

function trialJob(m: ExperimentManifest) {
  return dryRunManifests(m, [{ lr: 0.05 }], { names: ['torch-x1'] })[0]!;
}

function node(name: string, allocatable: Record<string, string>, labels: Record<string, string> = {}): FakeObject {
  return { metadata: { name, labels }, status: { allocatable } } as FakeObject;
}

/** A cluster where everything the experiment needs is in place. */
async function healthy(): Promise<FakeApiServer> {
  cluster = await startCluster({
    server: { namespaces: { 'team-a': { 'katib.kubeflow.org/metrics-collector-injection': 'enabled' } } },
  });
  const s = cluster.server;
  s.store.create(s.resource('apiextensions.k8s.io/v1', 'customresourcedefinitions'), undefined, pytorchCrd);
  s.store.create(s.resource('apiextensions.k8s.io/v1', 'customresourcedefinitions'), undefined, experimentCrd);
  s.store.create(s.resource('v1', 'nodes'), undefined, node('gpu-a', { cpu: '32', 'nvidia.com/gpu': '4' }));
  s.store.create(s.resource('v1', 'persistentvolumeclaims'), 'team-a', {
    metadata: { name: 'torch-pbt', namespace: 'team-a' },
    spec: { accessModes: ['ReadWriteMany'] },
    status: { phase: 'Bound', accessModes: ['ReadWriteMany'] },
  } as FakeObject);
  return s;
}

async function doctor(s: FakeApiServer, m: ExperimentManifest, purpose: 'run' | 'submit' | 'both' = 'both') {
  return runDoctor(s.kubeConfig('team-a'), m, { purpose, trialJob: trialJob(m) });
}

function one(checks: DoctorCheck[], check: string, text?: string): DoctorCheck {
  const found = checks.filter((c) => c.check === check && (text === undefined || c.message.includes(text)));
  expect(found, `${check} ${text ?? ''} in ${formatDoctor(checks)}`).toHaveLength(1);
  return found[0]!;
}

const failures = (checks: DoctorCheck[]) => checks.filter((c) => c.status === 'fail');

describe('runDoctor', { timeout: 20_000 }, () => {
  it('passes every check on a healthy cluster, asking with SelfSubjectAccessReviews', async () => {
    const s = await healthy();
    const checks = await doctor(s, experiment({ pbt: true, gpus: true }));
    expect(failures(checks)).toEqual([]);
    expect(one(checks, 'crd', 'pytorchjobs').message).toContain('validates');
    expect(one(checks, 'pvc').status).toBe('pass');
    expect(one(checks, 'gpu').message).toContain('nvidia.com/gpu 2 per pod');
    expect(one(checks, 'namespace').status).toBe('pass');
    const reviews = s.requestsTo('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', 'POST');
    // 5 verbs on the job, 2 on pods, 1 on pods/log, 1 on events, 2 on experiments.
    expect(reviews).toHaveLength(11);
    // Read-only: nothing but access reviews was created.
    expect(s.requests.filter((r) => r.method !== 'GET' && !r.path.includes('selfsubjectaccessreviews'))).toEqual([]);
    expect(formatDoctor(checks)).toMatch(/all checks passed$/);
  });

  it('a CRD that is not installed', async () => {
    const s = await healthy();
    s.store.remove(
      s.resource('apiextensions.k8s.io/v1', 'customresourcedefinitions'),
      undefined,
      'pytorchjobs.kubeflow.org',
    );
    const c = one(await doctor(s, experiment()), 'crd', 'pytorchjobs');
    expect(c).toMatchObject({ status: 'fail' });
    expect(c.message).toContain('not installed');
    expect(c.fix).toContain('kubectl get crd pytorchjobs.kubeflow.org');
    expect(c.fix).toContain('the Kubeflow Training Operator v1');
  });

  it('a CRD that no longer serves the version the experiment uses', async () => {
    const s = await healthy();
    s.store.update(
      s.resource('apiextensions.k8s.io/v1', 'customresourcedefinitions'),
      undefined,
      'pytorchjobs.kubeflow.org',
      (o) => {
        const spec = structuredClone(o.spec) as { versions: { name: string; served: boolean }[] };
        spec.versions = spec.versions.map((v) => ({ ...v, name: 'v2', served: true }));
        return { ...o, spec };
      },
    );
    const c = one(await doctor(s, experiment()), 'crd', 'pytorchjobs');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('serves kubeflow.org/v2, not kubeflow.org/v1');
  });

  it('a live schema that rejects the rendered trial', async () => {
    const s = await healthy();
    s.store.update(
      s.resource('apiextensions.k8s.io/v1', 'customresourcedefinitions'),
      undefined,
      'pytorchjobs.kubeflow.org',
      (o) => {
        const spec = structuredClone(o.spec) as {
          versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[];
        };
        // An older operator whose schema requires a field this template does not set.
        const schema = spec.versions[0]!.schema.openAPIV3Schema as { properties: { spec: { required?: string[] } } };
        schema.properties.spec.required = ['pytorchReplicaSpecs', 'elasticPolicy'];
        return { ...o, spec };
      },
    );
    const c = one(await doctor(s, experiment()), 'crd', 'pytorchjobs');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('elasticPolicy');
  });

  it('RBAC denials, per resource and subresource, with the kubectl commands to grant them', async () => {
    const s = await healthy();
    s.faults.deny({ verb: 'delete', group: 'kubeflow.org', resource: 'pytorchjobs', namespace: 'team-a' });
    s.faults.deny({ verb: 'get', group: '', resource: 'pods/log' });
    const checks = await doctor(s, experiment());
    const job = one(checks, 'rbac', 'pytorchjobs');
    expect(job).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('denied: delete pytorchjobs.kubeflow.org'),
    });
    expect(job.fix).toContain('--verb=create,get,list,watch,delete --resource=pytorchjobs.kubeflow.org');
    expect(one(checks, 'rbac', 'pods/log').status).toBe('fail');
    expect(one(checks, 'rbac', 'events').status).toBe('pass');
  });

  it("Katib's namespace label: required for submit, not for the backend", async () => {
    cluster = await startCluster();
    const s = cluster.server;
    const m = experiment();
    const submit = one(await doctor(s, m, 'submit'), 'namespace');
    expect(submit.status).toBe('fail');
    expect(submit.fix).toBe('kubectl label namespace team-a katib.kubeflow.org/metrics-collector-injection=enabled');
    expect(one(await doctor(s, m, 'run'), 'namespace').status).toBe('pass');
  });

  it('a namespace that does not exist', async () => {
    const s = await healthy();
    const m = experiment();
    const checks = await runDoctor(s.kubeConfig('team-a'), m, { namespace: 'nope', purpose: 'run' });
    expect(one(checks, 'namespace')).toMatchObject({ status: 'fail', fix: 'kubectl create namespace nope' });
  });

  it.each([
    ['missing', undefined, 'does not exist'],
    ['unbound', { phase: 'Pending', accessModes: ['ReadWriteMany'] }, 'is Pending, not Bound'],
    ['ReadWriteOnce with parallel trials', { phase: 'Bound', accessModes: ['ReadWriteOnce'] }, 'need ReadWriteMany'],
  ])("PBT's checkpoint claim %s", async (_, status, says) => {
    const s = await healthy();
    const pvcs = s.resource('v1', 'persistentvolumeclaims');
    s.store.remove(pvcs, 'team-a', 'torch-pbt');
    if (status !== undefined) {
      s.store.create(pvcs, 'team-a', { metadata: { name: 'torch-pbt', namespace: 'team-a' }, status } as FakeObject);
    }
    const c = one(await doctor(s, experiment({ pbt: true }), 'run'), 'pvc');
    expect(c.status).toBe('fail');
    expect(c.message).toContain(says);
    expect(c.fix).toBeDefined();
  });

  it('ReadWriteOnce is enough for one trial at a time', async () => {
    const s = await healthy();
    s.store.update(s.resource('v1', 'persistentvolumeclaims'), 'team-a', 'torch-pbt', (o) => ({
      ...o,
      status: { phase: 'Bound', accessModes: ['ReadWriteOnce'] },
    }));
    expect(one(await doctor(s, experiment({ pbt: true, parallel: 1 }), 'run'), 'pvc').status).toBe('pass');
  });

  it('more GPUs per pod than any node has', async () => {
    const s = await healthy();
    s.store.remove(s.resource('v1', 'nodes'), undefined, 'gpu-a');
    s.store.create(s.resource('v1', 'nodes'), undefined, node('gpu-b', { 'nvidia.com/gpu': '1' }));
    const c = one(await doctor(s, experiment({ gpus: true })), 'gpu');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('requests 2 nvidia.com/gpu but the largest node has 1');
  });

  it('whole GPUs asked for on a MIG-partitioned cluster', async () => {
    const s = await healthy();
    s.store.remove(s.resource('v1', 'nodes'), undefined, 'gpu-a');
    s.store.create(
      s.resource('v1', 'nodes'),
      undefined,
      node('a100', { 'nvidia.com/mig-1g.10gb': '7' }, { 'nvidia.com/mig.strategy': 'mixed' }),
    );
    const c = one(await doctor(s, experiment({ gpus: true })), 'gpu');
    expect(c.status).toBe('fail');
    expect(c.fix).toContain('request a slice instead, one of nvidia.com/mig-1g.10gb');
  });

  it('nodes it may not list: the GPU check is skipped, not failed', async () => {
    const s = await healthy();
    s.faults.deny({ verb: 'list', group: '', resource: 'nodes' });
    const c = one(await doctor(s, experiment({ gpus: true })), 'gpu');
    expect(c.status).toBe('skip');
    expect(c.message).toContain('403');
  });
});

describe('runDoctor against an unreachable cluster', () => {
  it('fails the first check and stops, instead of skipping every check', async () => {
    cluster = await startCluster();
    const kc = cluster.server.kubeConfig('team-a');
    await cluster.close();
    cluster = undefined;
    const checks = await runDoctor(kc, experiment(), { purpose: 'run' });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ check: 'cluster', status: 'fail' });
    expect(checks[0]!.message).toContain('cannot reach the API server');
  });
});
