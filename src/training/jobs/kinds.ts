/**
 * What differs between job kinds, for the builders: read from the one table in `src/spec/jobKinds.ts`
 * (apiVersion, replica key, roles, container names, where "processes per node" goes; kubeflow REFERENCE §1a, §1d, §2).
 */
import { type JobKindInfo, jobKindTable, masterRoleOrder } from '../../spec/jobKinds.ts';
import type { TrainingJobKind } from './types.ts';

export type { JobKindInfo } from '../../spec/jobKinds.ts';

/** The table of kinds (the shared one; re-exported here for the builders). */
export const jobKinds: Readonly<Record<TrainingJobKind, JobKindInfo>> = jobKindTable;

/** All kinds, for iteration and messages. */
export const trainingJobKinds: readonly TrainingJobKind[] = Object.keys(jobKinds) as TrainingJobKind[];

/** True for a kind name we build. */
export function isTrainingJobKind(kind: unknown): kind is TrainingJobKind {
  // Object.hasOwn, not `in`: `toString` is no kind.
  return typeof kind === 'string' && Object.hasOwn(jobKinds, kind);
}

/** The container name a role's main container gets by default ({@link JobKindInfo.containerName}). */
export function defaultContainerName(kind: TrainingJobKind, role: string): string {
  const info = jobKinds[kind];
  return role === 'Launcher' ? (info.launcherContainerName ?? info.containerName) : info.containerName;
}

/** The role whose pod is the primary one: Master, Chief or Launcher, else Worker, else `node`, else the first role given. */
export function primaryRole(roles: readonly string[]): string | undefined {
  return masterRoleOrder.find((r) => roles.includes(r)) ?? roles[0];
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
