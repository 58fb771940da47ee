/**
 * Which local processes a distributed trial becomes: one per replica (role × index), each running the container
 * the operator would inject into, except MPIJob workers, which are the ranks the launcher's `mpirun` starts.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { findContainers, trialKindInfo } from '../../spec/containers.ts';
import { containerGpuRequests } from './gpu.ts';
import {
  canonicalRole,
  type DistributedKind,
  defaultContainerNames,
  isDistributedKind,
  type JobShape,
  jobShape,
  kindRoles,
  masterReplica,
} from './topology.ts';

/** One replica of the job: its role as the operator spells it, its index and the container it runs. */
export interface ReplicaPlan {
  readonly role: string;
  readonly index: number;
  /** `<role lowercased>-<index>`, as in the pod name `<job>-<role>-<index>`; names its folder and log. */
  readonly name: string;
  readonly container: Readonly<Record<string, unknown>>;
  /** The replica Katib reads metrics from and whose exit decides the trial (see `masterReplica`). */
  readonly master: boolean;
  /** False for MPIJob workers: `mpirun` starts their ranks. */
  readonly runsProcess: boolean;
}

/** A trial job planned for local execution. */
export interface TrialPlan {
  readonly shape: JobShape;
  readonly replicas: readonly ReplicaPlan[];
}

/** Total replicas of a trial job, or 0 when it is not a Kubeflow training job or TrainJob. */
function replicaTotal(trialSpec: Record<string, unknown>): number {
  const info = trialKindInfo(trialSpec);
  if (info.family !== 'kubeflowJob' && info.family !== 'trainJob') return 0;
  return Object.values(info.replicas).reduce((a, b) => a + b, 0);
}

/**
 * Whether a trial template needs {@link LocalDistributedExecutor}: a Kubeflow training job or TrainJob with more
 * than one replica, any MPIJob (its launcher needs `mpirun` and a hostfile), or one whose containers request GPUs.
 */
export function needsDistributedLauncher(trialSpec: Record<string, unknown>): boolean {
  const total = replicaTotal(trialSpec);
  if (total === 0) return false;
  if (total > 1 || trialSpec.kind === 'MPIJob') return true;
  return findContainers(trialSpec).some((c) => containerGpuRequests(c.container).length > 0);
}

function chooseContainer(
  found: readonly Readonly<Record<string, unknown>>[],
  primary: string,
  kind: DistributedKind,
): Readonly<Record<string, unknown>> | undefined {
  return found.find((c) => c.name === primary) ?? found.find((c) => c.name === defaultContainerNames[kind]) ?? found[0];
}

/**
 * Plans a rendered trial job. Throws `unsupported` for kinds the launcher does not run and `invalidSpec` for
 * roles the kind does not have or roles without a container.
 */
export function planTrial(rendered: Record<string, unknown>, primaryContainerName: string): TrialPlan {
  const info = trialKindInfo(rendered);
  const kind = info.kind;
  if (!isDistributedKind(kind)) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `a ${kind || 'trial job without a kind'} is not a Kubeflow training job; the local distributed launcher runs PyTorchJob, TFJob, MPIJob, XGBoostJob, JAXJob, PaddleJob and TrainJob`,
    );
  }
  const replicas: Record<string, number> = {};
  const containers = new Map<string, Readonly<Record<string, unknown>>[]>();
  for (const [raw, n] of Object.entries(info.replicas)) {
    const role = canonicalRole(kind, raw);
    if (role === undefined) {
      throw new WorkbenchError(
        ErrorCode.invalidSpec,
        `${kind} has no replica type '${raw}' (expected one of ${kindRoles[kind].join(', ')})`,
      );
    }
    if (role in replicas) throw new WorkbenchError(ErrorCode.invalidSpec, `${kind} lists replica type ${role} twice`);
    if (n > 0) replicas[role] = n;
  }
  for (const c of findContainers(rendered)) {
    const role = c.role === undefined ? undefined : canonicalRole(kind, c.role);
    if (role === undefined) continue;
    containers.set(role, [...(containers.get(role) ?? []), c.container]);
  }
  const shape = jobShape(kind, rendered, replicas);
  if (shape.mlPolicy === 'mpi') {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      'a TrainJob on an MPI runtime (deepspeed, mlx) is not run locally; use an MPIJob trial or a torch runtime',
    );
  }
  const master = masterReplica(replicas);
  const plan: ReplicaPlan[] = [];
  for (const [role, n] of Object.entries(replicas)) {
    const container = chooseContainer(containers.get(role) ?? [], primaryContainerName, kind);
    if (container === undefined) {
      throw new WorkbenchError(ErrorCode.invalidSpec, `${kind} replica type ${role} has no container`);
    }
    for (let index = 0; index < n; index++) {
      plan.push({
        role,
        index,
        name: `${role.toLowerCase()}-${index}`,
        container,
        master: master?.role === role && master.index === index,
        runsProcess: !(kind === 'MPIJob' && role === 'Worker'),
      });
    }
  }
  if (kind === 'MPIJob' && (replicas.Launcher ?? 0) !== 1) {
    throw new WorkbenchError(ErrorCode.invalidSpec, 'an MPIJob needs exactly one Launcher replica');
  }
  return { shape, replicas: plan };
}
