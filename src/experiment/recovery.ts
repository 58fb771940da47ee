import type { EventRow, Store, TrialPatch, TrialRecord } from '../store/types.ts';
import type { TrialExecutor } from '../trial/executor.ts';

/** What {@link recoverOrphans} writes through: the controller's own trial patch and event writers. */
export interface RecoveryWriter {
  readonly store: Store;
  readonly executor: TrialExecutor;
  patch(name: string, patch: TrialPatch): void;
  event(type: EventRow['type'], reason: string, message: string, trial?: string): void;
  /** The controller's clock, as RFC3339. */
  iso(): string;
}

/**
 * Trials left Pending or Running by a previous process that died (kill -9, power loss) are recorded as Killed
 * with a reason, after the executor stopped what may remain of them (its notes become the trials' events); their
 * slots are issued again. Completed trials are kept as they are. Called once when a controller begins.
 */
export function recoverOrphans(trials: Iterable<TrialRecord>, w: RecoveryWriter): void {
  const orphans = [...trials].filter((t) => t.state === 'Pending' || t.state === 'Running');
  if (orphans.length === 0) return;
  const notes = orphans.map((t) => w.executor.recover?.(t) ?? []);
  w.store.transaction(() => {
    orphans.forEach((t, i) => {
      for (const n of notes[i] ?? []) w.event(n.type, n.reason, n.message, t.name);
    });
    for (const t of orphans) {
      w.patch(t.name, {
        state: 'Killed',
        reason: 'ControllerRestarted',
        message: `Trial was ${t.state.toLowerCase()} when the controller stopped; its slot is issued again`,
        completedAt: w.iso(),
      });
    }
    w.event('Warning', 'TrialsRecovered', `${orphans.length} interrupted trial(s) recorded as Killed`);
  });
}
