import {
  type CollectorOptions,
  type CollectorSpec,
  createCollector,
  type MetricsCollector,
} from '../metrics/collector.ts';
import type { MetricLog } from '../metrics/types.ts';
import type { CollectorConfig } from '../spec/config.ts';
import type { ExecutorResult, StopReason, TrialContext, TrialExecutor } from './executor.ts';

/** What {@link runTrial} needs: the executor and its context, the experiment's collector, where metrics go. */
export interface RunTrialOptions {
  readonly executor: TrialExecutor;
  readonly context: TrialContext;
  /** The experiment's collector (`ExperimentConfig.collector`, Katib's default paths filled in). */
  readonly collector: CollectorConfig;
  /** The metrics kept (`ExperimentConfig.metricNames`). */
  readonly metricNames: readonly string[];
  /** Aborting it stops the trial; its reason must be the {@link StopReason}. */
  readonly signal: AbortSignal;
  /** Receives parsed and pushed metric logs as they arrive (the controller stores them, checks early stopping). */
  readonly onMetrics: (logs: readonly MetricLog[]) => void;
  /** Collector knobs (tests: a short file-polling interval). */
  readonly collectorOptions?: CollectorOptions;
}

/** Kinds with no local implementation (PrometheusMetric, Custom) have no collector; executors reading lines refuse them. */
function collectorFor(o: RunTrialOptions): MetricsCollector | undefined {
  const c = o.collector;
  return c.kind === 'PrometheusMetric' || c.kind === 'Custom'
    ? undefined
    : createCollector(c as CollectorSpec, o.metricNames, o.collectorOptions ?? {});
}

/**
 * Runs one trial with the experiment's metrics collector: the one place a collector is wired to a trial. Creates
 * it (a bad filter rejects before anything starts), starts the executor, feeds the collector the handle's lines
 * and files folder, passes pushed metrics through, stops the handle when `signal` aborts, finishes the collector
 * once the result is in (draining the file, reading event files) and adds the collector's problems to a
 * completed result. Called by the controller's `LiveTrial`; resolves to the executor's result.
 */
export async function runTrial(o: RunTrialOptions): Promise<ExecutorResult> {
  const collector = collectorFor(o);
  collector?.onLog(o.onMetrics);
  const handle = o.executor.start(o.context);
  let started = false;
  handle.listen({
    line: (text) => collector?.onStdoutLine(text),
    overlongLine: (line, stream) => collector?.onStdoutOverlong(line, stream),
    files: (dir) => {
      // Starting twice would tail the file twice: the first folder announced is the one collected.
      if (started) return;
      started = true;
      collector?.start(dir);
    },
    metrics: (logs) => o.onMetrics(logs),
  });
  const onAbort = (): void => handle.stop(o.signal.reason as StopReason);
  if (o.signal.aborted) onAbort();
  else o.signal.addEventListener('abort', onAbort, { once: true });
  let result: ExecutorResult;
  try {
    result = await handle.result;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    await collector?.finish();
  }
  const problems = collector?.problems ?? [];
  if (result.outcome !== 'completed' || problems.length === 0) return result;
  return { ...result, metricsProblems: [...(result.metricsProblems ?? []), ...problems] };
}
