import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { status } from '@grpc/grpc-js';
import { type CheckpointSeed, seedCheckpointFolder } from '../../trial/checkpointFolder.ts';
import { GrpcStatusError, invalidArgument } from './status.ts';

/**
 * The suggestion volume: where `hpo suggestion-server` keeps PBT's per-trial checkpoint folders, as Katib's pbt
 * service does. Katib mounts the suggestion's PVC (created from katib-config's `persistentVolumeClaimSpec` when the
 * Experiment has `resumePolicy: FromVolume`) at `/opt/katib/data` in the suggestion pod, and its pod webhook mounts
 * the same PVC into each trial's primary container at the `suggestion_trial_dir` setting, `subPath:
 * <experiment>/<trial>`. So the folder a trial reads and writes is `<root>/<experiment>/<trial>` here.
 */

/** Where Katib mounts the suggestion volume in the suggestion pod (katib-config `volumeMountPath`'s default). */
export const katibSuggestionDataDir = '/opt/katib/data';

/**
 * A Kubernetes object name (DNS-1123 subdomain): lowercase letters, digits, '-' and '.', each dot-separated part
 * starting and ending with a letter or digit. Such a name is one path segment that is neither '.' nor '..', so a
 * folder named by it stays inside its parent. Katib's trials and experiments all have such names.
 */
const objectName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` cannot name a folder on the volume, or undefined when it can. */
export function volumeNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 253) return `is ${name.length} characters long (a Kubernetes name has at most 253)`;
  if (!objectName.test(name)) {
    return `'${name}' is not a Kubernetes object name (lowercase letters, digits, '-' and '.'), so it cannot name a folder on the suggestion volume`;
  }
  return undefined;
}

/** One trial folder to seed: the trial's name and, for a PBT exploit or continue, its parent's. */
export interface TrialFolder {
  readonly trial: string;
  readonly parent?: string;
}

/** What {@link SuggestionVolume.prepare} did to one trial's folder. */
export interface SeededFolder extends TrialFolder {
  readonly path: string;
  readonly seed: CheckpointSeed;
}

/** The folders of one experiment's trials on the suggestion volume mounted at `root`. */
export class SuggestionVolume {
  /** The volume's mount point, absolute. */
  readonly root: string;

  /** The volume mounted at `root` (relative paths are taken from the current folder). */
  constructor(root: string) {
    this.root = resolve(root);
  }

  /**
   * The folder of `trial` of `experiment`. Throws INVALID_ARGUMENT for a name that is not a Kubernetes name (a
   * hostile `../x` never reaches the file system), and checks again that the path stays under the root.
   */
  folder(experiment: string, trial: string, what = 'trial name'): string {
    const problems = [
      ['experiment.name', volumeNameProblem(experiment)],
      [what, volumeNameProblem(trial)],
    ].filter((p): p is [string, string] => p[1] !== undefined);
    if (problems.length > 0) {
      throw invalidArgument(
        'refusing a checkpoint folder on the suggestion volume',
        problems.map(([path, message]) => ({ path, message })),
      );
    }
    const path = join(this.root, experiment, trial);
    const rel = relative(this.root, path);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new GrpcStatusError(status.INVALID_ARGUMENT, `${path} is outside the suggestion volume ${this.root}`);
    }
    return path;
  }

  /**
   * Creates each trial's folder, a copy of its parent's when it names one (as Katib's service copies the parent's
   * folder for a new trial), in order. Every name is checked before anything is written. A folder that exists is
   * kept (a repeated request must not wipe a running trial's checkpoint). FAILED_PRECONDITION when the volume cannot
   * be written, with the fix.
   */
  async prepare(experiment: string, trials: readonly TrialFolder[]): Promise<SeededFolder[]> {
    const planned = trials.map((t) => ({
      ...t,
      path: this.folder(experiment, t.trial),
      from:
        t.parent === undefined || t.parent === '' || t.parent === t.trial
          ? undefined
          : this.folder(experiment, t.parent, `parent of trial ${t.trial}`),
    }));
    if (planned.length === 0) return [];
    await this.experimentFolder(experiment);
    const out: SeededFolder[] = [];
    for (const p of planned) {
      let seed: CheckpointSeed;
      try {
        seed = await seedCheckpointFolder(p.path, p.from);
      } catch (error) {
        throw this.unwritable(error);
      }
      out.push({ trial: p.trial, ...(p.parent === undefined ? {} : { parent: p.parent }), path: p.path, seed });
    }
    return out;
  }

  /**
   * Removes the folders of `trials`, in order, until `limit` folders are gone (names that are not Kubernetes names
   * are skipped, never touched; a trial without a folder does not count), and returns the names removed. The
   * experiment's folder is listed once rather than each name looked up, since the candidates include every folder
   * removed before (a network volume answers each lookup slowly). The limit keeps one call short; what is left goes
   * in a later one. A symbolic link is removed, never followed.
   */
  async remove(experiment: string, trials: readonly string[], limit: number): Promise<string[]> {
    if (volumeNameProblem(experiment) !== undefined) return [];
    const dir = join(this.root, experiment);
    let present: Set<string>;
    try {
      // Never through a link: removing "its" folders would remove whatever it leads to.
      if (!(await lstat(dir)).isDirectory()) return [];
      present = new Set(await readdir(dir));
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const trial of trials) {
      if (removed.length >= limit) break;
      if (!present.has(trial) || volumeNameProblem(trial) !== undefined) continue;
      await rm(this.folder(experiment, trial), { recursive: true, force: true });
      removed.push(trial);
    }
    return removed;
  }

  /** Makes `<root>/<experiment>`, refusing one that is a link (it could lead out of the volume). */
  private async experimentFolder(experiment: string): Promise<void> {
    const dir = join(this.root, experiment);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw this.unwritable(error);
    }
    if (!(await lstat(dir)).isDirectory()) {
      throw new GrpcStatusError(
        status.FAILED_PRECONDITION,
        `${dir} on the suggestion volume is not a folder (a link or a file); remove it so checkpoints stay on the volume`,
      );
    }
  }

  private unwritable(error: unknown): GrpcStatusError {
    const why = error instanceof Error ? error.message : String(error);
    return new GrpcStatusError(
      status.FAILED_PRECONDITION,
      `cannot write PBT checkpoint folders under ${this.root} (${why}). Katib mounts the suggestion volume there only ` +
        'with spec.resumePolicy: FromVolume and a persistentVolumeClaimSpec for the algorithm in katib-config; or ' +
        'start hpo suggestion-server with --data-dir at the volume katib-config mounts (volumeMountPath).',
    );
  }
}
