import { epochSecondsToKey, formatTimeKey, parseRfc3339 } from './timestamp.ts';
import type { MetricLog } from './types.ts';

/** Options of {@link JsonMetricParser}. */
export interface JsonMetricParserOptions {
  readonly metricNames: readonly string[];
}

const noLogs: readonly MetricLog[] = Object.freeze([]);

/**
 * Katib's JSON metrics format (`parseLogsInJsonFormat`, cloudml-hypertune style): one object per line,
 * `{"loss": "0.14", "timestamp": 1638422847.28721}`. Differences from Katib, on purpose:
 * - metric values may be JSON numbers as well as strings (Katib silently drops numbers);
 * - epoch-second timestamps keep their real fraction (Katib turns `.28721` into 28721 ns);
 * - a line that is not a JSON object is skipped and counted in {@link skippedLines} (Katib fails the whole file);
 * - empty-string values are skipped.
 */
export class JsonMetricParser {
  /** Non-blank lines that were not a JSON object. */
  skippedLines = 0;
  private readonly names: readonly string[];

  constructor(options: JsonMetricParserOptions) {
    this.names = [...new Set(options.metricNames)];
  }

  /** Parses one line into the metric logs it carries (one per metric name present). */
  parseLine(line: string): readonly MetricLog[] {
    if (line.trim() === '') return noLogs;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      this.skippedLines++;
      return noLogs;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      this.skippedLines++;
      return noLogs;
    }
    const record = obj as Record<string, unknown>;
    const time = timestampOf(record.timestamp);
    let out: MetricLog[] | undefined;
    for (const name of this.names) {
      if (!Object.hasOwn(record, name)) continue;
      const raw = record[name];
      const value = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : '';
      if (value === '') continue;
      out ??= [];
      out.push(time === undefined ? { name, value } : { name, value, time });
    }
    return out ?? noLogs;
  }
}

/** Katib's `parseTimestamp`: an RFC3339Nano string or a float of epoch seconds; anything else means none. */
function timestampOf(raw: unknown): string | undefined {
  const key =
    typeof raw === 'string' ? parseRfc3339(raw) : typeof raw === 'number' ? epochSecondsToKey(raw) : undefined;
  return key === undefined ? undefined : formatTimeKey(key);
}
