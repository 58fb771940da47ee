/**
 * Seeding a trial's checkpoint folder from its parent's (PBT's exploit step, Katib's `suggestion_trial_dir`). One
 * function for both places that do it: the local controller (ExperimentWorkspace, under the store) and `hpo
 * suggestion-server` (the suggestion volume Katib mounts, src/platform/grpc/suggestionVolume.ts).
 */
import { cp, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * What {@link seedCheckpointFolder} did: `kept` an existing folder (a resumed trial, or a repeated request),
 * `copied` the parent's, made an `empty` one (no parent), or an empty one because the parent's folder was
 * missing (`parentMissing`: the caller decides whether to warn).
 */
export type CheckpointSeed = 'kept' | 'copied' | 'empty' | 'parentMissing';

/** Whether `path` is a real folder (a symbolic link to one is not: it could lead anywhere). */
async function isFolder(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the checkpoint folder `dir`, as a copy of `parentDir` when given. An existing `dir` is kept as it is. The
 * copy is made under a hidden sibling name and renamed into place, so a copy cut short (a crash, a pod restart)
 * never passes for a complete one: the next call starts it again. Symbolic links inside are copied as they are
 * (a relative `latest -> step-40` stays relative, so it points into the child's copy, not the parent's folder).
 * Asynchronous, so a large checkpoint never blocks the caller's event loop.
 */
export async function seedCheckpointFolder(dir: string, parentDir?: string): Promise<CheckpointSeed> {
  if (await exists(dir)) return 'kept';
  await mkdir(dirname(dir), { recursive: true });
  if (parentDir === undefined || !(await isFolder(parentDir))) {
    await mkdir(dir, { recursive: true });
    return parentDir === undefined ? 'empty' : 'parentMissing';
  }
  // A leading '.' is in no trial name (Kubernetes names start with a letter or digit), so this never collides.
  const partial = join(dirname(dir), `.${basename(dir)}.partial`);
  await rm(partial, { recursive: true, force: true });
  await cp(parentDir, partial, { recursive: true, verbatimSymlinks: true });
  try {
    await rename(partial, dir);
  } catch (error) {
    // Another call seeded it meanwhile (two identical requests in flight): theirs stands.
    await rm(partial, { recursive: true, force: true });
    if (await exists(dir)) return 'kept';
    throw error;
  }
  return 'copied';
}
