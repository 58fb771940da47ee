import { MetricAccumulator, objectiveValue, parseMetricNumber } from '../metrics/strategies.ts';
import type { MetricLog, StrategyName } from '../metrics/types.ts';
import type { MetricSummary, ObservationRow } from '../store/types.ts';

/** Distinct bad objective values kept for the message. */
const maxBadValuesKept = 3;

/** `nan`, `inf`, `Infinity` in any case and sign, or a number too large for a float (`1e999`). */
function isNonFiniteText(value: string): boolean {
  const t = value.trim();
  return /^[+-]?(nan|inf|infinity)$/i.test(t) || (/^[+-]?[\d.]+(e[+-]?\d+)?$/i.test(t) && !Number.isFinite(Number(t)));
}

/** A value as the message shows it: quoted, and cut when long (a runaway line of digits). */
function quote(value: string): string {
  return JSON.stringify(value.length > 24 ? `${value.slice(0, 20)}…` : value);
}

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
  /** Objective values that are not finite numbers (the first few distinct ones), and how many were. */
  private readonly badObjectiveValues = new Set<string>();
  private finiteObjectiveValues = 0;
  /** Derived metrics (`spec.objective.derivedMetrics`) the trial may not report itself, and why one has no value. */
  private readonly derived: ReadonlySet<string>;
  private readonly derivedMissing = new Map<string, string>();

  constructor(
    readonly trial: string,
    metricNames: readonly string[],
    objectiveMetric: string,
    derived: readonly string[] = [],
  ) {
    this.acc = new MetricAccumulator(metricNames);
    this.wanted = new Set(metricNames);
    this.derived = new Set(derived);
    this.objectiveMetric = objectiveMetric;
  }

  /**
   * Adds values reported by the trial; metrics the experiment does not name are ignored, as in Katib, and so are
   * derived metrics: only the controller computes those ({@link TrialMetrics.addDerived}).
   */
  add(logs: readonly MetricLog[]): void {
    for (const log of logs) {
      if (!this.derived.has(log.name)) this.record(log);
    }
  }

  /**
   * Stores a derived metric's value, computed by the controller when the trial ended; `undefined` with `why` when
   * it could not be computed (an input was never reported), which the `MetricsUnavailable` message then says.
   */
  addDerived(name: string, value: number | undefined, why = ''): void {
    if (value === undefined) this.derivedMissing.set(name, why);
    else this.record({ name, value: String(value) });
  }

  /** The value of a metric per `strategy`, from the summary so far (derived metrics read their inputs so). */
  valueOf(name: string, strategy: StrategyName): number | undefined {
    const s = this.summary().find((m) => m.name === name);
    return s ? objectiveValue(s, strategy) : undefined;
  }

  private record(...logs: readonly MetricLog[]): void {
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
        if (parseMetricNumber(log.value) === undefined) {
          if (this.badObjectiveValues.size < maxBadValuesKept) this.badObjectiveValues.add(log.value);
        } else this.finiteObjectiveValues++;
      }
    }
  }

  /** Takes the rows not yet stored. */
  drain(): ObservationRow[] {
    const rows = this.pending;
    this.pending = [];
    return rows;
  }

  /** Gives back rows taken by {@link TrialMetrics.drain} whose write failed: the next drain takes them first. */
  putBack(rows: readonly ObservationRow[]): void {
    this.pending = [...rows, ...this.pending];
  }

  summary(): MetricSummary[] {
    return this.acc.summary();
  }

  /**
   * Why {@link TrialMetrics.objective} is undefined, in one sentence for the trial's `MetricsUnavailable`
   * message: never reported, only non-finite values (`nan`, `inf`, numbers past float range), only text that
   * is not a number, or (strategy `latest`) a last value that is one of those.
   */
  unavailableReason(): string {
    const name = this.objectiveMetric;
    const derivedWhy = this.derivedMissing.get(name);
    if (derivedWhy !== undefined) return `derived objective metric ${name} could not be computed: ${derivedWhy}`;
    const bad = this.badObjectiveValues;
    const latest = this.summary().find((m) => m.name === name)?.latest;
    if (latest === undefined) return `objective metric ${name} was never reported`;
    if (this.finiteObjectiveValues > 0) {
      return `the latest value of objective metric ${name} is not a finite number (${quote(latest)})`;
    }
    const nonFinite = [...bad].filter(isNonFiniteText);
    const text = [...bad].filter((v) => !isNonFiniteText(v));
    const parts = [
      ...(nonFinite.length > 0 ? [`non-finite values (${nonFinite.map(quote).join(', ')})`] : []),
      ...(text.length > 0 ? [`values that are not numbers (${text.map(quote).join(', ')})`] : []),
    ];
    return `objective metric ${name} reported only ${parts.join(' and ')}`;
  }

  /**
   * The objective metric's latest value when the trial reported it only as text that is not a number (Katib's
   * `Best-Genotype=Genotype(...)`), else undefined: a number, `nan`/`inf`, or nothing is not a text objective.
   */
  objectiveText(): string | undefined {
    if (this.finiteObjectiveValues > 0) return undefined;
    const latest = this.summary().find((m) => m.name === this.objectiveMetric)?.latest;
    return latest === undefined || latest.trim() === '' || isNonFiniteText(latest) ? undefined : latest;
  }

  /** The objective per its strategy, or undefined when no numeric value was reported. */
  objective(strategy: StrategyName): number | undefined {
    const s = this.summary().find((m) => m.name === this.objectiveMetric);
    return s ? objectiveValue(s, strategy) : undefined;
  }
}
