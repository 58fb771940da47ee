/**
 * The receiving end of the metrics sidecar (metricsSidecar.ts): turns its `hpo-metrics-mirror/v1` log records back
 * into files in the trial's local folder, where the File and TensorFlowEvent collectors read them. Each record
 * carries its byte offset and is written there (positional write), so a record seen twice changes nothing and the
 * local file is always a prefix-exact copy of the pod's.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { type MetricsSource, mirrorRecordTag } from './metricsSidecar.ts';

/** Options of {@link MetricsMirror}. */
export interface MetricsMirrorOptions {
  readonly source: MetricsSource;
  /** The local file (File) or directory (TensorFlowEvent) the collector reads: `resolveTrialPath(workDir, path)`. */
  readonly target: string;
  /** A problem worth a trial event (a malformed record, a file past the size limit). */
  readonly onProblem: (message: string) => void;
  /** Largest size one mirrored file may reach; default 1 GiB (a runaway trial must not fill this disk). */
  readonly maxFileBytes?: number;
}

const recordPattern = /^(\S+) (\S+) (\d{1,15}) ([A-Za-z0-9+/]*={0,2})$/;

/** Writes the sidecar's records to local files; `apply` each line of its log, `close` when the trial ended. */
export class MetricsMirror {
  private readonly o: MetricsMirrorOptions;
  private readonly files = new Map<string, number>();
  private readonly refused = new Set<string>();
  private problems = 0;
  /** Bytes written so far, over all files. */
  bytes = 0;

  constructor(options: MetricsMirrorOptions) {
    this.o = options;
  }

  /** Handles one line of the sidecar's log; lines that are not records (a shell's complaint) become problems. */
  apply(line: string): void {
    const m = recordPattern.exec(line);
    if (m === null || m[1] !== mirrorRecordTag) {
      this.problem(`the metrics collector sidecar printed: ${line.slice(0, 200)}`);
      return;
    }
    const local = this.localPath(m[2]!);
    if (local === undefined) return;
    const offset = Number(m[3]);
    const data = Buffer.from(m[4]!, 'base64');
    if (offset + data.length > (this.o.maxFileBytes ?? 2 ** 30)) {
      if (!this.refused.has(local)) {
        this.refused.add(local);
        this.problem(`${local}: the pod's metrics file grew past the mirror's limit; the rest of it is not collected`);
      }
      return;
    }
    let fd = this.files.get(local);
    try {
      if (fd === undefined) {
        mkdirSync(dirname(local), { recursive: true });
        fd = openSync(local, 'w'); // created empty: only the pod's bytes go in
        this.files.set(local, fd);
      }
      writeSync(fd, data, 0, data.length, offset);
      this.bytes += data.length;
    } catch (err) {
      this.problem(`cannot write ${local}: ${(err as Error).message}`);
    }
  }

  /** Closes the local files (their bytes are on disk: the collector's last read sees them). */
  close(): void {
    for (const fd of this.files.values()) closeSync(fd);
    this.files.clear();
  }

  /** The local file a record's name stands for; a name that would leave the target folder is refused. */
  private localPath(encoded: string): string | undefined {
    if (this.o.source.mode === 'file') {
      if (encoded === '-') return this.o.target;
      this.problem(`a metrics-file record named ${encoded} in File mode was ignored`);
      return undefined;
    }
    const rel = Buffer.from(encoded, 'base64').toString('utf8');
    const clean = posix.normalize(rel);
    if (rel === '' || clean.startsWith('../') || clean === '..' || posix.isAbsolute(clean) || rel.includes('\0')) {
      this.problem(`an event file named ${JSON.stringify(rel)} is outside the event directory; ignored`);
      return undefined;
    }
    return join(this.o.target, ...clean.split('/'));
  }

  private problem(message: string): void {
    // The log of a broken sidecar could repeat one complaint per poll: a few are enough to diagnose it.
    if (this.problems++ < 5) this.o.onProblem(message);
  }
}
