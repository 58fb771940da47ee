/**
 * The inverse of `resolveRole`: given what each role's pod actually holds, choose job-wide values and the fewest
 * per-role overrides that resolve back to exactly those pods.
 */
import { jsonEqual } from './json.ts';
import { appliesTo, defaultContainerName, primaryRole } from './kinds.ts';
import { type RoleValues, roleValueKeys } from './pod.ts';
import type { JobPassthrough, PodPassthrough, RoleSpec, TrainingJobKind, TrainingJobSpec } from './types.ts';

type Values = Record<string, unknown>;

/** Job-wide fields and per-role overrides, in the description's own shape. */
export interface SplitRoles {
  readonly common: Partial<TrainingJobSpec>;
  readonly roles?: Readonly<Record<string, RoleSpec>>;
}

const passKeys: readonly string[] = ['container', 'pod', 'podMetadata', 'replicaSpec', 'sidecars'];

function expectedFor(kind: TrainingJobKind, key: string, role: string, common: unknown): unknown {
  const applies = appliesTo(kind, key === 'gpu' ? 'gpusPerReplica' : key, role);
  if (applies && common !== undefined) return common;
  return key === 'containerName' ? defaultContainerName(kind, role) : undefined;
}

/** Overrides needed when `common` is the job-wide value of `key`, or undefined when `common` cannot work. */
function overridesFor(
  kind: TrainingJobKind,
  key: string,
  values: Readonly<Record<string, Values>>,
  common: unknown,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [role, v] of Object.entries(values)) {
    const actual = v[key];
    const expected = expectedFor(kind, key, role, common);
    if (jsonEqual(actual, expected)) continue;
    if (actual !== undefined) out[role] = actual;
    // A nameless container is left to the kind's default; "no GPUs" is expressible as a count of 0.
    else if (key === 'gpu') out[role] = { count: 0 };
    else if (key !== 'containerName') return undefined;
  }
  return out;
}

function gpuFields(gpu: unknown, baseResource: string | undefined): Values {
  const g = gpu as { count: number; resource?: string };
  const out: Values = { gpusPerReplica: g.count };
  if (g.resource !== undefined && g.resource !== (baseResource ?? 'nvidia.com/gpu')) out.gpuResource = g.resource;
  return out;
}

function place(target: Values, key: string, value: unknown, baseResource?: string): void {
  if (key === 'gpu') Object.assign(target, gpuFields(value, baseResource));
  else if (passKeys.includes(key)) target.passthrough = { ...(target.passthrough as PodPassthrough), [key]: value };
  else target[key] = value;
}

/** Splits the per-role pod values of a job of `kind` into job-wide fields and role overrides. */
export function splitRoles(kind: TrainingJobKind, values: Readonly<Record<string, RoleValues>>): SplitRoles {
  const vals = values as Readonly<Record<string, Values>>;
  const primary = primaryRole(Object.keys(values));
  const common: Values = {};
  const roles: Record<string, Values> = {};
  for (const key of roleValueKeys) {
    // Candidates for the job-wide value: the primary role's first, then any other role's (MPI GPUs live on workers).
    const candidates: unknown[] = [];
    for (const role of [primary, ...Object.keys(values)]) {
      const v = role === undefined ? undefined : vals[role]?.[key];
      if (v !== undefined && !candidates.some((c) => jsonEqual(c, v))) candidates.push(v);
    }
    let best: { common: unknown; overrides: Record<string, unknown> } = {
      common: undefined,
      overrides: overridesFor(kind, key, vals, undefined) ?? {},
    };
    for (const candidate of candidates) {
      const withCommon = overridesFor(kind, key, vals, candidate);
      // Prefer leaving the job-wide field unset on a tie, so defaults stay implicit.
      if (withCommon && Object.keys(withCommon).length < Object.keys(best.overrides).length) {
        best = { common: candidate, overrides: withCommon };
      }
    }
    if (best.common !== undefined) place(common, key, best.common);
    const baseResource = (best.common as { resource?: string } | undefined)?.resource;
    for (const [role, v] of Object.entries(best.overrides)) {
      const target = roles[role] ?? {};
      roles[role] = target;
      place(target, key, v, baseResource);
    }
  }
  const out: { common: Partial<TrainingJobSpec>; roles?: Record<string, RoleSpec> } = {
    common: common as Partial<TrainingJobSpec>,
  };
  if (Object.keys(roles).length > 0) out.roles = roles as Record<string, RoleSpec>;
  return out;
}

/** Merges job-level passthrough parts into the pod passthrough `splitRoles` chose, omitting empty ones. */
export function jobPassthrough(
  pod: PodPassthrough | undefined,
  job: Omit<JobPassthrough, keyof PodPassthrough>,
): JobPassthrough | undefined {
  const out: Values = { ...pod };
  for (const [k, v] of Object.entries(job)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? (out as JobPassthrough) : undefined;
}
