/**
 * What differs between job kinds: apiVersion, where the replica specs live, valid roles, container names and
 * where "processes per node" goes (kubeflow REFERENCE §1a, §1d, §2).
 */
import type { TrainingJobKind } from './types.ts';

/** Static facts about one job kind. */
export interface JobKindInfo {
  /** The manifest's `kind` (`MPIJob` for `MPIJobV2`). */
  readonly manifestKind: string;
  readonly apiVersion: string;
  readonly family: 'kubeflow' | 'trainJob' | 'batchJob';
  /** Field under `spec` holding the replica specs (v1 kinds and MPIJob v2beta1). */
  readonly replicaKey?: string;
  /** Valid roles, in the order the operators pick the primary ("master role") pod. */
  readonly roles: readonly string[];
  /** Replicas when the description gives none: a single-process job. */
  readonly defaultReplicas: Readonly<Record<string, number>>;
  /** True when the validating webhook rejects a role without a container of the default name. */
  readonly nameRequired: boolean;
  /** The spec field that takes `processesPerNode`, if the kind has one. */
  readonly processesField?: 'nprocPerNode' | 'slotsPerWorker' | 'numProcPerNode';
  /** MPI: `mpirun` runs on the launcher only and the workers hold the GPUs. */
  readonly launcher: boolean;
}

function v1(
  manifestKind: string,
  replicaKey: string,
  roles: readonly string[],
  defaultReplicas: Record<string, number>,
  extra: Partial<JobKindInfo> = {},
): JobKindInfo {
  return {
    manifestKind,
    apiVersion: 'kubeflow.org/v1',
    family: 'kubeflow',
    replicaKey,
    roles,
    defaultReplicas,
    nameRequired: true,
    launcher: false,
    ...extra,
  };
}

/** The table of kinds. */
export const jobKinds: Readonly<Record<TrainingJobKind, JobKindInfo>> = {
  PyTorchJob: v1(
    'PyTorchJob',
    'pytorchReplicaSpecs',
    ['Master', 'Worker'],
    { Master: 1 },
    { processesField: 'nprocPerNode' },
  ),
  TFJob: v1('TFJob', 'tfReplicaSpecs', ['Chief', 'Master', 'PS', 'Worker', 'Evaluator'], { Worker: 1 }),
  MPIJob: v1(
    'MPIJob',
    'mpiReplicaSpecs',
    ['Launcher', 'Worker'],
    { Launcher: 1, Worker: 1 },
    { nameRequired: false, processesField: 'slotsPerWorker', launcher: true },
  ),
  MPIJobV2: v1(
    'MPIJob',
    'mpiReplicaSpecs',
    ['Launcher', 'Worker'],
    { Launcher: 1, Worker: 1 },
    { apiVersion: 'kubeflow.org/v2beta1', nameRequired: false, processesField: 'slotsPerWorker', launcher: true },
  ),
  XGBoostJob: v1('XGBoostJob', 'xgbReplicaSpecs', ['Master', 'Worker'], { Master: 1 }),
  JAXJob: v1('JAXJob', 'jaxReplicaSpecs', ['Worker'], { Worker: 1 }),
  PaddleJob: v1('PaddleJob', 'paddleReplicaSpecs', ['Master', 'Worker'], { Worker: 1 }),
  TrainJob: {
    manifestKind: 'TrainJob',
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    family: 'trainJob',
    roles: ['node'],
    defaultReplicas: { node: 1 },
    nameRequired: true,
    processesField: 'numProcPerNode',
    launcher: false,
  },
  Job: {
    manifestKind: 'Job',
    apiVersion: 'batch/v1',
    family: 'batchJob',
    roles: ['Job'],
    defaultReplicas: { Job: 1 },
    nameRequired: false,
    launcher: false,
  },
};

/** All kinds, for iteration and messages. */
export const trainingJobKinds: readonly TrainingJobKind[] = Object.keys(jobKinds) as TrainingJobKind[];

/** True for a kind name we build. */
export function isTrainingJobKind(kind: unknown): kind is TrainingJobKind {
  return typeof kind === 'string' && kind in jobKinds;
}

/**
 * The container name a role's main container gets by default: the name the training operator's webhook requires
 * (`pytorch`, `tensorflow`, `xgboost`, `jax`, `paddle`), `mpi` (v1 MPIJob's `mainContainer` default), mpi-operator's
 * sample names `mpi-launcher`/`mpi-worker`, `node` for TrainJob (its runtimes name the trainer so) and Katib's
 * `training-container` for a batch Job.
 */
export function defaultContainerName(kind: TrainingJobKind, role: string): string {
  switch (kind) {
    case 'PyTorchJob':
      return 'pytorch';
    case 'TFJob':
      return 'tensorflow';
    case 'XGBoostJob':
      return 'xgboost';
    case 'JAXJob':
      return 'jax';
    case 'PaddleJob':
      return 'paddle';
    case 'MPIJob':
      return 'mpi';
    case 'MPIJobV2':
      return role === 'Launcher' ? 'mpi-launcher' : 'mpi-worker';
    case 'TrainJob':
      return 'node';
    case 'Job':
      return 'training-container';
  }
}

/** The role whose pod is the primary one: Master, Chief or Launcher, else Worker, else the first role given. */
export function primaryRole(roles: readonly string[]): string | undefined {
  return ['Master', 'Chief', 'Launcher', 'Worker'].find((r) => roles.includes(r)) ?? roles[0];
}

/** Our kind for a manifest's apiVersion and kind (`MPIJobV2` for `kubeflow.org/v2beta1` MPIJob), or undefined. */
export function kindOfManifest(apiVersion: unknown, kind: unknown): TrainingJobKind | undefined {
  if (kind === 'MPIJob' && typeof apiVersion === 'string' && apiVersion.endsWith('/v2beta1')) return 'MPIJobV2';
  return isTrainingJobKind(kind) && kind !== 'MPIJobV2' ? kind : undefined;
}

/** Whether a job-wide field reaches a role: MPI's command/args run on the launcher, its GPUs sit on the workers. */
export function appliesTo(kind: TrainingJobKind, field: string, role: string): boolean {
  if (!jobKinds[kind].launcher) return true;
  if (field === 'command' || field === 'args') return role === 'Launcher';
  if (field === 'gpusPerReplica') return role !== 'Launcher';
  return true;
}
