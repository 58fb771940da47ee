import type { Issue } from '../common/issue.ts';
import { applyDefaults } from './defaults.ts';
import { isRecord, type Obj } from './read.ts';
import type { ExperimentManifest } from './types.ts';

/** What an update check needs to know about the running experiment (Katib's `status`). */
export interface ExperimentStatusView {
  /** The latest condition type: Created, Running, Restarting, Succeeded or Failed. */
  readonly phase: string;
  /** The reason of that condition, e.g. `ExperimentMaxTrialsReached`. */
  readonly reason?: string;
  /** Number of trials created so far (`status.trials`). */
  readonly trials: number;
}

/** The only fields Katib lets an update change. */
const editable = ['parallelTrialCount', 'maxTrialCount', 'maxFailedTrialCount'];

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => deepEqual(a[k], b[k]));
}

function specOf(m: ExperimentManifest): Obj {
  const spec = (applyDefaults(m) as unknown as Obj).spec;
  return isRecord(spec) ? spec : {};
}

/**
 * Webhook rules 7–9 for editing a running or finished experiment (`hpo resume` with a new budget): only the
 * three budget fields may change, a finished experiment must be restartable, and the new maxTrialCount must
 * exceed the trials already created. Validate `next` itself with `validateExperiment` as well.
 */
export function validateUpdate(
  old: ExperimentManifest,
  next: ExperimentManifest,
  status: ExperimentStatusView,
): Issue[] {
  const before = specOf(old);
  const after = specOf(next);
  if (deepEqual(before, after)) return [];
  const issues: Issue[] = [];
  if (status.phase === 'Succeeded' || status.phase === 'Failed') {
    const restartable =
      status.phase === 'Succeeded' &&
      status.reason === 'ExperimentMaxTrialsReached' &&
      (before.resumePolicy === 'LongRunning' || before.resumePolicy === 'FromVolume');
    if (!restartable) {
      issues.push({
        path: 'spec.resumePolicy',
        message:
          'Experiment can be restarted if it is in succeeded state by reaching max trials and spec.resumePolicy = LongRunning or spec.resumePolicy = FromVolume, when experiment is completed.',
        fix:
          before.resumePolicy === 'Never'
            ? 'This experiment used resumePolicy Never; create a new experiment instead.'
            : 'Only an experiment that succeeded by reaching maxTrialCount can be resumed.',
      });
    }
  }
  const max = after.maxTrialCount;
  if (typeof max === 'number' && max <= status.trials) {
    issues.push({
      path: 'spec.maxTrialCount',
      message: `maxTrialCount (${max}) must be greater than status.trials count (${status.trials}).`,
      fix: `Set maxTrialCount to at least ${status.trials + 1}.`,
    });
  }
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => !editable.includes(k) && !deepEqual(before[k], after[k]),
  );
  for (const k of changed) {
    issues.push({
      path: `spec.${k}`,
      message: 'Forbidden: only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount are editable.',
      fix: `Restore spec.${k} to its original value, or create a new experiment.`,
    });
  }
  return issues;
}
