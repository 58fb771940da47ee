/**
 * The admission rules a cluster applies to a job manifest beyond its CRD schema: the training-operator webhooks
 * (DNS-1035 name, replica types, a container with the kind's name in every role, images, one master), TrainJob's
 * CEL name rule, and a batch Job's restart policy. Works on any manifest, e.g. a user's Katib trialSpec.
 */
import type { Issue } from '../../common/issue.ts';
import { isRecord } from '../../spec/read.ts';
import { defaultContainerName, jobKinds, kindOfManifest } from './kinds.ts';
import { dns1035Problem, dns1123Problem, hasPlaceholder } from './names.ts';
import { checkRoles, normaliseRole } from './roles.ts';
import type { TrainingJobKind } from './types.ts';

function checkContainers(template: unknown, path: string, required: string | undefined): Issue[] {
  const spec = isRecord(template) && isRecord(template.spec) ? template.spec : undefined;
  const containers = spec && Array.isArray(spec.containers) ? spec.containers : [];
  const cpath = `${path}.spec.containers`;
  if (containers.length === 0) return [{ path: cpath, message: 'At least one container must be specified.' }];
  const issues: Issue[] = [];
  containers.forEach((c, i) => {
    if (!isRecord(c) || typeof c.image !== 'string' || c.image === '') {
      issues.push({ path: `${cpath}[${i}].image`, message: 'Every container needs an image.' });
    }
  });
  if (required !== undefined && !containers.some((c) => isRecord(c) && c.name === required)) {
    issues.push({
      path: cpath,
      message: `Must have a container named ${JSON.stringify(required)}; the training operator finds the job's main container by that name.`,
      fix: `Rename the main container to ${JSON.stringify(required)}.`,
    });
  }
  return issues;
}

function checkKubeflow(kind: TrainingJobKind, spec: Record<string, unknown>): Issue[] {
  const info = jobKinds[kind];
  const key = info.replicaKey ?? '';
  const specs = spec[key];
  if (!isRecord(specs)) return [{ path: `spec.${key}`, message: `A ${info.manifestKind} needs spec.${key}.` }];
  const issues: Issue[] = [];
  const replicas: Record<string, unknown> = {};
  const pathOf: Record<string, string> = {};
  for (const [written, rs] of Object.entries(specs)) {
    const role = normaliseRole(kind, written);
    const path = `spec.${key}.${written}`;
    pathOf[role] = path;
    replicas[role] = isRecord(rs) && rs.replicas !== undefined ? rs.replicas : 1;
    if (!isRecord(rs)) {
      issues.push({ path, message: 'A replica spec must be a mapping.' });
      continue;
    }
    const required = info.nameRequired ? defaultContainerName(kind, role) : undefined;
    issues.push(...checkContainers(rs.template, `${path}.template`, required));
    const rp = rs.restartPolicy;
    if (rp !== undefined && !['Always', 'OnFailure', 'Never', 'ExitCode'].includes(rp as string)) {
      issues.push({
        path: `${path}.restartPolicy`,
        message: 'restartPolicy must be Always, OnFailure, Never or ExitCode.',
      });
    }
  }
  issues.push(
    ...checkRoles(kind, replicas, {
      all: `spec.${key}`,
      role: (r) => (pathOf[r] ? `${pathOf[r]}.replicas` : `spec.${key}.${r}`),
    }),
  );
  const elastic = spec.elasticPolicy;
  if (kind === 'PyTorchJob' && isRecord(elastic)) {
    if (!('Worker' in replicas))
      issues.push({ path: `spec.${key}.Worker`, message: 'Worker must be configured if elastic policy is used.' });
    if (elastic.nProcPerNode !== undefined && spec.nprocPerNode !== undefined) {
      issues.push({ path: 'spec.elasticPolicy.nProcPerNode', message: 'Must not be used with spec.nprocPerNode.' });
    }
  }
  const clean = isRecord(spec.runPolicy) ? spec.runPolicy.cleanPodPolicy : undefined;
  if (clean !== undefined && !['All', 'Running', 'None'].includes(clean as string)) {
    issues.push({ path: 'spec.runPolicy.cleanPodPolicy', message: 'cleanPodPolicy must be All, Running or None.' });
  }
  return issues;
}

function checkTrainJob(spec: Record<string, unknown>): Issue[] {
  const issues: Issue[] = [];
  const ref = spec.runtimeRef;
  if (!isRecord(ref) || typeof ref.name !== 'string' || ref.name === '') {
    issues.push({ path: 'spec.runtimeRef.name', message: 'A TrainJob needs runtimeRef.name.' });
  }
  const trainer = isRecord(spec.trainer) ? spec.trainer : {};
  if (trainer.numNodes !== undefined && !(Number.isInteger(trainer.numNodes) && (trainer.numNodes as number) >= 1)) {
    issues.push({ path: 'spec.trainer.numNodes', message: 'numNodes must be a whole number ≥ 1.' });
  }
  return issues;
}

function checkBatchJob(spec: Record<string, unknown>): Issue[] {
  const issues = checkContainers(spec.template, 'spec.template', undefined);
  const pod = isRecord(spec.template) && isRecord(spec.template.spec) ? spec.template.spec : {};
  if (pod.restartPolicy !== 'Never' && pod.restartPolicy !== 'OnFailure') {
    issues.push({ path: 'spec.template.spec.restartPolicy', message: 'A Job needs restartPolicy Never or OnFailure.' });
  }
  return issues;
}

/** Admission problems of a job manifest (or Katib trialSpec) of a supported kind; paths point into the manifest. */
export function validateJobManifest(manifest: Record<string, unknown>): Issue[] {
  const kind = kindOfManifest(manifest.apiVersion, manifest.kind);
  if (kind === undefined) {
    return [
      {
        path: 'kind',
        message: `${JSON.stringify(manifest.kind)} (${String(manifest.apiVersion)}) is not a supported training job kind.`,
      },
    ];
  }
  const issues: Issue[] = [];
  const info = jobKinds[kind];
  if (manifest.apiVersion !== info.apiVersion) {
    issues.push({
      path: 'apiVersion',
      message: `A ${info.manifestKind} here is ${info.apiVersion}, not ${String(manifest.apiVersion)}.`,
    });
  }
  const name = isRecord(manifest.metadata) ? manifest.metadata.name : undefined;
  if (typeof name === 'string' && name !== '' && !hasPlaceholder(name)) {
    // A batch Job's name is a DNS-1123 name; the training kinds (and TrainJob's CEL rule) want DNS-1035.
    const problem = kind === 'Job' ? dns1123Problem(name) : dns1035Problem(name);
    if (problem) issues.push({ path: 'metadata.name', message: `Job name ${JSON.stringify(name)} ${problem}.` });
  }
  const spec = isRecord(manifest.spec) ? manifest.spec : undefined;
  if (spec === undefined) return [...issues, { path: 'spec', message: 'The job has no spec.' }];
  if (info.family === 'kubeflow') issues.push(...checkKubeflow(kind, spec));
  else if (info.family === 'trainJob') issues.push(...checkTrainJob(spec));
  else issues.push(...checkBatchJob(spec));
  return issues;
}
