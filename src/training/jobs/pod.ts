/**
 * One role's pod as flat values, and the conversions between those values and a pod template / container.
 * Builders write pods through here and `describeJob` reads them through here, so both agree on what is modelled.
 */
import { isRecord } from '../../spec/read.ts';
import { compact, objectOrUndefined, overlay, rest, stringsOrUndefined } from './json.ts';
import { gpuResourceName, isGpuResource } from './names.ts';
import type { ComputeResources, EnvVar, JsonObject, Quantity, Toleration } from './types.ts';

/** GPUs on one container: how many of which resource. */
export interface GpuRequest {
  readonly count: number;
  readonly resource: string;
}

/** Everything a role's pod is made of, each field separately overridable (see `RoleSpec`). */
export interface RoleValues {
  readonly containerName?: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly resources?: ComputeResources;
  readonly gpu?: GpuRequest;
  readonly restartPolicy?: string;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
  readonly container?: JsonObject;
  readonly pod?: JsonObject;
  readonly podMetadata?: JsonObject;
  readonly replicaSpec?: JsonObject;
  readonly sidecars?: readonly JsonObject[];
}

/** The modelled fields of `RoleValues`, which `describeJob` splits into job-wide values and role overrides. */
export const roleValueKeys: readonly (keyof RoleValues)[] = [
  'containerName',
  'image',
  'command',
  'args',
  'env',
  'resources',
  'gpu',
  'restartPolicy',
  'nodeSelector',
  'tolerations',
  'container',
  'pod',
  'podMetadata',
  'replicaSpec',
  'sidecars',
];

const containerKeys = ['name', 'image', 'command', 'args', 'env', 'resources'];

function nonEmpty<T extends object>(o: T | undefined): T | undefined {
  return o !== undefined && Object.keys(o).length > 0 ? o : undefined;
}

/** `resources` of a container: the described requests/limits with the GPU limit added. */
export function buildResources(
  resources: ComputeResources | undefined,
  gpu: GpuRequest | undefined,
): JsonObject | undefined {
  const limits: Record<string, Quantity> = { ...resources?.limits };
  if (gpu !== undefined && gpu.count > 0) limits[gpuResourceName(gpu.resource)] = gpu.count;
  return nonEmpty(compact({ requests: nonEmpty(resources?.requests), limits: nonEmpty(limits) }));
}

/** The main container of a role. */
export function buildContainer(v: RoleValues): JsonObject {
  const base = compact({
    name: v.containerName,
    image: v.image,
    command: v.command,
    args: v.args,
    env: v.env,
    resources: buildResources(v.resources, v.gpu),
  });
  return overlay(base, v.container);
}

/** A pod template (`{metadata?, spec}`); `podRestartPolicy` is for batch Jobs, whose restart policy lives on the pod. */
export function buildPodTemplate(v: RoleValues, podRestartPolicy?: string): JsonObject {
  const spec = compact({
    containers: [buildContainer(v), ...(v.sidecars ?? [])],
    nodeSelector: v.nodeSelector,
    tolerations: v.tolerations,
    restartPolicy: podRestartPolicy,
  });
  return compact({ metadata: v.podMetadata, spec: overlay(spec, v.pod) });
}

function readResources(r: unknown): { resources?: ComputeResources; gpu?: GpuRequest; extra?: JsonObject } {
  if (r === undefined) return {};
  if (!isRecord(r)) return { extra: { resources: r } };
  const requestsOk = r.requests === undefined || isRecord(r.requests);
  const limitsOk = r.limits === undefined || isRecord(r.limits);
  const extra = compact({
    ...rest(r, ['requests', 'limits']),
    requests: requestsOk ? undefined : r.requests,
    limits: limitsOk ? undefined : r.limits,
  });
  const limits = limitsOk && isRecord(r.limits) ? { ...(r.limits as Record<string, Quantity>) } : undefined;
  let gpu: GpuRequest | undefined;
  // Only a whole-number GPU limit is modelled; a string like "1" stays where it is so nothing is rewritten.
  const gpuKey = limits && Object.keys(limits).find((k) => isGpuResource(k) && Number.isInteger(limits[k]));
  if (limits !== undefined && gpuKey !== undefined) {
    gpu = { count: limits[gpuKey] as number, resource: gpuKey };
    delete limits[gpuKey];
  }
  const resources = compact({
    requests: requestsOk ? (r.requests as Record<string, Quantity> | undefined) : undefined,
    limits: gpu !== undefined && limits !== undefined && Object.keys(limits).length === 0 ? undefined : limits,
  });
  return compact({
    resources: nonEmpty(resources),
    gpu,
    extra: nonEmpty(extra) === undefined ? undefined : { resources: extra },
  });
}

