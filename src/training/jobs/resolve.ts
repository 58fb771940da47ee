/**
 * What one role's pods get: the role's override where it has one, else the job-wide value when that value reaches
 * the role (MPI: command on the launcher, GPUs on the workers), else the kind's default.
 */
import { appliesTo, defaultContainerName, jobKinds } from './kinds.ts';
import type { GpuRequest, RoleValues } from './pod.ts';
import type { PodPassthrough, PodShape, TrainingJobSpec } from './types.ts';

const shapeKeys = [
  'image',
  'command',
  'args',
  'env',
  'resources',
  'restartPolicy',
  'nodeSelector',
  'tolerations',
] as const satisfies readonly (keyof PodShape & keyof RoleValues)[];
const passKeys = [
  'container',
  'pod',
  'podMetadata',
  'replicaSpec',
  'sidecars',
] as const satisfies readonly (keyof PodPassthrough)[];

/** The roles a job runs and how many replicas each: `spec.replicas` or the kind's single-process default. */
export function jobReplicas(spec: TrainingJobSpec): Readonly<Record<string, number>> {
  return spec.replicas ?? jobKinds[spec.kind].defaultReplicas;
}

function gpuFor(spec: TrainingJobSpec, role: string): GpuRequest | undefined {
  const o = spec.roles?.[role];
  const count = o?.gpusPerReplica ?? (appliesTo(spec.kind, 'gpusPerReplica', role) ? spec.gpusPerReplica : undefined);
  if (count === undefined || count === 0) return undefined;
  return { count, resource: o?.gpuResource ?? spec.gpuResource ?? 'nvidia.com/gpu' };
}

/** The resolved values of `role`'s pod. */
export function resolveRole(spec: TrainingJobSpec, role: string): RoleValues {
  const o = spec.roles?.[role];
  const out: Record<string, unknown> = {
    containerName: o?.containerName ?? spec.containerName ?? defaultContainerName(spec.kind, role),
  };
  for (const k of shapeKeys) {
    const v = o?.[k] !== undefined ? o[k] : appliesTo(spec.kind, k, role) ? spec[k] : undefined;
    if (v !== undefined) out[k] = v;
  }
  const gpu = gpuFor(spec, role);
  if (gpu !== undefined) out.gpu = gpu;
  for (const k of passKeys) {
    const v = o?.passthrough?.[k] ?? spec.passthrough?.[k];
    if (v !== undefined) out[k] = v;
  }
  return out as RoleValues;
}
