import type { Issue } from '../common/issue.ts';
import { didYouMean } from './didYouMean.ts';
import { knownFields } from './fields.ts';
import { at, isRecord } from './read.ts';

/**
 * Field names of `batch/v1` Job and the pod types it embeds (Kubernetes 1.34 API). Katib's webhook rule 32
 * converts a Job template strictly and rejects leftover fields; we check the levels users edit by hand.
 */
const jobFields = {
  job: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  jobSpec: [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'podFailurePolicy',
    'successPolicy',
    'backoffLimit',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
    'selector',
    'manualSelector',
    'template',
    'ttlSecondsAfterFinished',
    'completionMode',
    'suspend',
    'podReplacementPolicy',
    'managedBy',
  ],
  podTemplate: ['metadata', 'spec'],
  podSpec: [
    'volumes',
    'initContainers',
    'containers',
    'ephemeralContainers',
    'restartPolicy',
    'terminationGracePeriodSeconds',
    'activeDeadlineSeconds',
    'dnsPolicy',
    'nodeSelector',
    'serviceAccountName',
    'serviceAccount',
    'automountServiceAccountToken',
    'nodeName',
    'hostNetwork',
    'hostPID',
    'hostIPC',
    'shareProcessNamespace',
    'securityContext',
    'imagePullSecrets',
    'hostname',
    'subdomain',
    'affinity',
    'schedulerName',
    'tolerations',
    'hostAliases',
    'priorityClassName',
    'priority',
    'dnsConfig',
    'readinessGates',
    'runtimeClassName',
    'enableServiceLinks',
    'preemptionPolicy',
    'overhead',
    'topologySpreadConstraints',
    'setHostnameAsFQDN',
    'os',
    'hostUsers',
    'schedulingGates',
    'resourceClaims',
    'resources',
    'hostnameOverride',
  ],
  container: [
    'name',
    'image',
    'command',
    'args',
    'workingDir',
    'ports',
    'envFrom',
    'env',
    'resources',
    'resizePolicy',
    'restartPolicy',
    'restartPolicyRules',
    'volumeMounts',
    'volumeDevices',
    'livenessProbe',
    'readinessProbe',
    'startupProbe',
    'lifecycle',
    'terminationMessagePath',
    'terminationMessagePolicy',
    'imagePullPolicy',
    'securityContext',
    'stdin',
    'stdinOnce',
    'tty',
  ],
} as const;

function unknownIn(obj: unknown, path: string, known: readonly string[], where: (p: string) => string): Issue[] {
  if (!isRecord(obj)) return [];
  return Object.keys(obj)
    .filter((k) => !known.includes(k))
    .map((k) => ({
      path: where(at(path, k)),
      message: `invalid spec.trialTemplate: unable to convert: ${at(path, k)} to Job (unknown field ${JSON.stringify(k)}).${didYouMean(k, known)}`,
      fix: 'Remove or rename the field; batch/v1 Job does not have it.',
    }));
}

/**
 * Rule 32 for a `batch/v1` Job template: unknown fields at the Job, JobSpec, pod template, PodSpec and
 * container levels. `where` maps a path inside the Job to the issue path.
 */
export function checkJobFields(job: Record<string, unknown>, where: (inner: string) => string): Issue[] {
  const issues = unknownIn(job, '', jobFields.job, where);
  issues.push(...unknownIn(job.metadata, 'metadata', knownFields.metadata, where));
  const spec = job.spec;
  issues.push(...unknownIn(spec, 'spec', jobFields.jobSpec, where));
  const template = isRecord(spec) ? spec.template : undefined;
  issues.push(...unknownIn(template, 'spec.template', jobFields.podTemplate, where));
  if (!isRecord(template)) return issues;
  issues.push(...unknownIn(template.metadata, 'spec.template.metadata', knownFields.metadata, where));
  const pod = template.spec;
  issues.push(...unknownIn(pod, 'spec.template.spec', jobFields.podSpec, where));
  if (!isRecord(pod)) return issues;
  for (const list of ['containers', 'initContainers'] as const) {
    const containers = pod[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c, i) => {
      issues.push(...unknownIn(c, at(`spec.template.spec.${list}`, i), jobFields.container, where));
    });
  }
  return issues;
}
