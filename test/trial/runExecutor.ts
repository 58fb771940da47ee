// Runs an executor in tests the way the controller does: through runTrial, with the experiment's collector.
import type { CollectorOptions } from '../../src/metrics/collector.ts';
import type { MetricLog } from '../../src/metrics/types.ts';
import { configOf, type ExperimentConfig } from '../../src/spec/config.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import type { ExecutorResult, TrialContext, TrialExecutor } from '../../src/trial/executor.ts';
import { runTrial } from '../../src/trial/runTrial.ts';

/** A test's trial: the executor's context plus the stop signal and the metrics sink the controller would hold. */
export interface TestTrial extends TrialContext {
  /** Aborting stops the trial; the reason should be a StopReason. */
  readonly signal: AbortSignal;
  /** Receives the collector's logs and pushed metrics. */
  report(logs: readonly MetricLog[]): void;
}

/** An executor with `run(trial)`: `runTrial` over the experiment's collector settings and metric names. */
export type Runnable<E extends TrialExecutor> = E & { run(trial: TestTrial): Promise<ExecutorResult> };

/** Wraps `executor` of the experiment `source` (its config or manifest) so that tests can `run` trials. */
export function runnable<E extends TrialExecutor>(
  executor: E,
  source: ExperimentConfig | ExperimentManifest,
  collectorOptions?: CollectorOptions,
): Runnable<E> {
  const config = 'objectives' in source ? source : configOf(source);
  const run = (trial: TestTrial): Promise<ExecutorResult> =>
    runTrial({
      executor,
      context: trial,
      collector: config.collector,
      metricNames: config.metricNames,
      signal: trial.signal,
      onMetrics: (logs) => trial.report(logs),
      ...(collectorOptions === undefined ? {} : { collectorOptions }),
    });
  return Object.assign(executor, { run });
}
