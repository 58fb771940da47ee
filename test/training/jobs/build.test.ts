/* biome-ignore-all lint/suspicious/noExplicitAny: tests walk and edit manifests freely. */
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import {
  buildJobManifest,
  placementPatchManager,
  type TrainingJobKind,
  type TrainingJobSpec,
} from '../../../src/training/jobs/index.ts';

type Any = any;
const image = 'ghcr.io/example/train:1.0';

function build(spec: Partial<TrainingJobSpec> & { kind: TrainingJobKind }): Any {
  return buildJobManifest({ name: 'job', image, ...spec } as TrainingJobSpec);
}

/** role → the role's main container. */
function containers(m: Any, key: string): Record<string, Any> {
  return Object.fromEntries(
    Object.entries(m.spec[key]).map(([r, rs]: [string, Any]) => [r, rs.template.spec.containers[0]]),
  );
}

describe('buildJobManifest: apiVersion, replica map and required container names per kind', () => {
  it.each([
    [
      'PyTorchJob',
      'kubeflow.org/v1',
      'pytorchReplicaSpecs',
      { Master: 1, Worker: 3 },
      { Master: 'pytorch', Worker: 'pytorch' },
    ],
    [
      'TFJob',
      'kubeflow.org/v1',
      'tfReplicaSpecs',
      { Chief: 1, PS: 1, Worker: 2 },
      { Chief: 'tensorflow', PS: 'tensorflow', Worker: 'tensorflow' },
    ],
    ['MPIJob', 'kubeflow.org/v1', 'mpiReplicaSpecs', { Launcher: 1, Worker: 2 }, { Launcher: 'mpi', Worker: 'mpi' }],
    [
      'MPIJobV2',
      'kubeflow.org/v2beta1',
      'mpiReplicaSpecs',
      { Launcher: 1, Worker: 2 },
      { Launcher: 'mpi-launcher', Worker: 'mpi-worker' },
    ],
    [
      'XGBoostJob',
      'kubeflow.org/v1',
      'xgbReplicaSpecs',
      { Master: 1, Worker: 2 },
      { Master: 'xgboost', Worker: 'xgboost' },
    ],
    ['JAXJob', 'kubeflow.org/v1', 'jaxReplicaSpecs', { Worker: 4 }, { Worker: 'jax' }],
    [
      'PaddleJob',
      'kubeflow.org/v1',
      'paddleReplicaSpecs',
      { Master: 1, Worker: 2 },
      { Master: 'paddle', Worker: 'paddle' },
    ],
  ] as const)('%s', (kind, apiVersion, key, replicas, names) => {
    const m = build({ kind, replicas });
    expect(m.apiVersion).toBe(apiVersion);
    expect(m.kind).toBe(kind === 'MPIJobV2' ? 'MPIJob' : kind);
    expect(Object.fromEntries(Object.entries(m.spec[key]).map(([r, rs]: [string, Any]) => [r, rs.replicas]))).toEqual(
      replicas,
    );
    expect(Object.fromEntries(Object.entries(containers(m, key)).map(([r, c]) => [r, c.name]))).toEqual(names);
  });

  it('defaults to a single-process job of the kind', () => {
    expect(Object.keys(build({ kind: 'PyTorchJob' }).spec.pytorchReplicaSpecs)).toEqual(['Master']);
    expect(Object.keys(build({ kind: 'XGBoostJob' }).spec.xgbReplicaSpecs)).toEqual(['Master']);
    expect(Object.keys(build({ kind: 'MPIJobV2' }).spec.mpiReplicaSpecs)).toEqual(['Launcher', 'Worker']);
    expect(Object.keys(build({ kind: 'JAXJob' }).spec.jaxReplicaSpecs)).toEqual(['Worker']);
  });
});

