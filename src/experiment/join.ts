import { hostname } from 'node:os';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import { lockStatus } from '../store/lockStatus.ts';
import { openStore } from '../store/open.ts';
import {
  defaultNamespace,
  describeExperimentKey,
  type EventRow,
  type ExperimentKey,
  type ExperimentRecord,
  type ExperimentRef,
  experimentKey,
  type Store,
} from '../store/types.ts';
import type { TrialExecutor } from '../trial/executor.ts';
import { type CheckedForRun, checkForRun, recordExperiment } from './prepare.ts';
import type { RunOptions } from './runOptions.ts';
import type { Progress } from './stepReport.ts';
import { templateExecutorFor } from './templateExecutor.ts';
import { ExperimentWorker, type WorkerSummary } from './worker.ts';

/** How one worker of a shared experiment runs: its id and lease terms (see {@link ExperimentWorker}). */
export interface JoinSettings {
  /** This worker's id in leases and events; default `host:pid:random`. */
  readonly worker?: string;
  /** Time between heartbeats (lease renewals and observation flushes); default 2 s. */
  readonly heartbeatMs?: number;
  /** How long a lease outlives its last heartbeat; default 1.5 heartbeats. */
  readonly leaseMs?: number;
}

/** What {@link joinExperiment} needs. */
export interface JoinOptions extends JoinSettings {
  /** The shared store: a PostgreSQL URL or a SQLite store folder (default: as `openStore` picks), or an open store. */
  readonly store?: Store | string;
  /** The experiment to work; with `manifest`, its name and namespace come from the manifest. */
  readonly experiment?: ExperimentRef;
  /**
   * Creates the experiment from this manifest when the store lacks it (the first worker to arrive creates it; a
   * stored one must have the same spec, as on resume).
   */
  readonly manifest?: ExperimentManifest;
  /** The YAML the manifest came from (relative paths of the trial template resolve against it). */
  readonly sourcePath?: string;
  /** Runs the trials; default the trial template's executor, as `hpo run` chooses it. */
  readonly executor?: TrialExecutor;
  readonly signal?: AbortSignal;
  /** The clock of the timestamps and leases this worker writes (default: the system clock). */
  readonly now?: () => Date;
  readonly onEvent?: (ev: EventRow) => void;
  /** Hears of the whole experiment's progress (every worker's trials). */
  readonly onProgress?: (p: Progress) => void;
}

/**
 * Joins a shared experiment as one more worker (`hpo worker`, or several calls in one program): checks the
 * experiment as a run does, starts its algorithm's worker thread, and works the experiment with an
 * {@link ExperimentWorker} until its stored phase is final. Refused (`conflict`) while a single controller (`hpo
 * run`) holds the experiment's lock: the two modes must not drive one experiment at once.
 */
export async function joinExperiment(o: JoinOptions): Promise<WorkerSummary> {
  checkJoinSettings(o);
  const store = typeof o.store === 'object' ? o.store : openStore(o.store);
  try {
    return await join(store, o);
  } finally {
    if (typeof o.store !== 'object') await store.close();
  }
}

async function join(store: Store, o: JoinOptions): Promise<WorkerSummary> {
  const key: ExperimentKey =
    o.manifest === undefined
      ? experimentKey(o.experiment ?? '')
      : { namespace: o.manifest.metadata.namespace ?? defaultNamespace, name: o.manifest.metadata.name };
  await refuseLocked(store, key);
  const stored = await store.getExperiment(key);
  const manifest = o.manifest ?? stored?.manifest;
  if (manifest === undefined) {
    throw new WorkbenchError(
      ErrorCode.notFound,
      `experiment '${describeExperimentKey(key)}' is not in the store ${store.location}; pass its YAML (hpo worker ${key.name} --file FILE) so that the first worker creates it`,
    );
  }
  const sourcePath = o.sourcePath ?? stored?.sourcePath;
  const source = sourcePath === undefined ? {} : { sourcePath };
  const checked = await checkForRun(manifest, { ...source, inProcess: o.executor !== undefined });
  try {
    if (o.manifest !== undefined) await record(store, checked, sourcePath);
    const executor = o.executor ?? templateExecutorFor(manifest, sourcePath);
    const worker = await ExperimentWorker.open({
      store,
      experiment: key,
      executor,
      host: checked.host,
      settings: checked.settings,
      earlyStopping: checked.earlyStopping,
      ...(o.signal === undefined ? {} : { signal: o.signal }),
      ...(o.heartbeatMs === undefined ? {} : { heartbeatMs: o.heartbeatMs }),
      ...(o.leaseMs === undefined ? {} : { leaseMs: o.leaseMs }),
      ...(o.worker === undefined ? {} : { worker: o.worker }),
      ...(o.onEvent === undefined ? {} : { onEvent: o.onEvent }),
      ...(o.now === undefined ? {} : { now: o.now }),
      ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
    });
    return await worker.run();
  } finally {
    await checked.host.close();
  }
}

