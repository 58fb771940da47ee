/**
 * `hpo unlock` and the "who is running this?" line of `hpo status`: both read the experiment's controller lock
 * (a lease, see `store/locks.ts`) and say in plain words whether a controller holds it and what to do.
 */

// The report itself lives in the library (ExperimentReader.controller() gives notebooks the same words).
export { controllerReport } from '../index.ts';

/** Options of {@link unlockCommand}. */
export interface UnlockOptions {
  store?: string;
  /** The experiment's namespace; without it, that of the one experiment of this name (else `default`). */
  namespace?: string;
  force?: boolean;
}

/**
 * `hpo unlock NAME [--force]`: removes the controller lock of an experiment. Without `--force` it only explains
 * who holds it and exits 2; a stale lock needs no unlock at all, since `hpo resume` takes it over by itself.
 */
export async function unlockCommand(
  name: string,
  opts: UnlockOptions,
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  const store = openStore(opts.store);
  try {
    const key = { namespace: opts.namespace ?? (await namespaceOf(store, name)), name };
    const lock = await store.getExperimentLock(key);
    if (lock === undefined) {
      if ((await store.getExperiment(key)) === undefined) {
        throw new WorkbenchError(
          ErrorCode.notFound,
          `no experiment '${name}' and no lock for it in store ${store.location}`,
        );
      }
      io.out(`experiment '${name}' has no controller lock; nothing to unlock`);
      return 0;
    }
    const status = lockStatus(lock);
    if (!opts.force) {
      io.err(`experiment '${name}' is locked by ${describeLockHolder(lock)}.`);
      if (status.state === 'expired' || status.state === 'dead') {
        io.err(`That lock is stale (${status.state}): \`hpo resume ${name}\` takes it over by itself.`);
      }
      io.err(
        `Removing a lock is safe only when its controller is gone: if it still runs, two controllers would launch trials for '${name}'. To remove it anyway: hpo unlock ${name} --force`,
      );
      return 2;
    }
    const removed = (await store.forceReleaseExperimentLock(key)) ?? lock;
    io.out(`removed the lock of experiment '${name}' held by ${describeLockHolder(removed)}`);
    if (status.state === 'held' || status.state === 'unknown') {
      io.err(
        `warning: that controller may still be running; if it is, two controllers may now write to '${name}' (stop process ${removed.pid} on ${removed.host})`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}

import {
  defaultNamespace,
  describeLockHolder,
  ErrorCode,
  lockStatus,
  openStore,
  type Store,
  WorkbenchError,
} from '../index.ts';

/** The namespace of the one stored experiment called `name`, else `default` (a lock may outlive its experiment). */
async function namespaceOf(store: Store, name: string): Promise<string> {
  const found = (await store.listExperiments()).filter((e) => e.name === name);
  if (found.length > 1) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `experiment '${name}' is in several namespaces (${found.map((e) => e.namespace).join(', ')}); pick one with --namespace`,
    );
  }
  return found[0]?.namespace ?? defaultNamespace;
}
