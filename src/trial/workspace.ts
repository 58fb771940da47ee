/**
 * Every on-disk path of an experiment under its store: trial working folders, log files, PBT checkpoints.
 * The controller, the executors and the CLI ask this module instead of spelling the layout out themselves.
 */
import { cp, mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The folders and files of one experiment: `<store>/experiments/<experiment>/{trials,logs,checkpoints}`. */
export class ExperimentWorkspace {
  /** `<store>/experiments/<experiment>`. */
  readonly dir: string;

  constructor(storeRoot: string, experiment: string) {
    this.dir = join(storeRoot, 'experiments', experiment);
  }

  /** A trial's working folder (the process's cwd; replicas get sub-folders such as `master-0`). */
  trialDir(trial: string): string {
    return join(this.dir, 'trials', trial);
  }

  /** A trial's log (stdout and stderr of its primary process). */
  logPath(trial: string): string {
    return join(this.dir, 'logs', `${trial}.log`);
  }

  /** A trial's checkpoint folder (Katib's `suggestion_trial_dir`, PBT). */
  checkpointDir(trial: string): string {
    return join(this.dir, 'checkpoints', trial);
  }

  /** Creates a trial's working folder and the folder of its log. */
  async prepareTrial(trial: string): Promise<void> {
    await mkdir(this.trialDir(trial), { recursive: true });
    await mkdir(join(this.dir, 'logs'), { recursive: true });
  }

  /**
   * Creates `trial`'s checkpoint folder, as a copy of `parent`'s when there is one (PBT exploit). Copies
   * asynchronously, so a large checkpoint never blocks the controller; an existing folder (a resumed trial) is
   * kept as it is.
   */
  async prepareCheckpoint(trial: string, parent?: string): Promise<string> {
    const dir = this.checkpointDir(trial);
    if (await exists(dir)) return dir;
    const from = parent === undefined || parent === trial ? undefined : this.checkpointDir(parent);
    if (from !== undefined && (await exists(from))) await cp(from, dir, { recursive: true });
    else await mkdir(dir, { recursive: true });
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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
