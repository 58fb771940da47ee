/**
 * Signals everything a trial process started: its process group, and every process that carries its
 * `HPO_TRIAL_TOKEN` (descendants that left the group with `setsid`, a double fork or `setpgid`). Used by
 * `process.ts` when a trial ends or is stopped, and at controller exit for every trial still running.
 */
import { processesWithToken, statFields } from './processIdentity.ts';

/** Sends `signal` to process group `pgid`; a group that is already gone is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  if (pgid <= 0) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Sends `signal` to every process carrying `token`, except members of group `signalledGroup` (already signalled:
 * a second SIGTERM would reach a handler twice), and returns the pids it was not allowed to signal (EPERM: a
 * descendant that switched to another user). Without /proc no process is found and nothing is signalled.
 */
export function signalTokenHolders(token: string, signal: NodeJS.Signals, signalledGroup = 0): number[] {
  const refused: number[] = [];
  // The group leader's pid bounds the search: its descendants were all born after it.
  for (const pid of processesWithToken(token, signalledGroup > 0 ? signalledGroup : undefined)) {
    if (signalledGroup > 0 && Number(statFields(pid)?.[2]) === signalledGroup) continue;
    try {
      process.kill(pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') refused.push(pid);
    }
  }
  return refused;
}

/**
 * After the trial's program exited: SIGKILLs its group and every other process carrying its token (born after the
 * leader) and returns the pids found besides the group: usually none, and then nothing is left to wait for.
 */
export function sweepAfterExit(tree: TrialProcessTree): number[] {
  signalGroup(tree.pgid, 'SIGKILL');
  const found = processesWithToken(tree.token, tree.pgid).filter((pid) => Number(statFields(pid)?.[2]) !== tree.pgid);
  for (const pid of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile, or not ours to signal: survivors() reports what stays
    }
  }
  return found;
}

/** A trial's process group leader and the token its processes carry. */
export interface TrialProcessTree {
  readonly pgid: number;
  readonly token: string;
}

/** Signals the group and the token holders of `tree`; returns the pids that refused the signal. */
export function signalTree(tree: TrialProcessTree, signal: NodeJS.Signals): number[] {
  signalGroup(tree.pgid, signal);
  return signalTokenHolders(tree.token, signal, tree.pgid);
}

/**
 * After the trial's program exited and everything was SIGKILLed: waits up to `waitMs` for the token holders to
 * disappear (a SIGKILLed process is gone within milliseconds unless blocked in the kernel) and returns the pids
 * that are still there, for the trial's log. `bornAfter` (the trial's leader) narrows the search. A process that cleared its environment is not found (documented).
 */
export async function survivors(token: string, waitMs: number, bornAfter?: number): Promise<number[]> {
  const end = performance.now() + waitMs;
  for (;;) {
    const left = processesWithToken(token, bornAfter);
    if (left.length === 0 || performance.now() >= end) return left;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile, or not ours to signal: reported below if it stays
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const live = new Map<number, string>();
let exitHookInstalled = false;

/** Remembers a running trial process so that {@link killLiveTrialProcesses} reaches it. */
export function trackLive(tree: TrialProcessTree): void {
  live.set(tree.pgid, tree.token);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => killLiveTrialProcesses());
}

/** Forgets a trial process once it has ended. */
export function untrackLive(pgid: number): void {
  live.delete(pgid);
}

/**
 * SIGKILLs every live trial process group started by this process, and their escaped descendants, and returns
 * how many trials there were. Runs automatically on the controller's 'exit' event; a CLI that handles
 * SIGINT/SIGTERM should call it too, since detached groups do not receive the terminal's Ctrl-C. `kill -9` of
 * the controller cannot run it: those trials keep running orphaned, and resume stops them (see `localProcess.ts`).
 */
export function killLiveTrialProcesses(): number {
  const count = live.size;
  for (const [pgid, token] of live) signalTree({ pgid, token }, 'SIGKILL');
  live.clear();
  return count;
}
