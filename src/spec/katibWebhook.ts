/**
 * Where Katib refuses what `hpo validate` accepts, so `hpo submit` can refuse it first (exit 2, every problem with
 * its path) instead of sending an Experiment to a cluster whose webhook answers 400:
 * - `maxFailedTrialCount > maxTrialCount` (webhook rule 5): a warning locally, where the failure budget simply
 *   cannot be reached, but an error in Katib.
 * - A JAXJob or PaddleJob trialSpec without `successCondition`/`failureCondition`: we default them as for the
 *   other Kubeflow jobs (the training operator gives every kind the same conditions), but Katib's mutating
 *   webhook knows only TFJob, PyTorchJob, XGBoostJob and MPIJob, so its validating webhook refuses the empty
 *   conditions (rule 19). It gives them no `primaryPodLabels` either: then every pod of the job gets Katib's
 *   metrics collector, which is worth a warning.
 * Called on the manifest as written (before our defaults), since Katib applies its own.
 */
import type { Issue } from '../common/issue.ts';
import { conditionOf } from './kinds.ts';
import { isRecord, isUnset } from './read.ts';
import type { ExperimentManifest } from './types.ts';

/** Kubeflow job kinds we give Katib-style defaults that Katib itself does not. */
const undefaultedKinds: ReadonlySet<string> = new Set(['JAXJob', 'PaddleJob']);

/** Problems Katib's webhook has with `manifest` that local validation lets through (errors), and caveats (warnings). */
export function katibWebhookIssues(manifest: ExperimentManifest): Issue[] {
  const spec = isRecord(manifest) && isRecord(manifest.spec) ? manifest.spec : undefined;
  if (spec === undefined) return [];
  const issues: Issue[] = [];
  const max = spec.maxTrialCount;
  const failed = spec.maxFailedTrialCount;
  if (typeof max === 'number' && typeof failed === 'number' && max > 0 && failed > max) {
    issues.push({
      path: 'spec.maxFailedTrialCount',
      message: `maxFailedTrialCount (${failed}) should be less than or equal to spec.maxTrialCount (${max}): Katib's webhook refuses the Experiment.`,
      fix: `Set maxFailedTrialCount to at most ${max}.`,
    });
  }
  return [...issues, ...undefaultedKindIssues(manifest)];
}

/**
 * The JAXJob/PaddleJob part of {@link katibWebhookIssues}: `hpo validate` reports these as warnings (the local
 * defaults make the Experiment run here), `hpo submit` refuses the missing conditions.
 */
export function undefaultedKindIssues(manifest: ExperimentManifest): Issue[] {
  const spec = isRecord(manifest) && isRecord(manifest.spec) ? manifest.spec : undefined;
  const issues: Issue[] = [];
  const tt = spec !== undefined && isRecord(spec.trialTemplate) ? spec.trialTemplate : undefined;
  const kind = tt !== undefined && isRecord(tt.trialSpec) ? tt.trialSpec.kind : undefined;
  if (tt !== undefined && typeof kind === 'string' && undefaultedKinds.has(kind)) {
    for (const [field, type] of [
      ['successCondition', 'Succeeded'],
      ['failureCondition', 'Failed'],
    ] as const) {
      if (!isUnset(tt[field])) continue;
      issues.push({
        path: `spec.trialTemplate.${field}`,
        message: `Katib gives a ${kind} trial no default ${field}, and its webhook refuses an empty one ("successCondition and failureCondition must be specified").`,
        fix: `Set ${field}: '${conditionOf(type)}'.`,
      });
    }
    const labels = tt.primaryPodLabels;
    if (!isRecord(labels) || Object.keys(labels).length === 0) {
      issues.push({
        path: 'spec.trialTemplate.primaryPodLabels',
        message: `Katib gives a ${kind} trial no default primaryPodLabels: it injects its metrics collector into every pod of the job, and reads metrics from each.`,
        fix: 'Set primaryPodLabels: {training.kubeflow.org/job-role: master} (what this tool assumes) to collect from the master pod only.',
        severity: 'warning',
      });
    }
  }
  return issues;
}
