/**
 * `hpo logs NAME TRIAL [-f] [--replica R]`: a trial's log, like `kubectl logs [-f] POD [-c CONTAINER]`. The file is
 * streamed by byte offset, never read whole: with `--follow` each poll copies only what was appended since.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { copyLogRange, ErrorCode, ExperimentWorkspace, logSize, type Store, WorkbenchError } from '../index.ts';
import { inProgress } from './inspect.ts';
import { err } from './output.ts';
import { requireExperiment, requireTrial, type StoreOptions, withReadStore } from './readStore.ts';

/** Options of {@link logsCommand}. */
export interface LogsOptions extends StoreOptions {
  /** Keep printing what the trial appends until it ends or no controller runs the experiment any more. */
  follow?: boolean;
  /** Seconds between two polls of the store and the log with `follow` (default {@link defaultFollowInterval}). */
  interval?: number;
  /** A replica of a distributed trial (`worker-1`); default the master's, which is the trial's own log. */
  replica?: string;
}

/** Default seconds between two polls of `hpo logs --follow`. */
export const defaultFollowInterval = 1;

const live: ReadonlySet<string> = new Set(['Pending', 'Running']);

/** The log file `hpo logs` prints, after saying on stderr which other replica logs the trial has. */
async function chooseLog(workspace: ExperimentWorkspace, name: string, trial: string, replica?: string) {
  const replicas = await workspace.replicaLogs(trial);
  const others = replicas.filter((r) => !r.master).map((r) => r.replica);
  if (replica === undefined) {
    if (others.length > 0) {
      const master = replicas.find((r) => r.master)?.replica ?? 'the master replica';
      err(
        `trial '${trial}' is distributed: this is the log of ${master}; the other replicas' logs: ${others.join(', ')} (hpo logs ${name} ${trial} --replica ${others[0]})`,
      );
    }
    return workspace.logPath(trial);
  }
  const found = replicas.find((r) => r.replica === replica);
  if (found === undefined) {
    throw new WorkbenchError(
      ErrorCode.notFound,
      replicas.length === 0
        ? `trial '${trial}' has no replica logs (only a distributed trial run by the local launcher has them); run \`hpo logs ${name} ${trial}\` without --replica`
        : `trial '${trial}' has no replica '${replica}'; its replicas: ${replicas.map((r) => r.replica).join(', ')}`,
    );
  }
  return found.path;
}

/** Whether the trial may still write to its log: it has not ended and a live controller runs its experiment. */
async function trialGoing(
  store: Store,
  name: string,
  trial: string,
  namespace: string | undefined,
): Promise<{ going: boolean; why?: string }> {
  const exp = await requireExperiment(store, name, namespace);
  const t = await requireTrial(store, exp, trial);
  if (!live.has(t.state)) return { going: false };
  if (await inProgress(store, exp)) return { going: true };
  return {
    going: false,
    why: `trial '${trial}' is still ${t.state} in the store, but no controller runs experiment '${name}' any more; stopped following (continue it with \`hpo resume ${name}\`)`,
  };
}

/**
 * Prints the log so far, then, every `intervalMs`, whatever was appended, until the trial ends. Whether it goes on
 * is decided before each copy: the trial's output is all in the file once the store says it ended, so the last
 * copy prints the rest.
 */
async function follow(opts: LogsOptions, name: string, trial: string, path: string): Promise<number> {
  const ms = (opts.interval ?? defaultFollowInterval) * 1000;
  let offset = 0;
  for (;;) {
    // Each poll opens the store afresh: a reader holding one long transaction would stop the WAL's checkpoints.
    const { going, why } = await withReadStore(opts.store, (store) => trialGoing(store, name, trial, opts.namespace));
    const size = await logSize(path);
    if (size !== undefined && size < offset) {
      // A resumed trial runs again and starts its log anew (as `tail -F` does, say so and print it from the start).
      err(`hpo logs: ${path} was truncated (the trial started again); printing it from the start`);
      offset = 0;
    }
    if (size !== undefined) {
      await copyLogRange(path, offset, size, process.stdout);
      offset = size;
    }
    if (!going) {
      if (why !== undefined) err(why);
      if (size === undefined) return noLog(trial);
      return 0;
    }
    await sleep(ms);
  }
}

function noLog(trial: string): number {
  err(`trial '${trial}' has no log file (in-process trials write none)`);
  return 1;
}

/** `hpo logs NAME TRIAL`: streams the trial's (or a replica's) log to stdout; with `follow`, until the trial ends. */
export async function logsCommand(name: string, trial: string, opts: LogsOptions): Promise<number> {
  const path = await withReadStore(opts.store, async (store) => {
    const exp = await requireExperiment(store, name, opts.namespace);
    await requireTrial(store, exp, trial);
    return chooseLog(new ExperimentWorkspace(store.root, exp), name, trial, opts.replica);
  });
  if (opts.follow === true) return follow(opts, name, trial, path);
  const size = await logSize(path);
  if (size === undefined) return noLog(trial);
  // Only what the file held when we looked: a log still growing is printed up to here, as `kubectl logs` does.
  await copyLogRange(path, 0, size, process.stdout);
  return 0;
}
