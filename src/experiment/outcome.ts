import { objectiveValue } from '../metrics/strategies.ts';
import type { StrategyName } from '../metrics/types.ts';
import type { TrialState } from '../search/types.ts';
import type { ExecutorResult, StopReason } from '../trial/executor.ts';
import type { TrialMetrics } from '../trial/trialMetrics.ts';
import type { SuggestionSource } from './claimAndLaunch.ts';

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

/** An objective after the primary (`spec.objective.additionalObjectives`): its metric and that metric's strategy. */
export interface FurtherObjective {
  readonly metric: string;
  readonly strategy: StrategyName;
}

/** The objectives after the primary, each with its metric's strategy (what {@link judgeTrial} checks besides it). */
export function furtherObjectives(config: {
  readonly objectives: readonly { readonly metricName: string }[];
  readonly metricStrategies: Readonly<Record<string, StrategyName>>;
}): FurtherObjective[] {
  return config.objectives
    .slice(1)
    .map((o) => ({ metric: o.metricName, strategy: config.metricStrategies[o.metricName]! }));
}

/**
 * Judges an ended trial as Katib's trial controller does (REFERENCE.md §5): stopped by the controller ⇒ the stop's
 * kind (Killed or EarlyStopped), a failed program ⇒ Failed, otherwise Succeeded when the objective metric was
 * reported and MetricsUnavailable when not. With several objectives (`others`), a trial that ran to its end
 * succeeds only when every objective's metric has a value, as the primary's must. With `textObjective` (the
 * algorithm's capability) an objective reported only as text succeeds too. Called by the reap stage.
 */
export function judgeTrial(
  result: ExecutorResult,
  stop: AbortSignal,
  metrics: TrialMetrics,
  strategy: StrategyName,
  others: readonly FurtherObjective[] = [],
  textObjective = false,
): TrialOutcome {
  const objective = metrics.objective(strategy);
  const value = objective === undefined ? {} : { objective };
  if (stop.aborted) {
    const why = stop.reason as StopReason;
    return { state: why.kind, reason: why.reason, message: why.message, ...value };
  }
  if (result.outcome === 'failed') return { state: 'Failed', reason: result.reason, message: result.message, ...value };
  const { reason, message } = trialMessages.MetricsUnavailable!;
  if (objective !== undefined) {
    const missing = missingObjectives(metrics, others);
    if (missing.length === 0) return { state: 'Succeeded', ...trialMessages.Succeeded!, ...value };
    // The primary's value stays on the record: it says how far the trial got.
    return { state: 'MetricsUnavailable', reason, message: `${message}: ${missing.join('; ')}`, ...value };
  }
  // An algorithm that ranks nothing (DARTS) takes a text objective: the latest text is the trial's result.
  if (textObjective && metrics.objectiveText() !== undefined)
    return { state: 'Succeeded', ...trialMessages.Succeeded! };
  // Katib's words first, then what exactly went wrong: a user cannot fix "not available" alone.
  const problems = result.outcome === 'completed' ? (result.metricsProblems ?? []) : [];
  return {
    state: 'MetricsUnavailable',
    reason,
    message: `${message}: ${[metrics.unavailableReason(), ...problems].join('; ')}`,
  };
}

/** Why each further objective has no value: never reported, or no finite number by its strategy. */
function missingObjectives(metrics: TrialMetrics, others: readonly FurtherObjective[]): string[] {
  const summary = metrics.summary();
  const missing: string[] = [];
  for (const o of others) {
    const s = summary.find((m) => m.name === o.metric);
    if (s?.latest === undefined) missing.push(`objective metric ${o.metric} was never reported`);
    else if (objectiveValue(s, o.strategy) === undefined)
      missing.push(`objective metric ${o.metric} has no finite value (latest ${JSON.stringify(s.latest)})`);
  }
  return missing;
}

/**
 * Whether a trial that reported its objective only as text succeeds: only when the algorithm behind `host` declares
 * `capabilities.textObjective` (a fake without capabilities does not). Asks the host only for such a trial.
 */
export async function acceptsTextObjective(metrics: TrialMetrics, host: SuggestionSource): Promise<boolean> {
  return metrics.objectiveText() !== undefined && (await host.capabilities?.())?.textObjective === true;
}
