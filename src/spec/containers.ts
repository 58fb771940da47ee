import { replicaKeyOf } from './kinds.ts';
import { at, isRecord, type Obj } from './read.ts';

/** One container of a trial job, with its dotted path inside the trialSpec and, for replicated jobs, its role. */
export interface FoundContainer {
  readonly path: string;
  readonly role?: string;
  readonly container: Record<string, unknown>;
}

/** What an executor needs to know about a trial job: its kind and how many replicas each role has. */
export interface TrialKindInfo {
  readonly kind: string;
  readonly apiVersion: string;
  /** `batchJob`, a training-operator v1 job, a Trainer v2 TrainJob, or anything else. */
  readonly family: 'batchJob' | 'kubeflowJob' | 'trainJob' | 'other';
  /** Role → replica count: `Master`/`Worker`/… for Kubeflow jobs, `node` for TrainJob, `Job` for a batch Job. */
  readonly replicas: Readonly<Record<string, number>>;
}

/** Roles that hold the primary pod, in the order the training operator picks one. */
const masterRoles = ['Master', 'Chief', 'Launcher'];

function podContainers(template: unknown, path: string, role?: string): FoundContainer[] {
  const podSpec = isRecord(template) && isRecord(template.spec) ? template.spec : undefined;
  if (!podSpec || !Array.isArray(podSpec.containers)) return [];
  const base = at(path, 'spec.containers');
  return podSpec.containers.flatMap((c, i) =>
    isRecord(c)
      ? [role === undefined ? { path: at(base, i), container: c } : { path: at(base, i), role, container: c }]
      : [],
  );
}

function replicaSpecs(trialSpec: Obj, kind: string): [string, Obj][] {
  const key = replicaKeyOf(kind);
  const spec = trialSpec.spec;
  if (key === undefined || !isRecord(spec) || !isRecord(spec[key])) return [];
  return Object.entries(spec[key]).filter((e): e is [string, Obj] => isRecord(e[1]));
}

/**
 * Every container a trial job defines inline: a batch `Job`'s pod template, each role of a training-operator
 * job, or a `TrainJob`'s `spec.trainer` presented as the container `node` (TrainJob has no inline containers;
 * its runtime names the trainer container `node`). Argo Workflows, Tekton PipelineRuns and unknown kinds yield
 * none unless they use a plain `spec.template` pod template.
 */
export function findContainers(trialSpec: Record<string, unknown>): FoundContainer[] {
  const kind = typeof trialSpec.kind === 'string' ? trialSpec.kind : '';
  const spec = isRecord(trialSpec.spec) ? trialSpec.spec : undefined;
  if (!spec) return [];
  const key = replicaKeyOf(kind);
  if (key !== undefined) {
    return replicaSpecs(trialSpec, kind).flatMap(([role, rs]) =>
      podContainers(rs.template, `spec.${key}.${role}.template`, role),
    );
  }
  if (kind === 'TrainJob') {
    return isRecord(spec.trainer)
      ? [{ path: 'spec.trainer', role: 'node', container: { ...spec.trainer, name: 'node' } }]
      : [];
  }
  return podContainers(spec.template, 'spec.template');
}

/** The container called `name`, preferring the master/chief/launcher role when several roles share the name. */
export function findPrimaryContainer(trialSpec: Record<string, unknown>, name: string): FoundContainer | undefined {
  const named = findContainers(trialSpec).filter((c) => c.container.name === name);
  return named.find((c) => c.role !== undefined && masterRoles.includes(c.role)) ?? named[0];
}

function count(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback;
}

/** Kind, apiVersion and replica counts of a trial job (unset counts default to 1, as the operators do). */
export function trialKindInfo(trialSpec: Record<string, unknown>): TrialKindInfo {
  const kind = typeof trialSpec.kind === 'string' ? trialSpec.kind : '';
  const apiVersion = typeof trialSpec.apiVersion === 'string' ? trialSpec.apiVersion : '';
  const spec = isRecord(trialSpec.spec) ? trialSpec.spec : {};
  if (replicaKeyOf(kind) !== undefined) {
    const replicas: Record<string, number> = {};
    for (const [role, rs] of replicaSpecs(trialSpec, kind)) replicas[role] = count(rs.replicas, 1);
    return { kind, apiVersion, family: 'kubeflowJob', replicas };
  }
  if (kind === 'TrainJob') {
    const trainer = isRecord(spec.trainer) ? spec.trainer : {};
    return { kind, apiVersion, family: 'trainJob', replicas: { node: count(trainer.numNodes, 1) } };
  }
  if (kind === 'Job' && apiVersion.startsWith('batch/')) {
    return { kind, apiVersion, family: 'batchJob', replicas: { Job: count(spec.parallelism, 1) } };
  }
  return { kind, apiVersion, family: 'other', replicas: {} };
}
