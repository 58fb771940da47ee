/**
 * Reads a job manifest or Katib trialSpec of any supported kind back into a `TrainingJobSpec`. Tolerant: whatever
 * the description does not model is kept in `passthrough`, so `buildJobManifest(describeJob(x))` rebuilds `x`.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { isRecord } from '../../spec/read.ts';
import { placementPatchManager } from './build.ts';
import { compact, jsonEqual, objectOrUndefined, overlay, rest } from './json.ts';
import { defaultContainerName, jobKinds, kindOfManifest } from './kinds.ts';
import { type RoleValues, readContainer, readPlacement, readPodTemplate } from './pod.ts';
import { jobPassthrough, splitRoles } from './split.ts';
import type { JsonObject, RunPolicy, RuntimeRef, TrainingJobKind, TrainingJobSpec } from './types.ts';

interface Parts {
  roles: Record<string, RoleValues>;
  replicas?: Record<string, number>;
  processesPerNode?: number | string;
  runPolicy?: RunPolicy;
  runtimeRef?: RuntimeRef;
  runPolicyRest?: JsonObject;
  specRest?: JsonObject;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function stringMap(v: unknown): Record<string, string> | undefined {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'string')
    ? (v as Record<string, string>)
    : undefined;
}

/** The run-policy fields of `obj` we model (whole numbers, cleanPodPolicy string) and their keys. */
function readRunPolicy(obj: JsonObject, keys: readonly string[]): { policy?: RunPolicy; modelled: string[] } {
  const policy: Record<string, unknown> = {};
  for (const k of keys) if (isCount(obj[k])) policy[k] = obj[k];
  if (keys.includes('cleanPodPolicy') && typeof obj.cleanPodPolicy === 'string')
    policy.cleanPodPolicy = obj.cleanPodPolicy;
  const modelled = Object.keys(policy);
  return modelled.length > 0 ? { policy: policy as RunPolicy, modelled } : { modelled };
}

const runPolicyKeys = ['backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished', 'cleanPodPolicy'];

function kubeflowParts(kind: TrainingJobKind, spec: JsonObject): Parts {
  const info = jobKinds[kind];
  const key = info.replicaKey ?? '';
  const specs = isRecord(spec[key]) ? spec[key] : undefined;
  const roles: Record<string, RoleValues> = {};
  const replicas: Record<string, number> = {};
  // A replica spec that is not a mapping is no role we can describe; it is carried through as written.
  const oddRoles: JsonObject = {};
  for (const [role, rs] of Object.entries(specs ?? {})) {
    if (!isRecord(rs)) {
      oddRoles[role] = rs;
      continue;
    }
    const pod = readPodTemplate(rs.template, defaultContainerName(kind, role));
    const known = [
      'template',
      ...(isCount(rs.replicas) ? ['replicas'] : []),
      ...(typeof rs.restartPolicy === 'string' ? ['restartPolicy'] : []),
    ];
    const replicaSpec = overlay(rest(rs, known) ?? {}, pod.replicaSpec);
    replicas[role] = isCount(rs.replicas) ? rs.replicas : 1;
    roles[role] = compact({
      ...pod,
      restartPolicy: typeof rs.restartPolicy === 'string' ? rs.restartPolicy : undefined,
      replicaSpec: Object.keys(replicaSpec).length > 0 ? replicaSpec : undefined,
    });
  }
  const out: Parts = { roles, replicas };
  const known: string[] = specs === undefined ? [] : [key];
  const rp = objectOrUndefined(spec.runPolicy);
  if (rp !== undefined) {
    const { policy, modelled } = readRunPolicy(rp, runPolicyKeys);
    if (policy !== undefined) out.runPolicy = policy;
    const runPolicyRest = rest(rp, modelled);
    if (runPolicyRest !== undefined) out.runPolicyRest = runPolicyRest;
    known.push('runPolicy');
  }
  const pf = info.processesField;
  const p = pf === undefined ? undefined : spec[pf];
  if (pf === 'nprocPerNode' && typeof p === 'string') {
    out.processesPerNode = /^[1-9]\d*$/.test(p) ? Number(p) : p;
    known.push(pf);
  } else if (pf !== undefined && isCount(p)) {
    out.processesPerNode = p;
    known.push(pf);
  }
  const specRest = { ...rest(spec, known), ...(Object.keys(oddRoles).length > 0 ? { [key]: oddRoles } : {}) };
  if (Object.keys(specRest).length > 0) out.specRest = specRest;
  return out;
}

/** Our own placement patch's pod spec, if `patch` is exactly what `buildJobManifest` writes. */
function ownPatchPod(patch: unknown): JsonObject | undefined {
  if (!isRecord(patch) || patch.manager !== placementPatchManager) return undefined;
  const jobs = (patch as { trainingRuntimeSpec?: { template?: { spec?: { replicatedJobs?: unknown } } } })
    .trainingRuntimeSpec?.template?.spec?.replicatedJobs;
  const first = Array.isArray(jobs) && jobs.length === 1 ? jobs[0] : undefined;
  const pod = (first as { template?: { spec?: { template?: { spec?: unknown } } } } | undefined)?.template?.spec
    ?.template?.spec;
  if (!isRecord(pod)) return undefined;
  const rebuilt = {
    manager: placementPatchManager,
    trainingRuntimeSpec: {
      template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: pod } } } }] } },
    },
  };
  return jsonEqual(rebuilt, patch) ? pod : undefined;
}

