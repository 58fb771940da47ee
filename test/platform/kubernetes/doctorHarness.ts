// Shared set-up of the `hpo doctor` tests: a healthy fake cluster (CRDs, nodes, PBT claim, Katib's config), the
// experiments they check, and helpers to pick one check out of the result.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
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

/** The cluster the current test started; {@link closeCluster} after each test. */
export let cluster: FakeCluster | undefined;

/** Closes the cluster of the last test. */
export async function closeCluster(): Promise<void> {
  await cluster?.close();
  cluster = undefined;
}

/** Starts a fake cluster for a test that needs no healthy set-up. */
export async function bareCluster(): Promise<FakeApiServer> {
  cluster = await startCluster();
  return cluster.server;
}

const gpuLimits = `
                    resources: {limits: {nvidia.com/gpu: 2}}`;

/** The PyTorch experiment, optionally with PBT and GPU limits on the master. */
export function experiment(o: { pbt?: boolean; gpus?: boolean; parallel?: number } = {}): ExperimentManifest {
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
    // Katib creates the suggestion volume the trials mount only then (doctorKatibVolume.ts).
    spec.resumePolicy = 'FromVolume';
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

export function node(
  name: string,
  allocatable: Record<string, string>,
  labels: Record<string, string> = {},
): FakeObject {
  return { metadata: { name, labels }, status: { allocatable } } as FakeObject;
}

/** A cluster where everything the experiment needs is in place. */
export async function healthy(): Promise<FakeApiServer> {
  cluster = await startCluster({
    server: { namespaces: { 'team-a': { 'katib.kubeflow.org/metrics-collector-injection': 'enabled' } } },
  });
  const s = cluster.server;
  s.store.create(s.resource('apiextensions.k8s.io/v1', 'customresourcedefinitions'), undefined, pytorchCrd);
  s.store.create(s.resource('apiextensions.k8s.io/v1', 'customresourcedefinitions'), undefined, experimentCrd);
  s.store.create(s.resource('v1', 'nodes'), undefined, node('gpu-a', { cpu: '32', 'nvidia.com/gpu': '4' }));
  s.store.create(s.resource('v1', 'configmaps'), 'kubeflow', katibConfigMap());
  s.store.create(s.resource('v1', 'persistentvolumeclaims'), 'team-a', {
    metadata: { name: 'torch-pbt', namespace: 'team-a' },
    spec: { accessModes: ['ReadWriteMany'] },
    status: { phase: 'Bound', accessModes: ['ReadWriteMany'] },
  } as FakeObject);
  return s;
}

export async function doctor(s: FakeApiServer, m: ExperimentManifest, purpose: 'run' | 'submit' | 'both' = 'both') {
  return runDoctor(s.kubeConfig('team-a'), m, { purpose, trialJob: trialJob(m) });
}

export function one(checks: DoctorCheck[], check: string, text?: string): DoctorCheck {
  const found = checks.filter((c) => c.check === check && (text === undefined || c.message.includes(text)));
  expect(found, `${check} ${text ?? ''} in ${formatDoctor(checks)}`).toHaveLength(1);
  return found[0]!;
}

export const failures = (checks: DoctorCheck[]) => checks.filter((c) => c.status === 'fail');

/** Katib's standalone install's katib-config (shared/katib/config), with `edit` applied to its YAML text. */
export function katibConfigMap(edit: (text: string) => string = (t) => t): FakeObject {
  const text = readFileSync(
    new URL('../../../../shared/katib/config/katib-config.standalone.yaml', import.meta.url),
    'utf8',
  );
  return {
    metadata: { name: 'katib-config', namespace: 'kubeflow' },
    data: { 'katib-config.yaml': edit(text) },
  } as FakeObject;
}
