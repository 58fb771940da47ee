/**
 * `hpo unlock` and the "who is running this?" line of `hpo status`: both read the experiment's controller lock
 * (a lease, see `store/locks.ts`) and say in plain words whether a controller holds it and what to do.
 */

/** What `hpo status` reports about the controller of an experiment. */
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

function holder(l: ExperimentLock): string {
  const beat = l.heartbeatAt === undefined ? 'no heartbeat recorded' : `last heartbeat ${l.heartbeatAt}`;
  return `process ${l.pid} on host ${l.host} since ${l.acquiredAt} (${beat})`;
}

/** Judges the controller of `exp` from its lock; only an experiment that has not finished needs one. */
export function controllerReport(store: Store, exp: ExperimentRecord): ControllerReport {
  const status = lockStatus(store.getExperimentLock(exp.name));
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
        return `run by ${holder(status.lock)}`;
      case 'none':
        return finished
          ? 'none (the experiment has finished)'
          : `none: no hpo process is running this experiment; ${resume}`;
      case 'expired':
        return `none: the lease of ${holder(status.lock)} expired at ${status.lock.expiresAt}, so no controller is running this experiment; ${resume}`;
      case 'dead':
        return `none: ${holder(status.lock)} is no longer running (killed or crashed); ${resume}`;
      case 'unknown':
        return `unknown: locked by ${holder(status.lock)}, written before leases, so whether it still runs cannot be checked from here; if it is gone, \`hpo unlock ${exp.name} --force\`, then \`hpo resume ${exp.name}\``;
    }
  })();
  return { ...base, message };
}

/** Options of {@link unlockCommand}. */
export interface UnlockOptions {
  store?: string;
  force?: boolean;
}

/**
 * `hpo unlock NAME [--force]`: removes the controller lock of an experiment. Without `--force` it only explains
 * who holds it and exits 2; a stale lock needs no unlock at all, since `hpo resume` takes it over by itself.
 */
export function unlockCommand(
  name: string,
  opts: UnlockOptions,
  io: { out: (s: string) => void; err: (s: string) => void },
): number {
  const store = openStore(opts.store);
  try {
    const lock = store.getExperimentLock(name);
    if (lock === undefined) {
      if (store.getExperiment(name) === undefined) {
        throw new WorkbenchError(
          ErrorCode.notFound,
          `no experiment '${name}' and no lock for it in store ${store.root}`,
        );
      }
      io.out(`experiment '${name}' has no controller lock; nothing to unlock`);
      return 0;
    }
    const status = lockStatus(lock);
    if (!opts.force) {
      io.err(`experiment '${name}' is locked by ${holder(lock)}.`);
      if (status.state === 'expired' || status.state === 'dead') {
        io.err(`That lock is stale (${status.state}): \`hpo resume ${name}\` takes it over by itself.`);
      }
      io.err(
        `Removing a lock is safe only when its controller is gone: if it still runs, two controllers would launch trials for '${name}'. To remove it anyway: hpo unlock ${name} --force`,
      );
      return 2;
    }
    const removed = store.forceReleaseExperimentLock(name) ?? lock;
    io.out(`removed the lock of experiment '${name}' held by ${holder(removed)}`);
    if (status.state === 'held' || status.state === 'unknown') {
      io.err(
        `warning: that controller may still be running; if it is, two controllers may now write to '${name}' (stop process ${removed.pid} on ${removed.host})`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
}

import {
  ErrorCode,
  type ExperimentLock,
  type ExperimentRecord,
  type LockStatus,
  lockStatus,
  openStore,
  type Store,
  WorkbenchError,
} from '../index.ts';
