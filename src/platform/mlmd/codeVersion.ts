/**
 * The code version of a trial: the git commit of its working folder when that folder is in a git repository, read
 * with `git` run as an argument array (never a shell), bounded in time. It is read when the lineage is built, not
 * when the trial ran, so it carries what tells the two apart: whether the tree has uncommitted changes and when the
 * commit was made (a commit newer than the trial's end is not the code it ran).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A git commit and the state of the tree around it. */
export interface CodeVersion {
  /** The full commit hash of `HEAD`. */
  readonly commit: string;
  /** The repository's top folder. */
  readonly root: string;
  /** Tracked files differ from `HEAD` (untracked files are not counted: a trial's own outputs are untracked). */
  readonly dirty: boolean;
  /** The commit's committer date (ISO 8601). */
  readonly committedAt?: string;
}

function git(dir: string, args: readonly string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', dir, ...args],
      { timeout: timeoutMs, maxBuffer: 1 << 20, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' } },
      (error, stdout) => resolve(error ? undefined : stdout.trim()),
    );
  });
}

/**
 * The code version of folder `dir`: undefined when it does not exist, is not in a git repository (or one with no
 * commit yet), or git is not installed. `GIT_OPTIONAL_LOCKS=0`: reading must not take the index lock a running
 * `git` in the user's shell may hold.
 */
export async function readCodeVersion(dir: string, timeoutMs = 5000): Promise<CodeVersion | undefined> {
  if (!existsSync(dir)) return undefined;
  const head = await git(dir, ['rev-parse', '--show-toplevel', 'HEAD'], timeoutMs);
  const [root, commit] = head?.split('\n') ?? [];
  if (root === undefined || commit === undefined || !/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
  const [status, date] = await Promise.all([
    git(dir, ['status', '--porcelain', '--untracked-files=no'], timeoutMs),
    git(dir, ['log', '-1', '--format=%cI', 'HEAD'], timeoutMs),
  ]);
  return {
    commit,
    root,
    dirty: status === undefined || status !== '',
    ...(date ? { committedAt: date } : {}),
  };
}
