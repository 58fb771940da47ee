/**
 * The shape of a distributed trial job as the training operators see it: its kind, replica roles and counts,
 * which replica is the "master" one (Katib's primary pod), and the kind-specific settings that decide the
 * injected environment (kubeflow REFERENCE §1a, §1b, §1d, §2).
 */
import { type JobKind, type JobKindInfo, jobKindTable, masterRoleOrder } from '../../spec/jobKinds.ts';
import { isRecord } from '../../spec/read.ts';

/** Job kinds the local distributed launcher runs (MPIJob covers both v1 and mpi-operator's v2beta1 manifests). */
export type DistributedKind = Exclude<JobKind, 'MPIJobV2' | 'Job'>;

/** Every multi-replica kind under its manifest name: the table's entries less batch Jobs and the `MPIJobV2` alias. */
const distributed = Object.entries(jobKindTable).filter(
  ([kind, info]) => info.family !== 'batchJob' && info.manifestKind === kind,
) as [DistributedKind, JobKindInfo][];

/** Replica roles each kind accepts, spelled as the operators' defaulters normalise them. */
export const kindRoles: Readonly<Record<DistributedKind, readonly string[]>> = Object.fromEntries(
  distributed.map(([kind, info]) => [kind, info.roles]),
) as Record<DistributedKind, readonly string[]>;

/** The container name each operator injects its variables into (the webhook requires it; TrainJob's is `node`). */
export const defaultContainerNames: Readonly<Record<DistributedKind, string>> = Object.fromEntries(
  distributed.map(([kind, info]) => [kind, info.containerName]),
) as Record<DistributedKind, string>;

/** True when `kind` is one of {@link DistributedKind}. */
export function isDistributedKind(kind: string): kind is DistributedKind {
  return Object.hasOwn(kindRoles, kind);
}

/** The role as the operator spells it (`worker` → `Worker`, `ps` → `PS`), or undefined when the kind has no such role. */
export function canonicalRole(kind: DistributedKind, role: string): string | undefined {
  return kindRoles[kind].find((r) => r.toLowerCase() === role.toLowerCase());
}

/**
 * The replica whose pod carries `training.kubeflow.org/job-role: master` (or TrainJob's completion index 0): the
 * Master/Chief/Launcher, else worker 0. Katib collects metrics from it and the trial's outcome follows it.
 */
export function masterReplica(replicas: Readonly<Record<string, number>>): { role: string; index: number } | undefined {
  for (const role of masterRoleOrder) if ((replicas[role] ?? 0) > 0) return { role, index: 0 };
  const first = Object.entries(replicas).find(([, n]) => n > 0);
  return first ? { role: first[0], index: 0 } : undefined;
}

/** PyTorchJob `spec.elasticPolicy` fields that become `PET_*` variables. */
export interface ElasticPolicy {
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly rdzvBackend?: string;
  readonly rdzvId?: string;
  readonly rdzvConf?: readonly { readonly key: string; readonly value: string }[];
  readonly standalone?: boolean;
  readonly nProcPerNode?: number;
  readonly maxRestarts?: number;
}

/** A TrainJob runtime's ML policy, which decides what its plugin injects. */
export type TrainerPolicy = 'torch' | 'jax' | 'xgboost' | 'mpi';

/** MPIJob settings used to write the hostfile and the launcher's variables. */
export interface MpiTopology {
  /** `kubeflow.org/v1` (training operator) or `v2beta1` (mpi-operator). */
  readonly version: 'v1' | 'v2beta1';
  /** The generated hostfile (`localhost slots=N`). */
  readonly hostfile: string;
  readonly slotsPerWorker: number;
  /** v2beta1 `runLauncherAsWorker`: the launcher counts as one more host of the hostfile. */
  readonly launcherAsWorker: boolean;
  /** v2beta1 `mpiImplementation` (`OpenMPI` unless set). */
  readonly implementation: string;
}

/** Everything {@link distributedEnv} needs to know about a job besides the replica it is asked about. */
export interface DistributedTopology {
  /** The job's name (the trial name): `PADDLE_JOB_ID`. */
  readonly jobName: string;
  /** Where every replica listens locally; on a cluster each has its own service name. */
  readonly host: string;
  /** Replica count per role. */
  readonly replicas: Readonly<Record<string, number>>;
  /** A free local port per replica: `ports[role][index]`. */
  readonly ports: Readonly<Record<string, readonly number[]>>;
  /** PyTorchJob `spec.nprocPerNode` / TrainJob `numProcPerNode` after the operator's defaulting. */
  readonly nprocPerNode?: string;
  readonly elasticPolicy?: ElasticPolicy;
  /** TFJob `enableDynamicWorker`: the sparse TF_CONFIG form. */
  readonly enableDynamicWorker?: boolean;
  /** TrainJob: the runtime's ML policy. */
  readonly mlPolicy?: TrainerPolicy;
  /** TrainJob with the xgboost policy: workers per node (GPUs per node, else 1). */
  readonly workersPerNode?: number;
  readonly mpi?: MpiTopology;
}

