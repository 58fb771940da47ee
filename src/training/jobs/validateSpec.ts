/**
 * Checks a `TrainingJobSpec` before it is built: the webhook rules of the target kind (names, roles, container
 * names, images) and what each kind can express (processes per node, run policy, runtimeRef, GPUs).
 */
import type { Issue } from '../../common/issue.ts';
import { isRecord } from '../../spec/read.ts';
import { defaultContainerName, isTrainingJobKind, jobKinds, trainingJobKinds } from './kinds.ts';
import {
  dns1035Problem,
  dns1123Problem,
  gpuResourceName,
  hasPlaceholder,
  isGpuResource,
  isMigResource,
  isQuantity,
  isResourceName,
} from './names.ts';
import { jobReplicas, resolveRole } from './resolve.ts';
import { checkRoles } from './roles.ts';
import type { RoleSpec, Toleration, TrainingJobSpec } from './types.ts';

const v1RestartPolicies = ['Always', 'OnFailure', 'Never', 'ExitCode'];
const cleanPodPolicies = ['All', 'Running', 'None'];

/** Path of a field of `role`: the override's when the role sets it, else the job-wide one. */
function fieldPath(spec: TrainingJobSpec, role: string, field: keyof RoleSpec): string {
  return spec.roles?.[role]?.[field] !== undefined ? `roles.${role}.${field}` : field;
}

function checkTolerations(tolerations: readonly Toleration[], path: string): Issue[] {
  return tolerations.flatMap((t, i): Issue[] => {
    const p = `${path}[${i}]`;
    if (t.operator !== undefined && t.operator !== 'Exists' && t.operator !== 'Equal') {
      return [
        {
          path: `${p}.operator`,
          message: `Toleration operator must be Exists or Equal, not ${JSON.stringify(t.operator)}.`,
        },
      ];
    }
    if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
      return [{ path: `${p}.value`, message: 'A toleration with operator Exists must not have a value.' }];
    }
    if (t.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
      return [{ path: `${p}.effect`, message: `Toleration effect must be NoSchedule, PreferNoSchedule or NoExecute.` }];
    }
    return [];
  });
}

function checkRole(spec: TrainingJobSpec, role: string): Issue[] {
  const v = resolveRole(spec, role);
  const info = jobKinds[spec.kind];
  const issues: Issue[] = [];
  const at = (f: keyof RoleSpec): string => fieldPath(spec, role, f);
  const required = defaultContainerName(spec.kind, role);
  // A pod carried verbatim in passthrough (an odd template, a raw container list) is not ours to check.
  const template = v.replicaSpec?.template;
  if ((template !== undefined && !isRecord(template)) || v.pod?.containers !== undefined) return [];
  if (spec.kind !== 'TrainJob' && (v.image === undefined || v.image === '')) {
    const who = at('image') === 'image' ? 'Every' : `The ${role}`;
    issues.push({ path: at('image'), message: `${who} container needs an image.` });
  }
  if (spec.kind === 'TrainJob' || info.nameRequired) {
    if (v.containerName !== required) {
      issues.push({
        path: at('containerName'),
        message: `A ${info.manifestKind} needs its main container named ${JSON.stringify(required)}, not ${JSON.stringify(v.containerName)}.`,
        fix: `Leave containerName unset or set it to ${JSON.stringify(required)}.`,
      });
    }
  } else if (v.containerName !== undefined) {
    const problem = dns1123Problem(v.containerName);
    if (problem) issues.push({ path: at('containerName'), message: `Container name ${problem}.` });
  }
  if (v.restartPolicy !== undefined) {
    const allowed =
      info.family === 'kubeflow' ? v1RestartPolicies : info.family === 'batchJob' ? ['Never', 'OnFailure'] : [];
    if (!allowed.includes(v.restartPolicy)) {
      issues.push({
        path: at('restartPolicy'),
        message:
          allowed.length === 0
            ? 'A TrainJob takes its restart policy from the runtime.'
            : `restartPolicy must be one of ${allowed.join(', ')}.`,
      });
    }
  }
  const gpuCount = spec.roles?.[role]?.gpusPerReplica ?? spec.gpusPerReplica;
  if (gpuCount !== undefined && (!Number.isInteger(gpuCount) || gpuCount < 0)) {
    issues.push({ path: at('gpusPerReplica'), message: `gpusPerReplica must be a whole number ≥ 0, not ${gpuCount}.` });
  }
  if (v.gpu !== undefined && !isResourceName(gpuResourceName(v.gpu.resource))) {
    issues.push({ path: at('gpuResource'), message: `${JSON.stringify(v.gpu.resource)} is not a resource name.` });
  }
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, q] of Object.entries(v.resources?.[kind] ?? {})) {
      const p = `${at('resources')}.${kind}.${name}`;
      if (!isResourceName(name)) issues.push({ path: p, message: `${JSON.stringify(name)} is not a resource name.` });
      else if (!isQuantity(q)) issues.push({ path: p, message: `${JSON.stringify(q)} is not a Kubernetes quantity.` });
    }
  }
  const gpuKinds = Object.keys(v.resources?.limits ?? {}).filter(isGpuResource).length + (v.gpu ? 1 : 0);
  if (gpuKinds > 1) {
    issues.push({
      path: at('resources'),
      message: 'A container may request only one GPU or MIG resource type.',
      fix: 'Use gpusPerReplica and gpuResource alone.',
    });
  }
  if (v.tolerations) issues.push(...checkTolerations(v.tolerations, at('tolerations')));
  if (spec.kind === 'TrainJob') {
    for (const k of ['sidecars', 'podMetadata', 'replicaSpec'] as const) {
      if (v[k] !== undefined)
        issues.push({ path: `passthrough.${k}`, message: `A TrainJob has no ${k}; its pods come from the runtime.` });
    }
    for (const e of v.env ?? []) {
      if (/^PET_(NNODES|NPROC_PER_NODE|NODE_RANK|MASTER_ADDR|MASTER_PORT)$/.test(e.name)) {
        issues.push({
          path: at('env'),
          message: `${e.name} is set by Trainer's torch runtimes and rejected there.`,
          severity: 'warning',
        });
      }
    }
  }
  return issues;
}

