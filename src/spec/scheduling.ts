/**
 * `spec.trialTemplate.scheduling`, an hpo-workbench extension: how every trial job is queued and gang-scheduled,
 * set once on the experiment instead of written into each kind's template. It becomes Kueue's queue label and the
 * training operator's `runPolicy.schedulingPolicy` (kubeflow REFERENCE §1c) on each rendered trial job; `hpo submit`
 * writes it into the inline trialSpec and drops the field, so Katib, which would prune it, creates the same jobs.
 */
import type { Issue } from '../common/issue.ts';
import { trialKindInfo } from './containers.ts';
import { at, isRecord, type Obj, show } from './read.ts';
import type { ExperimentManifest } from './types.ts';

/** The label Kueue reads to admit a job through a LocalQueue. */
export const kueueQueueLabel = 'kueue.x-k8s.io/queue-name';

/** `spec.trialTemplate.scheduling`: Kueue's queue and the operator's gang-scheduling policy for each trial job. */
export interface TrialScheduling {
  /** Kueue LocalQueue in the trial's namespace: the `kueue.x-k8s.io/queue-name` label on every trial job. */
  readonly queueName?: string;
  /** `runPolicy.schedulingPolicy.minAvailable`: pods that must be schedulable together (gang), ≤ the job's replicas. */
  readonly minAvailable?: number;
  /** `runPolicy.schedulingPolicy.queue`: the gang scheduler's queue (Volcano), not Kueue's. */
  readonly queue?: string;
  /** `runPolicy.schedulingPolicy.priorityClass`: a PriorityClass name for the PodGroup. */
  readonly priorityClass?: string;
}

/** The fields {@link TrialScheduling} accepts, for the unknown-field check. */
export const schedulingFields: readonly string[] = ['queueName', 'minAvailable', 'queue', 'priorityClass'];
const policyFields = ['minAvailable', 'queue', 'priorityClass'] as const;

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function nameIssue(v: unknown, path: string, what: string, subdomain: boolean): Issue | undefined {
  const ok =
    typeof v === 'string' && (subdomain ? v.length <= 253 && dnsSubdomain.test(v) : v.length <= 63 && dnsLabel.test(v));
  if (ok) return undefined;
  return {
    path,
    message: `${what} must be a DNS ${subdomain ? 'subdomain' : 'label'} (lower-case letters, digits and '-'${subdomain ? ", '.'" : ''}, at most ${subdomain ? 253 : 63} characters), got ${show(v)}.`,
    fix: `Use the name as \`kubectl get ${what === 'queueName' ? 'localqueues' : what === 'priorityClass' ? 'priorityclasses' : 'queues'}\` lists it.`,
  };
}

/** Problems of the `scheduling` mapping itself, before any job is looked at. */
function fieldIssues(s: Obj, path: string): Issue[] {
  const issues: Issue[] = [];
  for (const k of Object.keys(s)) {
    if (!schedulingFields.includes(k))
      issues.push({
        path: at(path, k),
        message: `unknown field ${JSON.stringify(k)}.`,
        fix: `Use one of: ${schedulingFields.join(', ')}.`,
      });
  }
  const checks: [keyof TrialScheduling, string, boolean][] = [
    ['queueName', 'queueName', false],
    ['queue', 'queue', false],
    ['priorityClass', 'priorityClass', true],
  ];
  for (const [k, what, sub] of checks) {
    if (s[k] === undefined) continue;
    const i = nameIssue(s[k], at(path, k), what, sub);
    if (i) issues.push(i);
  }
  const m = s.minAvailable;
  if (m !== undefined && !(typeof m === 'number' && Number.isInteger(m) && m >= 1 && m <= 2 ** 31 - 1))
    issues.push({
      path: at(path, 'minAvailable'),
      message: `minAvailable must be a whole number ≥ 1, got ${show(m)}.`,
    });
  return issues;
}

