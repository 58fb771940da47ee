/**
 * Reading an experiment lock without the database: lease lengths, whether its process lives, and what its state
 * means. Kept apart from the lock table so the public API's types never name the SQLite driver.
 */
import { hostname } from 'node:os';
import type { ExperimentLock } from './types.ts';

/** How long a controller's lease on an experiment lasts without a heartbeat. */
export const lockLeaseMs = 60_000;
/** How often a running controller renews its lease (`Experiment.run`); well inside {@link lockLeaseMs}. */
export const lockHeartbeatMs = 10_000;

/** True when a process with `pid` exists on this host (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
  // pid 0 and negatives address process groups; they never name a lock owner.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user; ESRCH: no such process.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether anyone is driving an experiment, judged from its lock (see {@link lockStatus}). */
export type LockStatus =
  | { readonly state: 'none' }
  | { readonly state: 'held'; readonly lock: ExperimentLock }
  | { readonly state: 'expired'; readonly lock: ExperimentLock }
  | { readonly state: 'dead'; readonly lock: ExperimentLock }
  /** A lock from another host written before leases existed: nothing here can tell whether it is alive. */
  | { readonly state: 'unknown'; readonly lock: ExperimentLock };

/**
 * Judges `lock` at `now` from this host: `expired` once its lease ran out (whatever host wrote it), `dead` when
 * its pid is gone on this host, `held` otherwise. Used by `hpo status` and `hpo unlock` to explain a lock.
 */
export function lockStatus(
  lock: ExperimentLock | undefined,
  now: Date = new Date(),
  host: string = hostname(),
): LockStatus {
  if (lock === undefined) return { state: 'none' };
  if (lock.expiresAt !== undefined && Date.parse(lock.expiresAt) <= now.getTime()) return { state: 'expired', lock };
  if (lock.host === host) return isProcessAlive(lock.pid) ? { state: 'held', lock } : { state: 'dead', lock };
  return lock.expiresAt === undefined ? { state: 'unknown', lock } : { state: 'held', lock };
}
