import { MetricAccumulator, objectiveValue } from '../metrics/strategies.ts';
import type { MetricLog, StrategyName } from '../metrics/types.ts';
import type { MetricSummary, ObservationRow } from '../store/types.ts';

/**
 * Tracks one running trial's metrics: the min/max/latest summary, the objective's numeric history (for
 * algorithms and early stopping) and the observation rows not yet written to the store.
 */
export class TrialMetrics {
  private readonly acc: MetricAccumulator;
  private readonly steps = new Map<string, number>();
  private readonly wanted: ReadonlySet<string>;
  readonly objectiveMetric: string;
  readonly intermediate: { step: number; value: number }[] = [];
  pending: ObservationRow[] = [];

  constructor(
    readonly trial: string,
    metricNames: readonly string[],
    objectiveMetric: string,
  ) {
    this.acc = new MetricAccumulator(metricNames);
    this.wanted = new Set(metricNames);
    this.objectiveMetric = objectiveMetric;
  }

  /** Adds values reported by the trial; metrics the experiment does not name are ignored, as in Katib. */
  add(logs: readonly MetricLog[]): void {
    for (const log of logs) {
      if (!this.wanted.has(log.name)) continue;
      // The source's step when it has one (TF events, report(..., { step })); otherwise the n-th value is step n.
      const step = log.step ?? (this.steps.get(log.name) ?? 0) + 1;
      this.steps.set(log.name, step);
      this.acc.add(log);
      const row: ObservationRow =
        log.time === undefined
          ? { trial: this.trial, metric: log.name, value: log.value, step }
          : { trial: this.trial, metric: log.name, value: log.value, step, time: log.time };
      this.pending.push(row);
      if (log.name === this.objectiveMetric) {
        const v = Number(log.value);
        if (log.value.trim() !== '' && Number.isFinite(v)) this.intermediate.push({ step, value: v });
      }
    }
  }

  /** Takes the rows not yet stored. */
  drain(): ObservationRow[] {
    const rows = this.pending;
    this.pending = [];
    return rows;
  }

  summary(): MetricSummary[] {
    return this.acc.summary();
  }

  /** The objective per its strategy, or undefined when no numeric value was reported. */
  objective(strategy: StrategyName): number | undefined {
    const s = this.summary().find((m) => m.name === this.objectiveMetric);
    return s ? objectiveValue(s, strategy) : undefined;
  }
}
