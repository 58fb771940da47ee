import type { SearchSpace } from '../../search/space.ts';
import type { TrialState, TrialView } from '../../search/types.ts';
import { fromAssignmentList } from './assignments.ts';
import type { NameValue, TrialConditionName, TrialMessage } from './messages.ts';

/**
 * Katib's latest trial condition as our trial state. `CREATED` (also what an unset condition decodes to) is a trial
 * whose job has not started; `UNKNOWN` is any condition Katib has no enum value for, treated as still running.
 */
export const trialStates: Readonly<Record<TrialConditionName, TrialState>> = {
  CREATED: 'Pending',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  KILLED: 'Killed',
  FAILED: 'Failed',
  METRICSUNAVAILABLE: 'MetricsUnavailable',
  EARLYSTOPPED: 'EarlyStopped',
  UNKNOWN: 'Running',
};

/**
 * The objective's value in a trial's observation. Katib's controller has already applied the metric strategy
 * (min/max/latest) and sends one value per metric; a value that is not a finite number ("unavailable") is none.
 */
export function objectiveValue(metrics: readonly NameValue[], metricName: string): number | undefined {
  const m = metrics.find((x) => x.name === metricName);
  if (m === undefined || m.value.trim() === '') return undefined;
  const n = Number(m.value);
  return Number.isFinite(n) ? n : undefined;
}

/** One trial of a request as the algorithms see it. */
export function toTrialView(space: SearchSpace, metricName: string, t: TrialMessage): TrialView {
  const params = fromAssignmentList(space, t.spec?.parameter_assignments?.assignments ?? []);
  const state = trialStates[t.status?.condition ?? 'CREATED'] ?? 'Running';
  const objective = objectiveValue(t.status?.observation?.metrics ?? [], metricName);
  const labels = t.spec?.labels ?? {};
  const view: TrialView = { name: t.name, params, state };
  return {
    ...view,
    // Katib's Experiment has one objective, so its value is the whole `values`.
    ...(objective === undefined ? {} : { objective, values: [objective] }),
    ...(Object.keys(labels).length === 0 ? {} : { labels: { ...labels } }),
  };
}

/**
 * Trials in start order: Katib lists them by name (random suffixes), so the start time (RFC 3339 with seconds,
 * which sorts as text) is the best order a request has; trials that have not started come last, ties keep the
 * request's order.
 */
export function byStartTime(trials: readonly TrialMessage[]): TrialMessage[] {
  const started = (t: TrialMessage) => t.status?.start_time ?? '';
  return trials
    .map((t, i) => ({ t, i }))
    .sort((a, b) => {
      const x = started(a.t);
      const y = started(b.t);
      if (x === y) return a.i - b.i;
      if (x === '') return 1;
      if (y === '') return -1;
      return x < y ? -1 : 1;
    })
    .map((e) => e.t);
}
