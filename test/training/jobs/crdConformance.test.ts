// Every manifest we build, for every kind and option, must pass the real upstream CRD schemas with zero issues
// (including no pruned fields) and the webhook-like admission rules.
import { describe, expect, it } from 'vitest';
import {
  buildJobManifest,
  describeJob,
  type RunPolicy,
  type TrainingJobKind,
  type TrainingJobSpec,
  validateAgainstCrd,
  validateJobManifest,
} from '../../../src/training/jobs/index.ts';
import { crdText, katibTrialSpecs, kubeflowSamples } from './fixtures.ts';

const image = 'ghcr.io/example/train:1.0';

/** A distributed job of each kind, as a user would describe it. */
const bases: Record<TrainingJobKind, TrainingJobSpec> = {
  PyTorchJob: {
    name: 'mnist-ddp',
    kind: 'PyTorchJob',
    image,
    command: ['python3', '/opt/mnist.py'],
    args: ['--lr=0.1'],
    replicas: { Master: 1, Worker: 3 },
    processesPerNode: 2,
  },
  TFJob: {
    name: 'tf-dist',
    kind: 'TFJob',
    image,
    command: ['python', 'train.py'],
    replicas: { Chief: 1, Worker: 2, PS: 1 },
  },
  MPIJob: {
    name: 'horovod-v1',
    kind: 'MPIJob',
    image,
    command: ['mpirun'],
    args: ['-np', '8', 'python', 'train.py'],
    replicas: { Launcher: 1, Worker: 2 },
    processesPerNode: 4,
  },
  MPIJobV2: {
    name: 'horovod-v2',
    kind: 'MPIJobV2',
    image,
    command: ['mpirun'],
    args: ['-np', '8', 'python', 'train.py'],
    replicas: { Launcher: 1, Worker: 2 },
    processesPerNode: 4,
  },
  XGBoostJob: {
    name: 'xgb',
    kind: 'XGBoostJob',
    image,
    args: ['--n_estimators=10'],
    replicas: { Master: 1, Worker: 2 },
  },
  JAXJob: { name: 'jax', kind: 'JAXJob', image, command: ['python3', 'train.py'], replicas: { Worker: 2 } },
  PaddleJob: {
    name: 'paddle',
    kind: 'PaddleJob',
    image,
    command: ['python'],
    args: ['-m', 'paddle.distributed.launch'],
    replicas: { Worker: 2 },
  },
  TrainJob: {
    name: 'trainjob',
    kind: 'TrainJob',
    image,
    command: ['torchrun', 'train.py'],
    runtimeRef: { name: 'torch-distributed' },
    replicas: { node: 2 },
    processesPerNode: 1,
  },
  Job: { name: 'single', kind: 'Job', image, command: ['python3', 'train.py'] },
};

function runPolicyFor(kind: TrainingJobKind): RunPolicy {
  if (kind === 'TrainJob') return { activeDeadlineSeconds: 3600 };
  if (kind === 'Job') return { backoffLimit: 0, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 600 };
  return { backoffLimit: 3, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 600, cleanPodPolicy: 'Running' };
}

const placement = {
  nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] as const,
};

/** Option sets layered on every kind. */
function variants(kind: TrainingJobKind): [string, Partial<TrainingJobSpec>][] {
  const base = bases[kind];
  const otherRole = Object.keys(base.replicas ?? {}).find((r) => r !== 'Master' && r !== 'Chief' && r !== 'Launcher');
  return [
    ['plain', {}],
    ['whole GPUs', { gpusPerReplica: 2 }],
    ['MIG resource', { gpusPerReplica: 1, gpuResource: 'nvidia.com/mig-1g.10gb' }],
    ['MIG profile', { gpusPerReplica: 1, gpuResource: '3g.40gb' }],
    ['node selector and tolerations', placement],
    ['cpu/memory', { resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: 4, memory: '16Gi' } } }],
    ['run policy', { runPolicy: runPolicyFor(kind) }],
    [
      'everything',
      {
        namespace: 'team-a',
        labels: { 'kueue.x-k8s.io/queue-name': 'gpu' },
        annotations: { 'example.com/owner': 'hpo' },
        env: [{ name: 'NCCL_DEBUG', value: 'INFO' }],
        gpusPerReplica: 1,
        resources: { limits: { cpu: '8', memory: '32Gi' } },
        runPolicy: runPolicyFor(kind),
        ...placement,
        ...(otherRole && kind !== 'TrainJob' && kind !== 'Job'
          ? {
              roles: {
                [otherRole]: { resources: { limits: { cpu: '2' } }, gpusPerReplica: 0, image: `${image}-worker` },
              },
            }
          : {}),
      },
    ],
  ];
}

const kinds = Object.keys(bases) as TrainingJobKind[];

describe('generated manifests against the real CRDs', () => {
  for (const kind of kinds) {
    describe(kind, () => {
      it.each(variants(kind))('%s validates with zero issues', (_, extra) => {
        const manifest = buildJobManifest({ ...bases[kind], ...extra } as TrainingJobSpec);
        if (kind !== 'Job') expect(validateAgainstCrd(manifest, crdText(kind))).toEqual([]);
        expect(validateJobManifest(manifest)).toEqual([]);
      });
    });
  }
});

describe('samples read back and rebuilt against the real CRDs', () => {
  const samples = [...kubeflowSamples(), ...katibTrialSpecs()].filter((s) => s.job.kind !== 'Job');
  it.each(samples.map((s) => [s.file, s.job] as const))('%s', (_, job) => {
    const described = describeJob(job);
    const kind = described.kind as Exclude<TrainingJobKind, 'Job'>;
    expect(validateAgainstCrd(buildJobManifest(described), crdText(kind))).toEqual([]);
    // Changing the description (GPUs on, a selector) still yields a valid manifest.
    const changed = buildJobManifest({
      ...described,
      gpusPerReplica: 1,
      ...placement,
      ...(kind === 'TrainJob' ? { processesPerNode: 1 } : {}),
    });
    expect(validateAgainstCrd(changed, crdText(kind))).toEqual([]);
  });
});
