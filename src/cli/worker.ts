import { resolve } from 'node:path';
import {
  describeExperimentKey,
  ErrorCode,
  type ExperimentManifest,
  joinExperiment,
  loadExperimentFile,
  WorkbenchError,
} from '../index.ts';
import { err, isDocumentFormat, type Output, out, renderDocument } from './output.ts';
import { requireExperiment, withReadStore } from './readStore.ts';

/** Options of {@link workerCommand}. */
export interface WorkerCommandOptions {
  store?: string;
  namespace?: string;
  /** An Experiment YAML holding the experiment: the first worker to arrive creates it from there. */
  file?: string;
  /** `--heartbeat` in milliseconds. */
  heartbeat?: number;
  output?: Output;
  quiet?: boolean;
}

/** The one Experiment named `name` in `file` (exit 2 when it is not there, or is there twice). */
function manifestIn(file: string, name: string): ExperimentManifest {
  const found = loadExperimentFile(file).filter((m) => m.metadata.name === name);
  if (found.length !== 1) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `${file} holds ${found.length === 0 ? 'no' : found.length} Experiment named '${name}'; pass the file that defines it`,
    );
  }
  return found[0]!;
}

/**
 * `hpo worker NAME`: joins experiment NAME in the shared store (PostgreSQL for several machines; a SQLite folder
 * for processes on one machine) as one more worker, runs its share of the trials, and ends with the experiment.
 * Exit 0 when it succeeded, 1 when it failed, 130 when interrupted (this worker's trials go back to the others).
 */
export async function workerCommand(name: string, opts: WorkerCommandOptions): Promise<number> {
  const manifest = opts.file === undefined ? undefined : manifestIn(opts.file, name);
  // Without a file the experiment must exist: checked read-only first, so a mistyped --store is reported, not created.
  const stored =
    manifest === undefined
      ? await withReadStore(opts.store, (s) => requireExperiment(s, name, opts.namespace))
      : undefined;
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (abort.signal.aborted) process.exit(130);
    err(`\n${sig}: stopping this worker's trials; the other workers carry on (press again to exit now)`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await joinExperiment({
      ...(opts.store === undefined ? {} : { store: opts.store }),
      ...(manifest === undefined
        ? { experiment: { namespace: stored!.namespace, name } }
        : { manifest, sourcePath: resolve(opts.file!) }),
      signal: abort.signal,
      ...(opts.heartbeat === undefined ? {} : { heartbeatMs: opts.heartbeat }),
      onEvent: (ev) => {
        if (opts.quiet !== true && !isDocumentFormat(opts.output))
          err(`${ev.type === 'Warning' ? 'warning: ' : ''}${ev.trial ?? ev.experiment}: ${ev.reason} ${ev.message}`);
      },
    });
    const r = summary.record;
    if (isDocumentFormat(opts.output)) {
      out(
        renderDocument(
          {
            experiment: describeExperimentKey(r),
            phase: r.phase,
            reason: r.reason,
            stored: summary.stored,
            fenced: summary.fenced,
          },
          opts.output,
        ),
      );
    } else {
      out(`experiment ${describeExperimentKey(r)}: ${r.phase} (${r.reason})`);
      out(
        `this worker stored ${summary.stored.length} trial(s)${summary.fenced.length === 0 ? '' : `; ${summary.fenced.length} result(s) refused because their lease had been reclaimed`}`,
      );
    }
    if (abort.signal.aborted) return 130;
    return r.phase === 'Succeeded' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * `hpo run FILE… --join`: every Experiment in the files, one after another, worked as one more worker (the first
 * process to arrive creates it), as `hpo worker NAME --file FILE` does. The exit status is the worst of them.
 */
export async function joinRunCommand(
  files: readonly string[],
  opts: Omit<WorkerCommandOptions, 'file'>,
): Promise<number> {
  const named = files.flatMap((file) => loadExperimentFile(file).map((m) => ({ file, name: m.metadata.name })));
  let worst = 0;
  for (const { file, name } of named) {
    const code = await workerCommand(name, { ...opts, file });
    if (code === 130) return 130;
    worst = Math.max(worst, code);
  }
  return worst;
}
