/**
 * The one table of the trial job kinds we know: what each kind's manifest looks like, its replica roles and
 * container names, and what Katib defaults for it (kubeflow REFERENCE §1a, §1d, §2; REFERENCE §1.1). Plain data
 * in `src/spec` so that validation and defaulting (`src/spec`), the manifest builders (`src/training/jobs`) and
 * the local launcher (`src/training/local`) all read the same facts; test/spec/jobKinds.test.ts checks it
 * against the upstream CRDs.
 */

/** Our name for a job kind: the manifest kind, except `MPIJobV2` for mpi-operator's `kubeflow.org/v2beta1` MPIJob. */
export type JobKind =
  | 'PyTorchJob'
  | 'TFJob'
  | 'MPIJob'
  | 'MPIJobV2'
  | 'XGBoostJob'
  | 'JAXJob'
  | 'PaddleJob'
  | 'TrainJob'
  | 'Job';

/** Static facts about one job kind. */
export interface JobKindInfo {
  /** The manifest's `kind` (`MPIJob` for `MPIJobV2`). */
  readonly manifestKind: string;
  readonly apiVersion: string;
  readonly family: 'kubeflow' | 'trainJob' | 'batchJob';
  /** Field under `spec` holding the replica specs (v1 kinds and MPIJob v2beta1). */
  readonly replicaKey?: string;
  /** Valid roles, spelled as the operators' defaulters normalise them. */
  readonly roles: readonly string[];
  /** Replicas when the description gives none: a single-process job. */
  readonly defaultReplicas: Readonly<Record<string, number>>;
  /**
   * The main container's default name: the one the training operator's webhook requires and injects its
   * variables into (`pytorch`, `tensorflow`, …), `mpi` (v1 MPIJob's `mainContainer` default), mpi-operator's
   * sample name `mpi-worker`, `node` for TrainJob (its runtimes name the trainer so), Katib's `training-container`.
   */
  readonly containerName: string;
  /** The launcher's container name when it differs from {@link containerName} (mpi-operator's `mpi-launcher`). */
  readonly launcherContainerName?: string;
  /** True when the validating webhook rejects a role without a container of the default name. */
  readonly nameRequired: boolean;
  /** The spec field that takes `processesPerNode`, if the kind has one (TrainJob's sits under `spec.trainer`). */
  readonly processesField?: 'nprocPerNode' | 'slotsPerWorker' | 'numProcPerNode';
  /** MPI: `mpirun` runs on the launcher only and the workers hold the GPUs. */
  readonly launcher: boolean;
  /** The condition type Katib's default success condition waits for (`Failed` is always the failure one). */
  readonly successCondition: 'Succeeded' | 'Complete';
  /** Katib's default `primaryPodLabels`; absent: every pod of the trial is primary. */
  readonly primaryPodLabels?: Readonly<Record<string, string>>;
}

/** The training operator labels the master/chief/launcher/worker-0 pod so; Katib picks it by this label. */
const masterLabel = { 'training.kubeflow.org/job-role': 'master' } as const;

const kubeflowV1 = {
  apiVersion: 'kubeflow.org/v1',
  family: 'kubeflow',
  nameRequired: true,
  launcher: false,
  successCondition: 'Succeeded',
  primaryPodLabels: masterLabel,
} as const;

const mpi = {
  ...kubeflowV1,
  manifestKind: 'MPIJob',
  replicaKey: 'mpiReplicaSpecs',
  roles: ['Launcher', 'Worker'],
  defaultReplicas: { Launcher: 1, Worker: 1 },
  nameRequired: false,
  processesField: 'slotsPerWorker',
  launcher: true,
} as const;

/** The table of kinds. */
export const jobKindTable: Readonly<Record<JobKind, JobKindInfo>> = {
  PyTorchJob: {
    ...kubeflowV1,
    manifestKind: 'PyTorchJob',
    replicaKey: 'pytorchReplicaSpecs',
    roles: ['Master', 'Worker'],
    defaultReplicas: { Master: 1 },
    containerName: 'pytorch',
    processesField: 'nprocPerNode',
  },
  TFJob: {
    ...kubeflowV1,
    manifestKind: 'TFJob',
    replicaKey: 'tfReplicaSpecs',
    roles: ['Chief', 'Master', 'PS', 'Worker', 'Evaluator'],
    defaultReplicas: { Worker: 1 },
    containerName: 'tensorflow',
  },
  MPIJob: { ...mpi, containerName: 'mpi' },
  MPIJobV2: {
    ...mpi,
    apiVersion: 'kubeflow.org/v2beta1',
    containerName: 'mpi-worker',
    launcherContainerName: 'mpi-launcher',
  },
  XGBoostJob: {
    ...kubeflowV1,
    manifestKind: 'XGBoostJob',
    replicaKey: 'xgbReplicaSpecs',
    roles: ['Master', 'Worker'],
    defaultReplicas: { Master: 1 },
    containerName: 'xgboost',
  },
  JAXJob: {
    ...kubeflowV1,
    manifestKind: 'JAXJob',
    replicaKey: 'jaxReplicaSpecs',
    roles: ['Worker'],
    defaultReplicas: { Worker: 1 },
    containerName: 'jax',
  },
  PaddleJob: {
    ...kubeflowV1,
    manifestKind: 'PaddleJob',
    replicaKey: 'paddleReplicaSpecs',
    roles: ['Master', 'Worker'],
    defaultReplicas: { Worker: 1 },
    containerName: 'paddle',
  },
  TrainJob: {
    manifestKind: 'TrainJob',
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    family: 'trainJob',
    roles: ['node'],
    defaultReplicas: { node: 1 },
    containerName: 'node',
    nameRequired: true,
    processesField: 'numProcPerNode',
    launcher: false,
    successCondition: 'Complete',
    // JobSet names the trainer's replicated job `node`; completion index 0 is the rank-0 pod.
    primaryPodLabels: {
      'jobset.sigs.k8s.io/replicatedjob-name': 'node',
      'batch.kubernetes.io/job-completion-index': '0',
    },
  },
  Job: {
    manifestKind: 'Job',
    apiVersion: 'batch/v1',
    family: 'batchJob',
    roles: ['Job'],
    defaultReplicas: { Job: 1 },
    containerName: 'training-container',
    nameRequired: false,
    launcher: false,
    successCondition: 'Complete',
  },
};

/**
 * Roles in the order the operators pick the primary ("master role") pod: Master, Chief or Launcher, else
 * Worker (worker 0), else TrainJob's `node`.
 */
export const masterRoleOrder: readonly string[] = ['Master', 'Chief', 'Launcher', 'Worker', 'node'];

/** The facts for a manifest `kind` (the v1 entry for `MPIJob`, whose Katib defaults match v2beta1's), or undefined. */
export function jobKindOfManifestKind(kind: string): JobKindInfo | undefined {
  return Object.values(jobKindTable).find((info) => info.manifestKind === kind);
}
