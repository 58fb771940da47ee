/** One metric value as a collector saw it. `value` is text (Katib keeps strings; non-numeric values such as DARTS genotypes exist). */
export interface MetricLog {
  readonly name: string;
  readonly value: string;
  /** RFC3339 timestamp from the source, when it had one. */
  readonly time?: string;
  /**
   * The source's own step (a TF event's `step`, a step passed to `report()`), when it has one. Without it a
   * metric's n-th value is step n.
   */
  readonly step?: number;
}

/** Katib's metric strategy for reducing a history to one value. */
export type StrategyName = 'min' | 'max' | 'latest';

/** A line longer than a collector's line limit: skipped whole, and reported with where it was. */
export interface OverlongLine {
  /** Its length in bytes, without the newline. */
  readonly bytes: number;
  /** Byte offset of its first byte in the stream (stdout, stderr or the metrics file). */
  readonly offset: number;
}