/**
 * `Experiment.optimize()` and `run()` with `join` (see `RunOptions.join`): {@link joinExperiment} with the run's
 * options. Refuses a budget edit (`invalidArgument`): it needs the experiment's lock, which workers do not take.
 */
export async function joinForRun(o: {
  readonly store: Store;
  readonly manifest: ExperimentManifest;
  readonly executor: TrialExecutor;
  readonly run: RunOptions;
  readonly sourcePath?: string;
  readonly now?: () => Date;
}): Promise<void> {
  const { run, manifest } = o;
  if (run.budget !== undefined) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `experiment '${manifest.metadata.name}': a budget edit needs the experiment's lock, which joining workers do not take; edit it with \`hpo resume ${manifest.metadata.name} --max-trials N\` while no worker runs, or leave join out`,
    );
  }
  const settings = typeof run.join === 'object' ? run.join : {};
  await joinExperiment({
    store: o.store,
    manifest,
    executor: o.executor,
    ...settings,
    ...(o.sourcePath === undefined ? {} : { sourcePath: o.sourcePath }),
    ...(run.signal === undefined ? {} : { signal: run.signal }),
    ...(o.now === undefined ? {} : { now: o.now }),
    ...(run.onProgress === undefined ? {} : { onProgress: run.onProgress }),
  });
}

/**
 * The stored experiment `ref` (for `Experiment.fromStore`, a process joining an experiment another one created);
 * throws `notFound`, saying how to create it, when the store lacks it.
 */
export async function storedExperiment(store: Store, ref: ExperimentRef): Promise<ExperimentRecord> {
  const key = experimentKey(ref);
  const stored = await store.getExperiment(key);
  if (stored !== undefined) return stored;
  throw new WorkbenchError(
    ErrorCode.notFound,
    `experiment '${describeExperimentKey(key)}' is not in the store ${store.location}; create it first (hpo run FILE, hpo worker NAME --file FILE, or optimize(objective, { join: true }) on an Experiment made from its spec)`,
  );
}

/** Refuses (`invalidArgument`) lease terms that are not positive numbers of milliseconds, or an empty worker id. */
function checkJoinSettings(o: JoinSettings): void {
  for (const field of ['heartbeatMs', 'leaseMs'] as const) {
    const v = o[field];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `${field} must be a positive number of milliseconds (got ${String(v)}); leave it out for the default`,
      );
    }
  }
  if (o.worker !== undefined && o.worker.trim() === '')
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      'worker must be a non-empty id; leave it out for host:pid:random',
    );
}

/** Creates the experiment, or checks that the stored one has this spec; two workers creating it at once both join. */
async function record(store: Store, checked: CheckedForRun, sourcePath: string | undefined): Promise<void> {
  const options = { store, ...(sourcePath === undefined ? {} : { sourcePath }) };
  try {
    await recordExperiment(checked, options);
  } catch (err) {
    // Another worker created it between our read and our write: continue it (same spec checks) instead.
    if (!(err instanceof WorkbenchError && err.code === ErrorCode.conflict && /already exists/.test(err.message)))
      throw err;
    await recordExperiment(checked, options);
  }
}

async function refuseLocked(store: Store, key: ExperimentKey): Promise<void> {
  const status = lockStatus(await store.getExperimentLock(key), new Date(), hostname());
  if (status.state !== 'held' && status.state !== 'unknown') return;
  throw new WorkbenchError(
    ErrorCode.conflict,
    `experiment '${describeExperimentKey(key)}' is run by a single controller (process ${status.lock.pid} on ${status.lock.host}); workers join only an experiment no \`hpo run\` holds: wait for it, or stop it and start workers instead`,
  );
}
