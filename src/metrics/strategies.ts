import type { ObjectiveSpecKatib } from '../spec/types.ts';
import type { MetricSummary } from '../store/types.ts';
import { compareTimeKeys, parseRfc3339, type TimeKey, zeroTimeKey } from './timestamp.ts';
import type { MetricLog, StrategyName } from './types.ts';

/** A metric's strategy, as in `spec.objective.metricStrategies[]`. */
export interface MetricStrategyEntry {
  readonly name: string;
  readonly value: StrategyName;
}

/**
 * Parses a metric value as a finite float (decimal text as Go's `strconv.ParseFloat` reads it), else undefined.
 * Stricter than `Number()`, which would accept '', ' 1 ' and '0x10'. Hand-written: it runs on every value.
 */
export function parseMetricNumber(value: string): number | undefined {
  // Grammar: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
  const n = value.length;
  let i = 0;
  let c = value.charCodeAt(0);
  if (c === 43 || c === 45) c = value.charCodeAt(++i);
  let mantissaDigits = 0;
  while (c >= 48 && c <= 57) {
    mantissaDigits++;
    c = value.charCodeAt(++i);
  }
  if (c === 46) {
    c = value.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      mantissaDigits++;
      c = value.charCodeAt(++i);
    }
  }
  if (mantissaDigits === 0) return undefined;
  if (c === 101 || c === 69) {
    c = value.charCodeAt(++i);
    if (c === 43 || c === 45) c = value.charCodeAt(++i);
    let expDigits = 0;
    while (c >= 48 && c <= 57) {
      expDigits++;
      c = value.charCodeAt(++i);
    }
    if (expDigits === 0) return undefined;
  }
  if (i !== n) return undefined;
  const x = Number(value);
  return Number.isFinite(x) ? x : undefined;
}

interface MetricState {
  min: number;
  max: number;
  latest: string | undefined;
  latestKey: TimeKey;
}

/**
 * Reduces a stream of metric logs to Katib's per-metric min/max/latest in O(metrics) memory
 * (`trial_controller_util.go getMetrics`). Logs of other names are ignored. Used by every collector.
 */
export class MetricAccumulator {
  private readonly names: readonly string[];
  private readonly states = new Map<string, MetricState>();
  private lastTime: string | undefined;
  private lastKey: TimeKey = zeroTimeKey;

  constructor(metricNames: readonly string[]) {
    this.names = [...new Set(metricNames)];
    for (const name of this.names) {
      this.states.set(name, {
        min: Number.POSITIVE_INFINITY,
        max: Number.NEGATIVE_INFINITY,
        latest: undefined,
        latestKey: zeroTimeKey,
      });
    }
  }

  /** Adds one log. A missing or unparsable time is Go's zero time, so such logs never beat a timestamped one. */
  add(log: MetricLog): void {
    const state = this.states.get(log.name);
    if (state === undefined) return;
    const n = parseMetricNumber(log.value);
    if (n !== undefined) {
      if (n < state.min) state.min = n;
      if (n > state.max) state.max = n;
    }
    const key = this.keyOf(log.time);
    // Katib replaces `latest` unless the new time is strictly earlier: on ties the later log wins.
    if (state.latest === undefined || compareTimeKeys(key, state.latestKey) >= 0) {
      state.latest = log.value;
      state.latestKey = key;
    }
  }

  /** Adds every log of an iterable. */
  addAll(logs: Iterable<MetricLog>): void {
    for (const log of logs) this.add(log);
  }

  /** One summary per metric name, in the order given; a metric never seen has no values (unavailable). */
  summary(): MetricSummary[] {
    return this.names.map((name) => {
      const s = this.states.get(name)!;
      const out: { name: string; min?: number; max?: number; latest?: string } = { name };
      if (s.min !== Number.POSITIVE_INFINITY) out.min = s.min;
      if (s.max !== Number.NEGATIVE_INFINITY) out.max = s.max;
      if (s.latest !== undefined) out.latest = s.latest;
      return out;
    });
  }

  private keyOf(time: string | undefined): TimeKey {
    if (time === undefined) return zeroTimeKey;
    // Consecutive logs of one line share a time: parse it once.
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.lastKey = parseRfc3339(time) ?? zeroTimeKey;
    }
    return this.lastKey;
  }
}

/** Summarises logs in one pass: {@link MetricAccumulator} over an iterable. */
export function summarize(logs: Iterable<MetricLog>, names: readonly string[]): MetricSummary[] {
  const acc = new MetricAccumulator(names);
  acc.addAll(logs);
  return acc.summary();
}

/**
 * Katib's metricStrategies defaulting (REFERENCE §1.2): the objective and each additional metric without a
 * strategy get `min` for minimize and `max` for maximize (`latest` for any other type). Given strategies are kept.
 */
export function defaultStrategies(objective: ObjectiveSpecKatib): MetricStrategyEntry[] {
  const byType: StrategyName = objective.type === 'minimize' ? 'min' : objective.type === 'maximize' ? 'max' : 'latest';
  const out: MetricStrategyEntry[] = (objective.metricStrategies ?? []).map((s) => ({ name: s.name, value: s.value }));
  const have = new Set(out.map((s) => s.name));
  for (const name of [objective.objectiveMetricName, ...(objective.additionalMetricNames ?? [])]) {
    if (have.has(name)) continue;
    have.add(name);
    out.push({ name, value: byType });
  }
  return out;
}

/**
 * The value a strategy picks from a summary, as a number; min/max fall back to `latest` when unavailable
 * (Katib). Undefined when the metric is unavailable or the picked value is not numeric.
 */
export function objectiveValue(summary: MetricSummary | undefined, strategy: StrategyName): number | undefined {
  if (summary === undefined) return undefined;
  const picked = strategy === 'min' ? summary.min : strategy === 'max' ? summary.max : undefined;
  if (picked !== undefined) return picked;
  return summary.latest === undefined ? undefined : parseMetricNumber(summary.latest);
}
