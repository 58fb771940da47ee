/**
 * Keeps a running controller's lease on its experiment lock alive. The store's lock expires unless renewed
 * (`lockLeaseMs`), so that a controller that died on another host (a container restarted under a new
 * hostname) does not block the experiment for ever; in exchange a controller that finds its lease gone
 * (expired while it was stalled and taken over, or removed by `hpo unlock --force`) must stop at once.
 */
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { lockHeartbeatMs } from '../store/locks.ts';
import {
  defaultNamespace,
  describeExperimentKey,
  type ExperimentKey,
  type ExperimentRef,
  type Store,
} from '../store/types.ts';
import { activeWorkers } from './sharedTrials.ts';

/** Options of {@link keepLease}. */
export interface KeepLeaseOptions {
  readonly store: Store;
  readonly experiment: ExperimentRef;
  /** Called once when a renewal finds that this process no longer holds the lock. */
  readonly onLost: () => void;
  /** Time between renewals; default {@link lockHeartbeatMs}. */
  readonly everyMs?: number;
}

/** Renews the lock of `experiment` held by this process until `stop()`; started by `Experiment.run`. */
export function keepLease(o: KeepLeaseOptions): { stop(): void } {
  let stopped = false;
  let renewing = false;
  const beat = async (): Promise<void> => {
    let held: boolean;
    try {
      held = await o.store.renewExperimentLock(o.experiment);
    } catch {
      // A busy or briefly unreadable store: try again at the next beat, well before the lease runs out.
      return;
    }
    if (held || stopped) return;
    stopped = true;
    clearInterval(timer);
    o.onLost();
  };
  const timer = setInterval(() => {
    // One renewal at a time: a store slow to answer is not asked again until it did.
    if (renewing || stopped) return;
    renewing = true;
    void beat().finally(() => {
      renewing = false;
    });
  }, o.everyMs ?? lockHeartbeatMs);
  // The heartbeat alone must not keep a finished program alive.
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** The experiments a controller of this process holds, by store and key (see {@link takeControllerLock}). */
const heldHere = new Set<string>();
const memoryStores = new WeakMap<Store, number>();
let memoryStoreCount = 0;

/** Where `key` lives: the store's location, or for a throw-away in-memory store, that very store. */
function heldHereKey(store: Store, key: ExperimentKey): string {
  let place = store.location;
  if (place === ':memory:') {
    if (!memoryStores.has(store)) memoryStores.set(store, memoryStoreCount++);
    place = `:memory:${memoryStores.get(store)}`;
  }
  return JSON.stringify([place, key.namespace, key.name]);
}

/**
 * Releases what {@link takeControllerLock} took: this process's claim, and the store's lock unless `inStore` is false
 * (a lease lost to another controller is no longer ours to release).
 */
export async function releaseControllerLock(store: Store, key: ExperimentKey, inStore = true): Promise<void> {
  heldHere.delete(heldHereKey(store, key));
  if (inStore) await store.releaseExperimentLock(key);
}

/**
 * Takes the experiment's lock for a single controller (`run()`, `optimize()`, an ask/tell session), or throws
 * `conflict` saying who drives it: another live controller, or workers holding trial leases (a controller would
 * recover their running trials as orphans). A lock left by a dead process, or expired, is taken over.
 */
export async function takeControllerLock(store: Store, key: ExperimentKey, now: Date): Promise<void> {
  const name = describeExperimentKey(key);
  const here = heldHereKey(store, key);
  // The store's lock belongs to a process, so it would let a second controller of this process in.
  if (heldHere.has(here)) {
    throw new WorkbenchError(
      ErrorCode.conflict,
      `experiment '${name}' is already run by another controller of this process (another run(), optimize() or ask/tell session on it); wait for it to end, or join it with optimize(objective, { join: true })`,
    );
  }
  if (await store.acquireExperimentLock(key)) {
    const workers = await activeWorkers(store, key, now);
    if (workers.length === 0) {
      heldHere.add(here);
      return;
    }
    await store.releaseExperimentLock(key);
    throw new WorkbenchError(
      ErrorCode.conflict,
      `experiment '${name}' is being worked by ${workers.length} worker(s) (${workers.join(', ')}); a single controller must not run it meanwhile: join it with \`hpo worker ${name}\` (or optimize(objective, { join: true })) instead, or wait until they end`,
    );
  }
  const held = await store.getExperimentLock(key);
  const beat = held?.heartbeatAt === undefined ? '' : `, last heartbeat ${held.heartbeatAt}`;
  throw new WorkbenchError(
    ErrorCode.conflict,
    `experiment '${name}' is being run by process ${held?.pid ?? '?'} on ${held?.host ?? 'another host'} since ${held?.acquiredAt ?? '?'}${beat}; wait for it or stop it first (if that controller is gone for good: hpo unlock ${name} --force)`,
  );
}

/**
 * {@link keepLease} for a controller that took the lock with {@link takeControllerLock}: a lost lease is recorded as
 * a `ControllerLockLost` event (best effort) before `onLost` stops the controller.
 */
export function holdControllerLease(
  store: Store,
  key: ExperimentKey,
  now: () => Date,
  onLost: () => void,
): { stop(): void } {
  return keepLease({
    store,
    experiment: key,
    onLost: () => {
      // The event is for the record; stopping must not wait for it nor fail with it.
      void store
        .addEvent({
          experiment: key.name,
          ...(key.namespace === defaultNamespace ? {} : { namespace: key.namespace }),
          type: 'Warning',
          reason: 'ControllerLockLost',
          message: `process ${process.pid} lost the experiment lock (its lease expired and was taken over, or hpo unlock --force removed it); it stops its trials so that only one controller drives the experiment`,
          time: now().toISOString(),
        })
        .catch(() => undefined);
      onLost();
    },
  });
}