describe('buildJobManifest: pods', () => {
  it('puts command, args, env, cpu/memory and whole GPUs on every PyTorch replica', () => {
    const m = build({
      kind: 'PyTorchJob',
      replicas: { Master: 1, Worker: 2 },
      command: ['python3', 'train.py'],
      args: ['--lr=0.1'],
      env: [{ name: 'NCCL_DEBUG', value: 'INFO' }],
      resources: { requests: { cpu: '2' }, limits: { memory: '8Gi' } },
      gpusPerReplica: 2,
      restartPolicy: 'OnFailure',
    });
    for (const c of Object.values(containers(m, 'pytorchReplicaSpecs'))) {
      expect(c).toEqual({
        name: 'pytorch',
        image,
        command: ['python3', 'train.py'],
        args: ['--lr=0.1'],
        env: [{ name: 'NCCL_DEBUG', value: 'INFO' }],
        resources: { requests: { cpu: '2' }, limits: { memory: '8Gi', 'nvidia.com/gpu': 2 } },
      });
    }
    expect(m.spec.pytorchReplicaSpecs.Worker.restartPolicy).toBe('OnFailure');
  });

  it.each([
    ['nvidia.com/mig-1g.10gb', 'nvidia.com/mig-1g.10gb'],
    ['1g.10gb', 'nvidia.com/mig-1g.10gb'],
    ['mig-3g.40gb', 'nvidia.com/mig-3g.40gb'],
    ['nvidia.com/gpu.shared', 'nvidia.com/gpu.shared'],
    [undefined, 'nvidia.com/gpu'],
  ])('requests GPU resource %s as %s', (gpuResource, name) => {
    const m = build({ kind: 'JAXJob', gpusPerReplica: 1, ...(gpuResource ? { gpuResource } : {}) });
    expect(m.spec.jaxReplicaSpecs.Worker.template.spec.containers[0].resources).toEqual({ limits: { [name]: 1 } });
  });

  it('places pods with node selectors and tolerations', () => {
    const tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] as const;
    const m = build({ kind: 'TFJob', replicas: { Worker: 2 }, nodeSelector: { accelerator: 'h100' }, tolerations });
    const pod = m.spec.tfReplicaSpecs.Worker.template.spec;
    expect(pod.nodeSelector).toEqual({ accelerator: 'h100' });
    expect(pod.tolerations).toEqual(tolerations);
  });

  it('runs MPI commands on the launcher and puts GPUs on the workers', () => {
    const m = build({
      kind: 'MPIJobV2',
      replicas: { Launcher: 1, Worker: 2 },
      command: ['mpirun'],
      args: ['-np', '4'],
      gpusPerReplica: 2,
      processesPerNode: 2,
    });
    const c = containers(m, 'mpiReplicaSpecs');
    expect(c.Launcher).toEqual({ name: 'mpi-launcher', image, command: ['mpirun'], args: ['-np', '4'] });
    expect(c.Worker).toEqual({ name: 'mpi-worker', image, resources: { limits: { 'nvidia.com/gpu': 2 } } });
    expect(m.spec.slotsPerWorker).toBe(2);
  });

  it('applies role overrides over the job-wide values', () => {
    const m = build({
      kind: 'PyTorchJob',
      replicas: { Master: 1, Worker: 2 },
      gpusPerReplica: 1,
      roles: { Master: { gpusPerReplica: 0, image: 'other:2', resources: { limits: { cpu: '1' } } } },
    });
    const c = containers(m, 'pytorchReplicaSpecs');
    expect(c.Master).toEqual({ name: 'pytorch', image: 'other:2', resources: { limits: { cpu: '1' } } });
    expect(c.Worker).toEqual({ name: 'pytorch', image, resources: { limits: { 'nvidia.com/gpu': 1 } } });
  });

  it('lays passthrough over the generated objects (maps merge, lists replace)', () => {
    const m = build({
      kind: 'JAXJob',
      resources: { limits: { cpu: '1' } },
      passthrough: {
        container: { imagePullPolicy: 'Always', resources: { claims: [{ name: 'gpu' }] } },
        pod: { volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory' } }] },
        sidecars: [{ name: 'logger', image: 'busybox' }],
        spec: { runPolicy: { suspend: true } },
      },
    });
    const pod = m.spec.jaxReplicaSpecs.Worker.template.spec;
    expect(pod.containers).toEqual([
      { name: 'jax', image, resources: { limits: { cpu: '1' }, claims: [{ name: 'gpu' }] }, imagePullPolicy: 'Always' },
      { name: 'logger', image: 'busybox' },
    ]);
    expect(pod.volumes).toEqual([{ name: 'dshm', emptyDir: { medium: 'Memory' } }]);
    expect(m.spec.runPolicy).toEqual({ suspend: true });
  });
});

