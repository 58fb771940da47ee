/**
 * One small description of a distributed training job that every Kubeflow kind can be built from
 * (kubeflow REFERENCE §1a, §1d, §2) and that Katib trial templates of those kinds can be read back into.
 */
import type { JobKind } from '../../spec/jobKinds.ts';

/** The job kinds we build: the six training-operator v1 kinds, mpi-operator's v2beta1 MPIJob, Trainer v2 and batch. */
export type TrainingJobKind = JobKind;

/** A plain JSON/YAML mapping carried through untouched. */
export type JsonObject = Record<string, unknown>;

/** A Kubernetes quantity (`500m`, `2Gi`, `4`), as YAML gives it. */
export type Quantity = string | number;

/** Requests and limits of one container; GPUs are described by `gpusPerReplica`, not here. */
export interface ComputeResources {
  readonly requests?: Readonly<Record<string, Quantity>>;
  readonly limits?: Readonly<Record<string, Quantity>>;
}

/** A container environment variable (`valueFrom` is kept as written). */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: JsonObject;
}

/** A pod toleration, e.g. the GPU operator's `nvidia.com/gpu:NoSchedule` taint. */
export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

/** The run policy shared by the v1 kinds (`spec.runPolicy`); batch Job and TrainJob take the subset they have. */
export interface RunPolicy {
  readonly backoffLimit?: number;
  readonly activeDeadlineSeconds?: number;
  readonly ttlSecondsAfterFinished?: number;
  readonly cleanPodPolicy?: 'All' | 'Running' | 'None';
}

/** The runtime a Trainer v2 TrainJob runs on. */
export interface RuntimeRef {
  readonly name: string;
  readonly kind?: 'ClusterTrainingRuntime' | 'TrainingRuntime';
  readonly apiGroup?: string;
}

/**
 * Parts of a pod we do not model, kept verbatim so a manifest read by `describeJob` is rebuilt whole.
 * When built they are laid over the generated object (objects merge, anything else replaces).
 */
export interface PodPassthrough {
  /** Extra fields of the main container (`ports`, `volumeMounts`, `imagePullPolicy`…); for TrainJob, of `spec.trainer`. */
  readonly container?: JsonObject;
  /** Extra fields of the pod spec (`volumes`, `affinity`, `serviceAccountName`…). */
  readonly pod?: JsonObject;
  /** The pod template's `metadata` (labels, annotations). */
  readonly podMetadata?: JsonObject;
  /** Extra fields of a replica spec (v1 kinds) or of the batch Job spec (`completions`…). */
  readonly replicaSpec?: JsonObject;
  /** Containers after the main one. */
  readonly sidecars?: readonly JsonObject[];
}

/** What the pods of a role run; every field of a role override replaces the job-wide value of the same name. */
export interface PodShape {
  /** The main container's name; defaults to the one the kind requires (`pytorch`, `tensorflow`, `mpi`…). */
  readonly containerName?: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  /** cpu/memory (and other non-GPU) requests and limits. */
  readonly resources?: ComputeResources;
  /** GPUs per replica, written as a limit on `gpuResource`; 0 means none (useful to turn GPUs off for one role). */
  readonly gpusPerReplica?: number;
  /** `nvidia.com/gpu` (default), a MIG resource such as `nvidia.com/mig-1g.10gb`, or a MIG profile (`1g.10gb`). */
  readonly gpuResource?: string;
  /** Replica restart policy (v1 kinds) or pod restart policy (batch Job). */
  readonly restartPolicy?: string;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
}

/** Per-role overrides (e.g. the MPI launcher's smaller limits), with their own passthrough. */
export interface RoleSpec extends PodShape {
  readonly passthrough?: PodPassthrough;
}

/** Job-level passthrough: the pod parts shared by all roles plus whatever the job's metadata and spec hold beyond the model. */
export interface JobPassthrough extends PodPassthrough {
  readonly metadata?: JsonObject;
  readonly spec?: JsonObject;
  readonly runPolicy?: JsonObject;
}

/**
 * A distributed training job, independent of kind. `buildJobManifest` turns it into the kind's manifest and
 * `describeJob` reads a manifest (or a Katib trialSpec) back into it.
 */
export interface TrainingJobSpec extends PodShape {
  /** DNS-1035 label; empty for a Katib trial template (Katib names the job after the trial). */
  readonly name: string;
  readonly namespace?: string;
  readonly kind: TrainingJobKind;
  /** Role → replica count: `{Master: 1, Worker: 3}`, `{Chief, Worker, PS}`, `{Launcher, Worker}`, `{node: n}`, `{Job: n}`. */
  readonly replicas?: Readonly<Record<string, number>>;
  /** Processes per node: PyTorch `nprocPerNode` (number or `auto`/`cpu`/`gpu`), MPI `slotsPerWorker`, TrainJob `numProcPerNode`. */
  readonly processesPerNode?: number | string;
  readonly runPolicy?: RunPolicy;
  /** TrainJob only. */
  readonly runtimeRef?: RuntimeRef;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Overrides per role, keyed like `replicas`. */
  readonly roles?: Readonly<Record<string, RoleSpec>>;
  readonly passthrough?: JobPassthrough;
}