/** Problems of applying `s` to the job `job` (a trialSpec, or a rendered trial): kind support, replicas, clashes. */
function jobIssues(s: Obj, job: Obj, path: string): Issue[] {
  const info = trialKindInfo(job);
  const issues: Issue[] = [];
  const policy = policyFields.filter((k) => s[k] !== undefined);
  if (policy.length > 0 && info.family !== 'kubeflowJob') {
    issues.push({
      path: at(path, policy[0] as string),
      message: `a ${info.kind || 'trial job'} has no runPolicy.schedulingPolicy (only Kubeflow training-operator jobs and MPIJob do).`,
      fix:
        info.family === 'trainJob'
          ? "A TrainJob is gang-scheduled by its runtime's podGroupPolicy; keep only queueName here."
          : 'Keep only queueName (Kueue admits the job as a whole), or use a Kubeflow training job.',
    });
  }
  if (s.queueName !== undefined && info.family === 'other')
    issues.push({ path: at(path, 'queueName'), message: `Kueue does not manage a ${info.kind || 'trial job'}.` });
  const total = Object.values(info.replicas).reduce((a, b) => a + b, 0);
  if (typeof s.minAvailable === 'number' && info.family === 'kubeflowJob' && s.minAvailable > total) {
    issues.push({
      path: at(path, 'minAvailable'),
      message: `minAvailable (${s.minAvailable}) exceeds the trial job's ${total} replicas, so its gang could never start.`,
      fix: `Use at most ${total}.`,
    });
  }
  const spec = isRecord(job.spec) ? job.spec : {};
  const existing =
    isRecord(spec.runPolicy) && isRecord(spec.runPolicy.schedulingPolicy) ? spec.runPolicy.schedulingPolicy : {};
  for (const k of policy) {
    if (existing[k] !== undefined && existing[k] !== s[k])
      issues.push({
        path: at(path, k),
        message: `the trial template already sets runPolicy.schedulingPolicy.${k} to ${show(existing[k])}.`,
        fix: 'Set it in one place.',
      });
  }
  const labels = isRecord(job.metadata) && isRecord(job.metadata.labels) ? job.metadata.labels : {};
  if (s.queueName !== undefined && labels[kueueQueueLabel] !== undefined && labels[kueueQueueLabel] !== s.queueName)
    issues.push({
      path: at(path, 'queueName'),
      message: `the trial template already has the label ${kueueQueueLabel}=${show(labels[kueueQueueLabel])}.`,
      fix: 'Set it in one place.',
    });
  return issues;
}

/**
 * Every problem of `spec.trialTemplate.scheduling` in an Experiment spec, with its path: unknown fields, names
 * that are not DNS names, a policy on a kind without one, `minAvailable` above the job's replicas, clashes with
 * the template. A ConfigMap template is checked when each trial is rendered ({@link applyScheduling}).
 */
export function checkScheduling(spec: Obj): Issue[] {
  const tt = spec.trialTemplate;
  if (!isRecord(tt) || tt.scheduling === undefined) return [];
  const path = 'spec.trialTemplate.scheduling';
  if (!isRecord(tt.scheduling)) return [{ path, message: `scheduling must be a mapping, got ${show(tt.scheduling)}.` }];
  const issues = fieldIssues(tt.scheduling, path);
  if (isRecord(tt.trialSpec)) issues.push(...jobIssues(tt.scheduling, tt.trialSpec, path));
  return issues;
}

/**
 * `job` with the scheduling applied: the Kueue label on its metadata and the policy fields in
 * `spec.runPolicy.schedulingPolicy`. Returns the issues instead when it cannot be applied (a ConfigMap template
 * of a kind without a policy). Called on each rendered trial job and by {@link bakeScheduling}.
 */
export function applyScheduling(job: Obj, s: TrialScheduling): { job: Obj; issues: Issue[] } {
  const path = 'spec.trialTemplate.scheduling';
  const issues = [...fieldIssues(s as Obj, path), ...jobIssues(s as Obj, job, path)];
  if (issues.length > 0) return { job, issues };
  const out = structuredClone(job);
  if (s.queueName !== undefined) {
    const meta = isRecord(out.metadata) ? out.metadata : {};
    meta.labels = { ...(isRecord(meta.labels) ? meta.labels : {}), [kueueQueueLabel]: s.queueName };
    out.metadata = meta;
  }
  const policy: Obj = {};
  for (const k of policyFields) if (s[k] !== undefined) policy[k] = s[k];
  if (Object.keys(policy).length > 0) {
    const spec = isRecord(out.spec) ? out.spec : {};
    const runPolicy = isRecord(spec.runPolicy) ? spec.runPolicy : {};
    runPolicy.schedulingPolicy = {
      ...(isRecord(runPolicy.schedulingPolicy) ? runPolicy.schedulingPolicy : {}),
      ...policy,
    };
    spec.runPolicy = runPolicy;
    out.spec = spec;
  }
  return { job: out, issues: [] };
}

/**
 * The Experiment as Katib should receive it: the scheduling written into the inline trialSpec and the extension
 * field removed (Katib would prune it and create unqueued trials). Unchanged when there is no scheduling; issues
 * when the template is a ConfigMap (which we cannot rewrite) or the scheduling does not apply.
 */
export function bakeScheduling(m: ExperimentManifest): { manifest: ExperimentManifest; issues: Issue[] } {
  const tt = m.spec.trialTemplate;
  if (!tt?.scheduling) return { manifest: m, issues: [] };
  if (!tt.trialSpec)
    return {
      manifest: m,
      issues: [
        {
          path: 'spec.trialTemplate.scheduling',
          message: 'Katib reads a ConfigMap template itself, so the scheduling cannot be written into it.',
          fix: `Put the ${kueueQueueLabel} label and runPolicy.schedulingPolicy in the ConfigMap template, or inline it as trialSpec.`,
        },
      ],
    };
  const applied = applyScheduling(tt.trialSpec, tt.scheduling);
  if (applied.issues.length > 0) return { manifest: m, issues: applied.issues };
  const { scheduling: _dropped, ...rest } = tt;
  return { manifest: { ...m, spec: { ...m.spec, trialTemplate: { ...rest, trialSpec: applied.job } } }, issues: [] };
}