describe('buildJobManifest: job-level settings', () => {
  it('writes metadata and the v1 run policy; nprocPerNode is a string field', () => {
    const m = build({
      kind: 'PyTorchJob',
      namespace: 'team-a',
      labels: { a: 'b' },
      annotations: { c: 'd' },
      processesPerNode: 4,
      runPolicy: { backoffLimit: 3, activeDeadlineSeconds: 60, ttlSecondsAfterFinished: 600, cleanPodPolicy: 'None' },
    });
    expect(m.metadata).toEqual({ name: 'job', namespace: 'team-a', labels: { a: 'b' }, annotations: { c: 'd' } });
    expect(m.spec.nprocPerNode).toBe('4');
    expect(m.spec.runPolicy).toEqual({
      backoffLimit: 3,
      activeDeadlineSeconds: 60,
      ttlSecondsAfterFinished: 600,
      cleanPodPolicy: 'None',
    });
    expect(build({ kind: 'PyTorchJob', processesPerNode: 'auto' }).spec.nprocPerNode).toBe('auto');
  });

  it('leaves metadata out for a trial template (empty name)', () => {
    expect(build({ kind: 'JAXJob', name: '' }).metadata).toBeUndefined();
  });

  it('builds a Trainer v2 TrainJob from a runtime reference', () => {
    const m = build({
      kind: 'TrainJob',
      runtimeRef: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' },
      replicas: { node: 2 },
      processesPerNode: 1,
      command: ['torchrun', 'train.py'],
      gpusPerReplica: 1,
      gpuResource: '1g.10gb',
      resources: { limits: { cpu: '4' } },
      runPolicy: { activeDeadlineSeconds: 600 },
      nodeSelector: { pool: 'a100' },
    });
    expect(m.apiVersion).toBe('trainer.kubeflow.org/v1alpha1');
    expect(m.spec.runtimeRef).toEqual({ kind: 'ClusterTrainingRuntime', name: 'torch-distributed' });
    expect(m.spec.trainer).toEqual({
      image,
      command: ['torchrun', 'train.py'],
      numNodes: 2,
      numProcPerNode: 1,
      resourcesPerNode: { limits: { cpu: '4', 'nvidia.com/mig-1g.10gb': 1 } },
    });
    expect(m.spec.activeDeadlineSeconds).toBe(600);
    expect(m.spec.runtimePatches).toEqual([
      {
        manager: placementPatchManager,
        trainingRuntimeSpec: {
          template: {
            spec: {
              replicatedJobs: [
                { name: 'node', template: { spec: { template: { spec: { nodeSelector: { pool: 'a100' } } } } } },
              ],
            },
          },
        },
      },
    ]);
  });

  it('builds a batch Job whose pod never restarts unless told', () => {
    const m = build({ kind: 'Job', replicas: { Job: 2 }, runPolicy: { backoffLimit: 0 } });
    expect(m.apiVersion).toBe('batch/v1');
    expect(m.spec).toEqual({
      parallelism: 2,
      backoffLimit: 0,
      template: { spec: { containers: [{ name: 'training-container', image }], restartPolicy: 'Never' } },
    });
    expect(build({ kind: 'Job', restartPolicy: 'OnFailure' }).spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  it('refuses an invalid description with every issue listed', () => {
    try {
      build({ kind: 'PyTorchJob', name: 'Bad_Name', replicas: { Master: 2 } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WorkbenchError);
      expect((e as WorkbenchError).issues.map((i) => i.path)).toEqual(['name', 'replicas.Master']);
    }
  });
});
