import { mkdirSync } from 'node:fs';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import {
  type CollectorSpec,
  defaultMetricsFilePath,
  defaultTfEventDir,
  type LocalCollectorKind,
} from '../spec/collectorSpec.ts';
import type { MetricSummary } from '../store/types.ts';
import { FileFollower } from './fileFollower.ts';
import { JsonMetricParser } from './jsonParser.ts';
import { MetricAccumulator } from './strategies.ts';
import { TextMetricParser } from './textParser.ts';
import { readTfEventsDir } from './tfevents.ts';
import { normalizeRfc3339 } from './timestamp.ts';
import type { MetricLog, OverlongLine } from './types.ts';

export {
  type CollectorSpec,
  collectorSpecFrom,
  defaultMetricsFilePath,
  defaultTfEventDir,
  type LocalCollectorKind,
} from '../spec/collectorSpec.ts';

/**
 * Maps a Katib path to a place inside the trial's working directory. An absolute path P (Katib requires
 * absolute ones, e.g. `/var/log/katib/metrics.log`) always becomes `<workDir>/fs/P`; a relative one is
 * taken from `<workDir>`. `..` cannot climb out. A path already inside `workDir` is returned unchanged, so
 * resolving twice is harmless. The controller passes the result to the trial (env var).
 */
export function resolveTrialPath(workDir: string, p: string): string {
  const root = resolve(workDir);
  if (p.startsWith(`${root}${sep}`)) return p;
  const clean = posix.normalize(`/${p}`); // leading '/' clamps '..' at the root
  return p.startsWith('/') ? join(root, 'fs', clean) : join(root, clean);
}

/** Extra knobs, mainly for tests. */
export interface CollectorOptions {
  /** Clock for Push reports without a time; default `new Date()`. */
  readonly now?: () => Date;
  /** File polling interval; default 150 ms. */
  readonly pollIntervalMs?: number;
}

/**
 * A trial's metrics collector. The controller wires it to the trial: stdout/stderr lines (StdOut), the
 * working directory (File, TensorFlowEvent), `report()` calls (Push). Parsed logs reach `onLog`
 * subscribers in batches as they arrive (line-fed logs after a microtask or {@link flush}); `summary()`
 * is Katib's min/max/latest so far.
 */
export interface MetricsCollector {
  readonly kind: LocalCollectorKind;
  /** The resolved file or directory once started (File, TensorFlowEvent). */
  readonly resolvedPath: string | undefined;
  /** Problems seen while collecting (unreadable file, corrupt event records, skipped JSON lines). */
  readonly warnings: readonly string[];
  /**
   * Why metrics may be missing, one sentence each (lines skipped for being over the line limit). The
   * executor hands them to the controller, which puts them in a `MetricsUnavailable` trial's message.
   */
  readonly problems: readonly string[];
  /** One line of trial output (feed stdout and stderr: Katib's wrapper redirects both). No-op unless StdOut. */
  onStdoutLine(line: string): void;
  /** A line of trial output over the line limit, which the line splitter skipped. No-op unless StdOut. */
  onStdoutOverlong(line: OverlongLine, stream: string): void;
  /** Called when the trial is about to start: creates the metrics directory and, for File, starts tailing. */
  start(workDir: string): void;
  /** Called after the trial exited: drains the file / reads the event files, then flushes. */
  finish(): Promise<void>;
  /** Katib `report_metrics`: records values now (any kind). Delivered to subscribers synchronously. */
  push(metrics: Readonly<Record<string, number | string>>, time?: string): void;
  /** Subscribes to new logs; returns an unsubscribe function. */
  onLog(cb: (logs: readonly MetricLog[]) => void): () => void;
  /** Delivers queued logs to subscribers now. */
  flush(): void;
  /** Min/max/latest per metric name so far. */
  summary(): MetricSummary[];
}

const maxWarnings = 100;
/** Skipped over-long lines described one by one; more are only counted. */
const maxOverlongNoted = 3;

/** Creates the collector for one trial. Throws `invalidSpec` for a bad filter or filters with JSON. */
export function createCollector(
  spec: CollectorSpec,
  metricNames: readonly string[],
  options: CollectorOptions = {},
): MetricsCollector {
  return new LocalCollector(spec, metricNames, options);
}

class LocalCollector implements MetricsCollector {
  readonly kind: LocalCollectorKind;
  resolvedPath: string | undefined;
  readonly warnings: string[] = [];
  readonly problems: string[] = [];
  private overlong = 0;
  private readonly spec: CollectorSpec;
  private readonly names: readonly string[];
  private readonly options: CollectorOptions;
  private readonly acc: MetricAccumulator;
  private readonly parser: TextMetricParser | JsonMetricParser | undefined;
  private readonly subscribers = new Set<(logs: readonly MetricLog[]) => void>();
  private queue: MetricLog[] = [];
  private flushScheduled = false;
  private follower: FileFollower | undefined;
  private finished = false;

