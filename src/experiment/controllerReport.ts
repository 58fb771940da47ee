import { type LockStatus, lockStatus } from '../store/lockStatus.ts';
import type { ExperimentLock, ExperimentRecord, Store } from '../store/types.ts';

/** Whether a controller drives an experiment, as `hpo status` and {@link ExperimentReader} report it. */
export interface ControllerReport {
  /** True when a live controller holds the lock (or one on another host whose lease has not run out). */
  readonly running: boolean;
  readonly lock: LockStatus['state'];
  readonly pid?: number;
  readonly host?: string;
  readonly heartbeatAt?: string;
  readonly expiresAt?: string;
  /** One sentence for a person: who runs it, or that nobody does and how to continue. */
  readonly message: string;
}

/** Names a lock's holder for a person: process, host, since when, last heartbeat (`hpo unlock`, `hpo status`). */
export function describeLockHolder(l: ExperimentLock): string {
  const beat = l.heartbeatAt === undefined ? 'no heartbeat recorded' : `last heartbeat ${l.heartbeatAt}`;
  return `process ${l.pid} on host ${l.host} since ${l.acquiredAt} (${beat})`;
}

/**
 * Judges the controller of `exp` from its lock at `now`; only an experiment that has not finished needs one.
 * Reads the store only.
 */
export async function controllerReport(
  store: Store,
  exp: ExperimentRecord,
  now: Date = new Date(),
): Promise<ControllerReport> {
  const status = lockStatus(await store.getExperimentLock({ namespace: exp.namespace, name: exp.name }), now);
  const finished = exp.phase === 'Succeeded' || exp.phase === 'Failed';
  const base =
    status.state === 'none'
      ? { running: false, lock: status.state }
      : {
          running: status.state === 'held',
          lock: status.state,
          pid: status.lock.pid,
          host: status.lock.host,
          ...(status.lock.heartbeatAt === undefined ? {} : { heartbeatAt: status.lock.heartbeatAt }),
          ...(status.lock.expiresAt === undefined ? {} : { expiresAt: status.lock.expiresAt }),
        };
  const resume = `continue it with \`hpo resume ${exp.name}\``;
  const message = (() => {
    switch (status.state) {
      case 'held':
        return `run by ${describeLockHolder(status.lock)}`;
      case 'none':
        return finished
          ? 'none (the experiment has finished)'
          : `none: no hpo process is running this experiment; ${resume}`;
      case 'expired':
        return `none: the lease of ${describeLockHolder(status.lock)} expired at ${status.lock.expiresAt}, so no controller is running this experiment; ${resume}`;
      case 'dead':
        return `none: ${describeLockHolder(status.lock)} is no longer running (killed or crashed); ${resume}`;
      case 'unknown':
        return `unknown: locked by ${describeLockHolder(status.lock)}, written before leases, so whether it still runs cannot be checked from here; if it is gone, \`hpo unlock ${exp.name} --force\`, then \`hpo resume ${exp.name}\``;
    }
  })();
  return { ...base, message };
}