/** What a trial job says about its distribution, before ports and files are chosen. */
export interface JobShape extends Omit<DistributedTopology, 'jobName' | 'host' | 'ports' | 'mpi'> {
  readonly kind: DistributedKind;
  readonly mpi?: Omit<MpiTopology, 'hostfile'>;
}

function int(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

function elasticOf(v: unknown): ElasticPolicy | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of ['minReplicas', 'maxReplicas', 'nProcPerNode', 'maxRestarts'] as const) {
    const n = int(v[k]);
    if (n !== undefined) out[k] = n;
  }
  for (const k of ['rdzvBackend', 'rdzvId'] as const) if (typeof v[k] === 'string') out[k] = v[k];
  if (typeof v.standalone === 'boolean') out.standalone = v.standalone;
  if (Array.isArray(v.rdzvConf)) {
    out.rdzvConf = v.rdzvConf.filter(isRecord).map((c) => ({ key: String(c.key ?? ''), value: String(c.value ?? '') }));
  }
  return out as ElasticPolicy;
}

/** TrainJob runtimes are cluster objects; locally the policy is inferred from the runtime's name (`torch-distributed`, …). */
export function trainerPolicyOf(runtimeName: string): TrainerPolicy {
  const name = runtimeName.toLowerCase();
  if (name.includes('jax')) return 'jax';
  if (name.includes('xgboost')) return 'xgboost';
  if (name.includes('deepspeed') || name.includes('mlx') || name.includes('mpi')) return 'mpi';
  return 'torch';
}

function gpuCount(resources: unknown): number {
  if (!isRecord(resources)) return 0;
  let n = 0;
  for (const part of [resources.limits, resources.requests]) {
    if (!isRecord(part)) continue;
    for (const [name, q] of Object.entries(part))
      if (name.toLowerCase().includes('gpu')) n = Math.max(n, Number(q) || 0);
  }
  return n;
}

/**
 * Trainer's torch plugin: `numProcPerNode` ("auto" unless set); with `resourcesPerNode`, "auto" without a GPU
 * resource becomes the CPU count and "cpu" becomes the CPU count or 1 (`pkg/runtime/framework/plugins/torch`).
 */
function trainerNproc(trainer: Record<string, unknown>): string {
  const set = trainer.numProcPerNode;
  const value = set === undefined || set === null ? 'auto' : String(set);
  const resources = trainer.resourcesPerNode;
  if (!isRecord(resources) || (value !== 'auto' && value !== 'cpu')) return value;
  if (value === 'auto' && gpuCount(resources) > 0) return value;
  for (const part of [resources.limits, resources.requests]) {
    if (isRecord(part) && part.cpu !== undefined) return String(Math.max(1, Math.ceil(cpuQuantity(part.cpu))));
  }
  return value === 'auto' ? 'auto' : '1';
}

function cpuQuantity(q: unknown): number {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s) || 1;
}

/** Reads the distribution settings of a rendered trial job whose replicas were already counted per role. */
export function jobShape(
  kind: DistributedKind,
  trialSpec: Readonly<Record<string, unknown>>,
  replicas: Readonly<Record<string, number>>,
): JobShape {
  const spec = isRecord(trialSpec.spec) ? trialSpec.spec : {};
  const apiVersion = typeof trialSpec.apiVersion === 'string' ? trialSpec.apiVersion : '';
  switch (kind) {
    case 'PyTorchJob': {
      const elastic = elasticOf(spec.elasticPolicy);
      // The defaulter copies the deprecated elasticPolicy.nProcPerNode, else sets "auto".
      const nproc = spec.nprocPerNode ?? elastic?.nProcPerNode ?? 'auto';
      return { kind, replicas, nprocPerNode: String(nproc), ...(elastic ? { elasticPolicy: elastic } : {}) };
    }
    case 'TFJob':
      return { kind, replicas, ...(spec.enableDynamicWorker === true ? { enableDynamicWorker: true } : {}) };
    case 'MPIJob': {
      const version = apiVersion.endsWith('/v2beta1') ? 'v2beta1' : 'v1';
      const implementation = typeof spec.mpiImplementation === 'string' ? spec.mpiImplementation : 'OpenMPI';
      return {
        kind,
        replicas,
        mpi: {
          version,
          slotsPerWorker: Math.max(1, int(spec.slotsPerWorker) ?? 1),
          launcherAsWorker: version === 'v2beta1' && spec.runLauncherAsWorker === true,
          implementation,
        },
      };
    }
    case 'TrainJob': {
      const trainer = isRecord(spec.trainer) ? spec.trainer : {};
      const runtime = isRecord(spec.runtimeRef) && typeof spec.runtimeRef.name === 'string' ? spec.runtimeRef.name : '';
      const mlPolicy = trainerPolicyOf(runtime);
      if (mlPolicy === 'xgboost') {
        return { kind, replicas, mlPolicy, workersPerNode: Math.max(1, gpuCount(trainer.resourcesPerNode)) };
      }
      return { kind, replicas, mlPolicy, ...(mlPolicy === 'torch' ? { nprocPerNode: trainerNproc(trainer) } : {}) };
    }
    default:
      return { kind, replicas };
  }
}