/** Reads a container into role values; fields of unexpected shape go to `container` passthrough untouched. */
export function readContainer(c: JsonObject): RoleValues {
  const command = stringsOrUndefined(c.command);
  const args = stringsOrUndefined(c.args);
  const env = Array.isArray(c.env) && c.env.every((e) => isRecord(e) && typeof e.name === 'string') ? c.env : undefined;
  const res = readResources(c.resources);
  const unmodelled: JsonObject = {
    ...rest(c, containerKeys),
    ...(c.name !== undefined && typeof c.name !== 'string' ? { name: c.name } : {}),
    ...(c.image !== undefined && typeof c.image !== 'string' ? { image: c.image } : {}),
    ...(c.command !== undefined && command === undefined ? { command: c.command } : {}),
    ...(c.args !== undefined && args === undefined ? { args: c.args } : {}),
    ...(c.env !== undefined && env === undefined ? { env: c.env } : {}),
    ...res.extra,
  };
  return compact({
    containerName: typeof c.name === 'string' ? c.name : undefined,
    image: typeof c.image === 'string' ? c.image : undefined,
    command,
    args,
    env: env as EnvVar[] | undefined,
    resources: res.resources,
    gpu: res.gpu,
    container: nonEmpty(unmodelled),
  });
}

/** Reads a pod spec's node selector and tolerations; every other field is returned as `pod` passthrough. */
export function readPlacement(spec: JsonObject): Pick<RoleValues, 'nodeSelector' | 'tolerations' | 'pod'> {
  const selector = objectOrUndefined(spec.nodeSelector);
  const selectorOk = selector !== undefined && Object.values(selector).every((x) => typeof x === 'string');
  const tolerationsOk = Array.isArray(spec.tolerations) && spec.tolerations.every(isRecord);
  return compact({
    nodeSelector: selectorOk ? (selector as Record<string, string>) : undefined,
    tolerations: tolerationsOk ? (spec.tolerations as Toleration[]) : undefined,
    pod: rest(spec, [...(selectorOk ? ['nodeSelector'] : []), ...(tolerationsOk ? ['tolerations'] : [])]),
  });
}

/**
 * Reads a pod template: the main container is the one named `mainName` (else the first), the rest are sidecars.
 * `podRestartPolicy` reads the pod's restartPolicy into the role (batch Job). Anything of unexpected shape lands in
 * `replicaSpec.template`, which the builders lay over the template they generate.
 */
export function readPodTemplate(template: unknown, mainName: string, podRestartPolicy = false): RoleValues {
  if (!isRecord(template)) return template === undefined ? {} : { replicaSpec: { template } };
  const spec = isRecord(template.spec) ? template.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  const index = Math.max(
    0,
    containers.findIndex((c) => isRecord(c) && c.name === mainName),
  );
  const main = containers[index];
  const mainOk = isRecord(main) && containers.every(isRecord);
  const restartOk = podRestartPolicy && typeof spec.restartPolicy === 'string';
  const placement = readPlacement(
    rest(spec, [...(mainOk ? ['containers'] : []), ...(restartOk ? ['restartPolicy'] : [])]) ?? {},
  );
  const sidecars = mainOk ? (containers.filter((_, i) => i !== index) as JsonObject[]) : [];
  const odd = compact({
    ...rest(template, ['metadata', 'spec']),
    metadata: template.metadata !== undefined && !isRecord(template.metadata) ? template.metadata : undefined,
    spec: template.spec !== undefined && !isRecord(template.spec) ? template.spec : undefined,
  });
  return compact({
    ...(mainOk ? readContainer(main) : {}),
    restartPolicy: restartOk ? (spec.restartPolicy as string) : undefined,
    ...placement,
    podMetadata: objectOrUndefined(template.metadata),
    replicaSpec: nonEmpty(odd) === undefined ? undefined : { template: odd },
    sidecars: sidecars.length > 0 ? sidecars : undefined,
  });
}
