import type { StrategyName } from '../metrics/types.ts';
import type { TrialState } from '../search/types.ts';
import type { ExecutorResult, StopReason } from '../trial/executor.ts';
import type { TrialMetrics } from '../trial/trialMetrics.ts';

/** A trial's final state, judged from how its program ended and what it reported. */
export interface TrialOutcome {
  readonly state: TrialState;
  readonly reason: string;
  readonly message: string;
  /** The objective per the metric strategy; absent when the trial reported none. */
  readonly objective?: number;
}

const trialMessages: Record<string, { reason: string; message: string }> = {
  Succeeded: { reason: 'TrialSucceeded', message: 'Trial has succeeded' },
  MetricsUnavailable: { reason: 'MetricsUnavailable', message: 'Metrics are not available' },
};

/**
 * Judges an ended trial as Katib's trial controller does (REFERENCE.md §5): stopped by the controller ⇒ the stop's
 * kind (Killed or EarlyStopped), a failed program ⇒ Failed, otherwise Succeeded when the objective metric was
 * reported and MetricsUnavailable when not. Called by the controller's reap stage.
 */
export function judgeTrial(
  result: ExecutorResult,
  stop: AbortSignal,
  metrics: TrialMetrics,
  strategy: StrategyName,
): TrialOutcome {
  const objective = metrics.objective(strategy);
  const value = objective === undefined ? {} : { objective };
  if (stop.aborted) {
    const why = stop.reason as StopReason;
    return { state: why.kind, reason: why.reason, message: why.message, ...value };
  }
  if (result.outcome === 'failed') return { state: 'Failed', reason: result.reason, message: result.message, ...value };
  if (objective !== undefined) return { state: 'Succeeded', ...trialMessages.Succeeded!, ...value };
  const { reason, message } = trialMessages.MetricsUnavailable!;
  // Katib's words first, then what exactly went wrong: a user cannot fix "not available" alone.
  const problems = result.outcome === 'completed' ? (result.metricsProblems ?? []) : [];
  return {
    state: 'MetricsUnavailable',
    reason,
    message: `${message}: ${[metrics.unavailableReason(), ...problems].join('; ')}`,
  };
}
