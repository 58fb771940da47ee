/**
 * Keeps a running controller's lease on its experiment lock alive. The store's lock expires unless renewed
 * (`lockLeaseMs`), so that a controller that died on another host (a container restarted under a new
 * hostname) does not block the experiment for ever; in exchange a controller that finds its lease gone
 * (expired while it was stalled and taken over, or removed by `hpo unlock --force`) must stop at once.
 */
import { lockHeartbeatMs } from '../store/locks.ts';
import type { ExperimentRef, Store } from '../store/types.ts';

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
