/**
 * Every on-disk path of an experiment under its store: trial working folders, log files, PBT checkpoints, artifacts.
 * The controller, the executors and the CLI ask this module instead of spelling the layout out themselves.
 */
import { mkdirSync } from 'node:fs';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultNamespace, type ExperimentRef, experimentKey } from '../store/types.ts';
import { seedCheckpointFolder } from './checkpointFolder.ts';

/** A replica's name as the local distributed launcher gives it: `<role lowercased>-<index>` (`worker-1`). */
const replicaName = /^[a-z][a-z0-9]*-\d+$/;

/**
 * Where a non-master replica of a distributed trial writes its output: next to the trial's log `trialLog`, as
 * `<trial>.log.<replica>`. The master writes the trial's log itself, so `hpo logs` shows it by default.
 */
export function replicaLogFile(trialLog: string, replica: string): string {
  return `${trialLog}.${replica}`;
}

/** One replica log of a distributed trial, as {@link ExperimentWorkspace.replicaLogs} lists them. */
export interface ReplicaLog {
  /** The replica's name (`master-0`, `worker-1`). */
  readonly replica: string;
  readonly path: string;
  /** True for the replica whose output is the trial's own log. */
  readonly master: boolean;
}

/**
 * The folders and files of one experiment: `<store>/experiments/<name>/{trials,logs,checkpoints,artifacts,artifact-records}` in namespace
 * `default`, `<store>/namespaces/<namespace>/experiments/<name>/…` in any other (so no experiment's folder can
 * be another's, whatever the names).
 */
export class ExperimentWorkspace {
  /** The experiment's folder. */
  readonly dir: string;

  /** The workspace of `experiment` (a bare name is in namespace `default`) in the store folder `storeRoot`. */
  constructor(storeRoot: string, experiment: ExperimentRef) {
    const { namespace, name } = experimentKey(experiment);
    this.dir =
      namespace === defaultNamespace
        ? join(storeRoot, 'experiments', name)
        : join(storeRoot, 'namespaces', namespace, 'experiments', name);
  }

  /** A trial's working folder (the process's cwd; replicas get sub-folders such as `master-0`). */
  trialDir(trial: string): string {
    return join(this.dir, 'trials', trial);
  }

  /** A trial's log (stdout and stderr of its primary process). */
  logPath(trial: string): string {
    return join(this.dir, 'logs', `${trial}.log`);
  }

  /** The log of replica `replica` (e.g. `worker-1`) of a distributed trial, other than its master's. */
  replicaLogPath(trial: string, replica: string): string {
    return replicaLogFile(this.logPath(trial), replica);
  }

  /**
   * The replica logs of a distributed trial, sorted by replica name; empty for a single-process trial. Each
   * replica also runs in its own folder under the trial's, so the one replica folder without a log of its own is
   * the master's, whose output is the trial's log.
   */
  async replicaLogs(trial: string): Promise<ReplicaLog[]> {
    const prefix = `${trial}.log.`;
    const others = (await names(join(this.dir, 'logs')))
      .filter((f) => f.startsWith(prefix) && replicaName.test(f.slice(prefix.length)))
      .map((f) => f.slice(prefix.length));
    const folders = (await names(this.trialDir(trial))).filter((f) => replicaName.test(f) && !others.includes(f));
    const logs: ReplicaLog[] = others.map((r) => ({ replica: r, path: this.replicaLogPath(trial, r), master: false }));
    // Only a trial with replica logs is distributed (a single-process trial may make folders of its own), and
    // several candidate folders would be the program's own, not replicas: no master is named then.
    const [master] = folders;
    if (others.length > 0 && master !== undefined && folders.length === 1 && (await exists(this.logPath(trial)))) {
      logs.push({ replica: master, path: this.logPath(trial), master: true });
    }
    return logs.sort((a, b) => a.replica.localeCompare(b.replica, 'en', { numeric: true }));
  }

  /** A trial's checkpoint folder (Katib's `suggestion_trial_dir`, PBT). */
  checkpointDir(trial: string): string {
    return join(this.dir, 'checkpoints', trial);
  }

  /**
   * A trial's artifacts folder (`HPO_ARTIFACTS_DIR`): one per trial, shared by its replicas, beside (not inside) its
   * working folder so that replica folders and `.hpo-pid` never mix with what the trial hands on.
   */
  artifactsDir(trial: string): string {
    return join(this.dir, 'artifacts', trial);
  }

  /** Where the controller records a trial's artifacts (kinds, digests) once its program ended. */
  artifactRecordPath(trial: string): string {
    // A folder of its own: `artifacts/<trial>.json` could be another trial's artifacts folder.
    return join(this.dir, 'artifact-records', `${trial}.json`);
  }

  /** Creates a trial's working folder, its artifacts folder and the folder of its log. */
  async prepareTrial(trial: string): Promise<void> {
    // Synchronous on purpose: a local trial's start waits for these, and three trips through libuv's thread pool
    // cost ~0.4 ms (more on a busy host) of every trial, where the calls themselves take tens of microseconds.
    for (const dir of [this.trialDir(trial), this.artifactsDir(trial), join(this.dir, 'logs')]) {
      mkdirSync(dir, { recursive: true });
    }
  }

  /**
   * Creates `trial`'s checkpoint folder, as a copy of `parent`'s when there is one (PBT exploit), the same way `hpo
   * suggestion-server` seeds folders on Katib's suggestion volume (seedCheckpointFolder). An existing folder (a
   * resumed trial) is kept as it is; a parent without a folder gives an empty one.
   */
  async prepareCheckpoint(trial: string, parent?: string): Promise<string> {
    const dir = this.checkpointDir(trial);
    await seedCheckpointFolder(dir, parent === undefined || parent === trial ? undefined : this.checkpointDir(parent));
    return dir;
  }

  /**
   * The last `lines` lines of a trial's log (at most the last 64 KiB are read), or undefined when it has none.
   */
  async logTail(trial: string, lines: number): Promise<string[] | undefined> {
    const path = this.logPath(trial);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch {
      return undefined;
    }
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, size - length);
      const text = buf.toString('utf8').replace(/\s+$/, '');
      if (text === '') return [];
      const all = text.split('\n');
      // A cut first line is a fragment unless the whole file fit.
      return (length < size ? all.slice(1) : all).slice(-lines);
    } finally {
      await handle.close();
    }
  }

  /** Removes every folder and file of the experiment. */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The entries of a folder; none when it does not exist. */
async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