function trainJobParts(spec: JsonObject): Parts {
  const trainer = objectOrUndefined(spec.trainer) ?? {};
  const numNodes = isCount(trainer.numNodes) ? trainer.numNodes : undefined;
  const nproc = isCount(trainer.numProcPerNode) ? trainer.numProcPerNode : undefined;
  const known = [
    'resourcesPerNode',
    ...(numNodes === undefined ? [] : ['numNodes']),
    ...(nproc === undefined ? [] : ['numProcPerNode']),
  ];
  const read = readContainer({ ...rest(trainer, known), resources: trainer.resourcesPerNode });
  let container = read.container;
  if (container && 'resources' in container) {
    const { resources, ...others } = container;
    container = { ...others, resourcesPerNode: resources };
  }
  const patches = Array.isArray(spec.runtimePatches) ? spec.runtimePatches : undefined;
  const ownIndex = patches?.findIndex((p) => ownPatchPod(p) !== undefined) ?? -1;
  const pod = ownIndex >= 0 ? readPlacement(ownPatchPod(patches?.[ownIndex]) ?? {}) : {};
  const role: RoleValues = compact({
    ...read,
    container,
    nodeSelector: pod.nodeSelector,
    tolerations: pod.tolerations,
    pod: pod.pod,
  });
  const out: Parts = { roles: { node: role } };
  if (numNodes !== undefined) out.replicas = { node: numNodes };
  if (nproc !== undefined) out.processesPerNode = nproc;
  const ref = spec.runtimeRef;
  // name/kind/apiGroup strings are modelled; anything else in the reference stays in passthrough (merged back).
  const refKeys = ['name', 'kind', 'apiGroup'].filter((k) => isRecord(ref) && typeof ref[k] === 'string');
  const refRest = isRecord(ref) && refKeys.includes('name') ? rest(ref, refKeys) : undefined;
  if (isRecord(ref) && refKeys.includes('name')) {
    out.runtimeRef = Object.fromEntries(refKeys.map((k) => [k, ref[k]])) as unknown as RuntimeRef;
  }
  const deadline = isCount(spec.activeDeadlineSeconds) ? spec.activeDeadlineSeconds : undefined;
  if (deadline !== undefined) out.runPolicy = { activeDeadlineSeconds: deadline };
  const specRest = rest(spec, [
    ...(spec.trainer === undefined || isRecord(spec.trainer) ? ['trainer'] : []),
    ...(out.runtimeRef ? ['runtimeRef'] : []),
    ...(deadline === undefined ? [] : ['activeDeadlineSeconds']),
    ...(ownIndex >= 0 ? ['runtimePatches'] : []),
  ]);
  const others = patches?.filter((_, i) => i !== ownIndex);
  const extra = {
    ...specRest,
    ...(refRest ? { runtimeRef: refRest } : {}),
    ...(ownIndex >= 0 && others && others.length > 0 ? { runtimePatches: others } : {}),
  };
  if (Object.keys(extra).length > 0) out.specRest = extra;
  return out;
}

function batchJobParts(spec: JsonObject): Parts {
  const role = readPodTemplate(spec.template, defaultContainerName('Job', 'Job'), true);
  const { policy, modelled } = readRunPolicy(spec, runPolicyKeys.slice(0, 3));
  const parallelism = isCount(spec.parallelism) ? spec.parallelism : undefined;
  const out: Parts = { roles: { Job: role } };
  if (parallelism !== undefined) out.replicas = { Job: parallelism };
  if (policy !== undefined) out.runPolicy = policy;
  const specRest = rest(spec, ['template', ...modelled, ...(parallelism === undefined ? [] : ['parallelism'])]);
  if (specRest !== undefined) out.specRest = specRest;
  return out;
}

/**
 * The description of a job manifest or Katib `trialSpec` (PyTorchJob, TFJob, MPIJob v1/v2beta1, XGBoostJob, JAXJob,
 * PaddleJob, TrainJob or batch Job). Values shared by every role become job-wide fields; differences become `roles`
 * overrides. Throws an `unsupported` WorkbenchError for any other kind.
 */
export function describeJob(trialSpec: Record<string, unknown>): TrainingJobSpec {
  const kind = kindOfManifest(trialSpec.apiVersion, trialSpec.kind);
  if (kind === undefined) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `Cannot describe a ${String(trialSpec.kind)} (${String(trialSpec.apiVersion)}) as a training job.`,
    );
  }
  const metadata = objectOrUndefined(trialSpec.metadata) ?? {};
  const spec = objectOrUndefined(trialSpec.spec) ?? {};
  const family = jobKinds[kind].family;
  const parts =
    family === 'kubeflow'
      ? kubeflowParts(kind, spec)
      : family === 'trainJob'
        ? trainJobParts(spec)
        : batchJobParts(spec);
  const split = splitRoles(kind, parts.roles);
  const { passthrough: podPassthrough, ...common } = split.common;
  const labels = stringMap(metadata.labels);
  const annotations = stringMap(metadata.annotations);
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  const metaKnown = [
    'name',
    ...(namespace === undefined ? [] : ['namespace']),
    ...(labels ? ['labels'] : []),
    ...(annotations ? ['annotations'] : []),
  ];
  const metadataRest = compact({
    ...rest(metadata, metaKnown),
    name: typeof metadata.name === 'string' ? undefined : metadata.name,
  });
  const passthrough = jobPassthrough(podPassthrough, {
    ...(Object.keys(metadataRest).length > 0 ? { metadata: metadataRest } : {}),
    ...(parts.specRest ? { spec: parts.specRest } : {}),
    ...(parts.runPolicyRest ? { runPolicy: parts.runPolicyRest } : {}),
  });
  return compact({
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace,
    kind,
    ...common,
    replicas: parts.replicas,
    processesPerNode: parts.processesPerNode,
    runPolicy: parts.runPolicy,
    runtimeRef: parts.runtimeRef,
    labels,
    annotations,
    roles: split.roles,
    passthrough,
  }) as TrainingJobSpec;
}
