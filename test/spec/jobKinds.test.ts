// The one job-kind table, checked against the upstream CRDs it describes, and the views every layer reads from it.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type JobKind, jobKindOfManifestKind, jobKindTable } from '../../src/spec/jobKinds.ts';
import { defaultConditions, defaultPrimaryPodLabels, kubeflowReplicaKeys, replicaKeyOf } from '../../src/spec/kinds.ts';
import { defaultContainerName, isTrainingJobKind, jobKinds } from '../../src/training/jobs/index.ts';
import { defaultContainerNames, isDistributedKind, kindRoles } from '../../src/training/local/topology.ts';
import { crdText } from '../training/jobs/fixtures.ts';

interface Schema {
  properties?: Record<string, Schema>;
}
interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema: { openAPIV3Schema: Schema } }[];
  };
}

const crdKinds = (Object.keys(jobKindTable) as JobKind[]).filter((k): k is Exclude<JobKind, 'Job'> => k !== 'Job');

describe('jobKindTable against the upstream CRDs', () => {
  it.each(crdKinds)('%s: kind, group, version and spec fields exist in its CRD', (kind) => {
    const info = jobKindTable[kind];
    const crd = parse(crdText(kind)) as Crd;
    const [group, version] = info.apiVersion.split('/');
    expect(crd.spec.names.kind).toBe(info.manifestKind);
    expect(crd.spec.group).toBe(group);
    const served = crd.spec.versions.find((v) => v.name === version);
    expect(served?.served).toBe(true);
    const spec = served?.schema.openAPIV3Schema.properties?.spec?.properties ?? {};
    if (info.replicaKey !== undefined) expect(Object.keys(spec)).toContain(info.replicaKey);
    else expect(info.family).toBe('trainJob');
    if (info.processesField !== undefined) {
      // TrainJob takes it per trainer node, the v1 kinds and MPIJob on the job spec.
      const where = info.family === 'trainJob' ? (spec.trainer?.properties ?? {}) : spec;
      expect(Object.keys(where)).toContain(info.processesField);
    }
  });

  it('describes batch Jobs without a CRD (a core kind)', () => {
    expect(jobKindTable.Job).toMatchObject({ apiVersion: 'batch/v1', manifestKind: 'Job', family: 'batchJob' });
  });
});

describe('views of the table', () => {
  it('spec reads replica keys, conditions and primary pod labels from it', () => {
    for (const info of Object.values(jobKindTable)) {
      if (info.family === 'kubeflow') expect(kubeflowReplicaKeys[info.manifestKind]).toBe(info.replicaKey);
      expect(defaultConditions(info.manifestKind)?.success).toContain(`"${info.successCondition}"`);
      expect(defaultPrimaryPodLabels(info.manifestKind)).toEqual(info.primaryPodLabels);
    }
    expect(jobKindOfManifestKind('MPIJob')).toBe(jobKindTable.MPIJob);
  });

  it('training/jobs and training/local read the same roles and container names', () => {
    expect(jobKinds).toBe(jobKindTable);
    expect(Object.keys(kindRoles).sort()).toEqual(
      ['JAXJob', 'MPIJob', 'PaddleJob', 'PyTorchJob', 'TFJob', 'TrainJob', 'XGBoostJob'].sort(),
    );
    for (const [kind, roles] of Object.entries(kindRoles) as [keyof typeof kindRoles, readonly string[]][]) {
      expect(roles).toBe(jobKindTable[kind].roles);
      for (const role of roles) expect(defaultContainerName(kind, role)).toBe(defaultContainerNames[kind]);
    }
    expect(defaultContainerName('MPIJobV2', 'Launcher')).toBe('mpi-launcher');
    expect(defaultContainerName('MPIJobV2', 'Worker')).toBe('mpi-worker');
  });

  it('does not take Object.prototype names for kinds', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(replicaKeyOf(name)).toBeUndefined();
      expect(defaultConditions(name)).toBeUndefined();
      expect(defaultPrimaryPodLabels(name)).toBeUndefined();
      expect(isTrainingJobKind(name)).toBe(false);
      expect(isDistributedKind(name)).toBe(false);
    }
  });
});