function checkProcesses(spec: TrainingJobSpec): Issue[] {
  const p = spec.processesPerNode;
  if (p === undefined) return [];
  const field = jobKinds[spec.kind].processesField;
  if (field === undefined)
    return [{ path: 'processesPerNode', message: `A ${spec.kind} has no processes-per-node setting.` }];
  const positive = typeof p === 'number' && Number.isInteger(p) && p >= 1;
  if (positive || (field === 'nprocPerNode' && (p === 'auto' || p === 'cpu' || p === 'gpu'))) return [];
  const what = field === 'nprocPerNode' ? 'a whole number ≥ 1 or auto, cpu, gpu' : 'a whole number ≥ 1';
  return [
    { path: 'processesPerNode', message: `processesPerNode (${field}) must be ${what}, not ${JSON.stringify(p)}.` },
  ];
}

function checkRunPolicy(spec: TrainingJobSpec): Issue[] {
  const rp = spec.runPolicy ?? {};
  const issues: Issue[] = [];
  const family = jobKinds[spec.kind].family;
  for (const k of ['backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished'] as const) {
    const n = rp[k];
    if (n === undefined) continue;
    const min = k === 'activeDeadlineSeconds' ? 1 : 0;
    if (!Number.isInteger(n) || n < min)
      issues.push({ path: `runPolicy.${k}`, message: `${k} must be a whole number ≥ ${min}.` });
    else if (family === 'trainJob' && k !== 'activeDeadlineSeconds') {
      issues.push({ path: `runPolicy.${k}`, message: `A TrainJob has no ${k}; only activeDeadlineSeconds.` });
    }
  }
  if (rp.cleanPodPolicy !== undefined) {
    if (family !== 'kubeflow')
      issues.push({ path: 'runPolicy.cleanPodPolicy', message: `A ${spec.kind} has no cleanPodPolicy.` });
    else if (!cleanPodPolicies.includes(rp.cleanPodPolicy)) {
      issues.push({
        path: 'runPolicy.cleanPodPolicy',
        message: `cleanPodPolicy must be one of ${cleanPodPolicies.join(', ')}.`,
      });
    }
  }
  return issues;
}

function checkRuntimeRef(spec: TrainingJobSpec): Issue[] {
  const ref = spec.runtimeRef;
  if (spec.kind !== 'TrainJob')
    return ref ? [{ path: 'runtimeRef', message: `Only a TrainJob has a runtimeRef.` }] : [];
  if (!ref || ref.name === '') {
    return [
      {
        path: 'runtimeRef.name',
        message: 'A TrainJob needs runtimeRef.name.',
        fix: 'Name a ClusterTrainingRuntime such as torch-distributed.',
      },
    ];
  }
  if (ref.kind !== undefined && ref.kind !== 'ClusterTrainingRuntime' && ref.kind !== 'TrainingRuntime') {
    return [{ path: 'runtimeRef.kind', message: 'runtimeRef.kind must be ClusterTrainingRuntime or TrainingRuntime.' }];
  }
  return [];
}

/** Every problem with `spec`, each with a path into the description (`roles.Worker.image`, `replicas.Master`). */
export function validateJobSpec(spec: TrainingJobSpec): Issue[] {
  if (!isTrainingJobKind(spec.kind)) {
    return [
      {
        path: 'kind',
        message: `Unknown job kind ${JSON.stringify(spec.kind)}.`,
        fix: `Use one of ${trainingJobKinds.join(', ')}.`,
      },
    ];
  }
  const issues: Issue[] = [];
  if (spec.name !== '' && !hasPlaceholder(spec.name)) {
    const problem = dns1035Problem(spec.name);
    if (problem) issues.push({ path: 'name', message: `Job name ${JSON.stringify(spec.name)} ${problem}.` });
  }
  if (spec.namespace !== undefined) {
    const problem = dns1123Problem(spec.namespace);
    if (problem) issues.push({ path: 'namespace', message: `Namespace ${problem}.` });
  }
  const replicas = jobReplicas(spec);
  issues.push(...checkRoles(spec.kind, replicas, { all: 'replicas', role: (r) => `replicas.${r}` }));
  for (const role of Object.keys(spec.roles ?? {})) {
    if (!(role in replicas))
      issues.push({ path: `roles.${role}`, message: `There are overrides for ${role}, which the job does not run.` });
  }
  for (const role of Object.keys(replicas)) issues.push(...checkRole(spec, role));
  issues.push(...checkProcesses(spec), ...checkRunPolicy(spec), ...checkRuntimeRef(spec));
  const resource = gpuResourceName(spec.gpuResource);
  if (
    spec.kind === 'TrainJob' &&
    spec.gpusPerReplica &&
    isMigResource(resource) &&
    spec.processesPerNode === undefined
  ) {
    issues.push({
      path: 'processesPerNode',
      message: `Trainer's GPU auto-detection does not see ${resource}, so numProcPerNode would fall back to the CPU count.`,
      fix: 'Set processesPerNode explicitly.',
      severity: 'warning',
    });
  }
  // Job-wide values reach every role, so the same problem can come up once per role.
  const unique = new Map(issues.map((i) => [`${i.path}\u0000${i.message}`, i]));
  return [...unique.values()];
}