  constructor(spec: CollectorSpec, metricNames: readonly string[], options: CollectorOptions) {
    this.kind = spec.kind;
    this.spec = spec;
    this.names = metricNames;
    this.options = options;
    this.acc = new MetricAccumulator(metricNames);
    const filters = spec.filters ?? [];
    if (spec.kind === 'File' && spec.format === 'JSON') {
      if (filters.length > 0) {
        throw new WorkbenchError(ErrorCode.invalidSpec, 'filter must be nil when format of metrics file is json', {
          issues: [{ path: 'spec.metricsCollectorSpec.source.filter', message: 'filters apply to TEXT files only' }],
        });
      }
      this.parser = new JsonMetricParser({ metricNames });
    } else if (spec.kind === 'StdOut' || spec.kind === 'File') {
      this.parser = new TextMetricParser({ metricNames, filters });
    } else if (spec.kind !== 'TensorFlowEvent' && spec.kind !== 'Push') {
      throw new WorkbenchError(ErrorCode.unsupported, `metrics collector kind ${String(spec.kind)} is not supported`);
    }
  }

  onStdoutLine(line: string): void {
    if (this.kind === 'StdOut' && !this.finished) this.parseLine(line);
  }

  onStdoutOverlong(line: OverlongLine, stream: string): void {
    if (this.kind === 'StdOut' && !this.finished) this.noteOverlong(line, stream);
  }

  private noteOverlong(line: OverlongLine, source: string): void {
    this.overlong++;
    if (this.overlong > maxOverlongNoted) return;
    const problem = `a line of ${line.bytes} bytes at byte offset ${line.offset} of ${source} exceeded the 1 MiB line limit; metrics on it were not parsed`;
    this.problems.push(problem);
    this.warn(problem);
  }

  start(workDir: string): void {
    if (this.kind === 'File') {
      const path = resolveTrialPath(workDir, this.spec.path ?? defaultMetricsFilePath);
      this.resolvedPath = path;
      mkdirSync(dirname(path), { recursive: true });
      this.follower = new FileFollower(path, {
        onLine: (line) => this.parseLine(line),
        onOverlong: (line) => this.noteOverlong(line, path),
        onError: (err) => this.warn(`reading ${path}: ${(err as Error).message}`),
        ...(this.options.pollIntervalMs === undefined ? {} : { intervalMs: this.options.pollIntervalMs }),
      });
      this.follower.start();
    } else if (this.kind === 'TensorFlowEvent') {
      const dir = resolveTrialPath(workDir, this.spec.path ?? defaultTfEventDir);
      this.resolvedPath = dir;
      mkdirSync(dir, { recursive: true });
    }
  }

  async finish(): Promise<void> {
    if (this.finished) return;
    if (this.follower !== undefined) {
      await this.follower.stop();
    }
    if (this.overlong > maxOverlongNoted) {
      this.problems.push(`${this.overlong - maxOverlongNoted} more lines exceeded the line limit`);
    }
    if (this.kind === 'TensorFlowEvent' && this.resolvedPath !== undefined) {
      const logs = await readTfEventsDir(this.resolvedPath, this.names, { onWarning: (m) => this.warn(m) });
      for (const log of logs) this.record(log);
    }
    if (this.parser instanceof JsonMetricParser && this.parser.skippedLines > 0) {
      this.warn(
        `${this.parser.skippedLines} lines of ${this.resolvedPath ?? 'the metrics file'} were not JSON objects`,
      );
    }
    this.finished = true;
    this.flush();
  }

  push(metrics: Readonly<Record<string, number | string>>, time?: string): void {
    const now = (): string => {
      const iso = (this.options.now?.() ?? new Date()).toISOString();
      return normalizeRfc3339(iso) ?? iso;
    };
    let at = time === undefined ? now() : normalizeRfc3339(time);
    if (at === undefined) {
      this.warn(`push: '${time}' is not an RFC3339 time; used the current time`);
      at = now();
    }
    // Like Katib's DB, every pushed metric is recorded; only the experiment's metrics are summarised.
    for (const [name, raw] of Object.entries(metrics)) {
      this.record({ name, value: typeof raw === 'number' ? String(raw) : raw, time: at });
    }
    this.flush();
  }

  onLog(cb: (logs: readonly MetricLog[]) => void): () => void {
    this.subscribers.add(cb);
    return () => this.subscribers.delete(cb);
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    for (const cb of this.subscribers) cb(batch);
  }

  summary(): MetricSummary[] {
    return this.acc.summary();
  }

  private parseLine(line: string): void {
    const logs = this.parser?.parseLine(line);
    if (logs === undefined || logs.length === 0) return;
    for (const log of logs) this.record(log);
    if (!this.flushScheduled) {
      // Lines of one chunk arrive in a synchronous burst: deliver them as one batch.
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private record(log: MetricLog): void {
    this.acc.add(log);
    this.queue.push(log);
  }

  private warn(message: string): void {
    if (this.warnings.length < maxWarnings) this.warnings.push(message);
  }
}
