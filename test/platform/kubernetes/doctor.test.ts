// `hpo doctor`'s checks through the real @kubernetes/client-node against the fake API server: a healthy cluster
// passes every check, and each failure scenario (CRD missing or drifted, live schema rejecting the trial, RBAC
// denied, namespace label missing, PBT claim missing/unbound/wrong mode, GPUs no node has) fails with its fix.
import { afterEach, describe, expect, it } from 'vitest';
import { formatDoctor, runDoctor } from '../../../src/platform/kubernetes/doctor.ts';
import type { FakeObject } from '../../fixtures/k8s/fakeStore.ts';
import { bareCluster, closeCluster, doctor, experiment, failures, healthy, node, one } from './doctorHarness.ts';

afterEach(closeCluster);

describe('runDoctor', { timeout: 20_000 }, () => {
  it('passes every check on a healthy cluster, asking with SelfSubjectAccessReviews', async () => {
    const s = await healthy();
    const checks = await doctor(s, experiment({ pbt: true, gpus: true }));
    expect(failures(checks)).toEqual([]);
    expect(one(checks, 'crd', 'pytorchjobs').message).toContain('validates');
    expect(one(checks, 'pvc', 'is Bound').status).toBe('pass');
    expect(one(checks, 'pvc', "katib-config gives pbt's suggestion volume").status).toBe('pass');
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
    const s = await bareCluster();
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
    const kc = (await bareCluster()).kubeConfig('team-a');
    await closeCluster();
    const checks = await runDoctor(kc, experiment(), { purpose: 'run' });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ check: 'cluster', status: 'fail' });
    expect(checks[0]!.message).toContain('cannot reach the API server');
  });
});
