import type { EventRow, Store, TrialPatch, TrialRecord } from '../store/types.ts';
import type { TrialExecutor } from '../trial/executor.ts';

/** What {@link recoverOrphans} writes through: the controller's own trial patch and event writers. */
export interface RecoveryWriter {
  readonly store: Store;
  readonly executor: TrialExecutor;
  patch(name: string, patch: TrialPatch): Promise<unknown>;
  event(type: EventRow['type'], reason: string, message: string, trial?: string): Promise<void>;
  /** The controller's clock, as RFC3339. */
  iso(): string;
}

/**
 * Trials left Pending or Running by a previous process that died (kill -9, power loss) are recorded as Killed
 * with a reason, after the executor stopped what may remain of them (its notes become the trials' events); their
 * slots are issued again. Completed trials are kept as they are. Called once when a controller begins.
 */
export async function recoverOrphans(trials: Iterable<TrialRecord>, w: RecoveryWriter): Promise<void> {
  const orphans = [...trials].filter((t) => t.state === 'Pending' || t.state === 'Running');
  if (orphans.length === 0) return;
  const notes = orphans.map((t) => w.executor.recover?.(t) ?? []);
  await w.store.transaction(async () => {
    for (const [i, t] of orphans.entries()) {
      for (const n of notes[i] ?? []) await w.event(n.type, n.reason, n.message, t.name);
    }
    for (const t of orphans) {
      await w.patch(t.name, {
        state: 'Killed',
        reason: 'ControllerRestarted',
        message: `Trial was ${t.state.toLowerCase()} when the controller stopped; its slot is issued again`,
        completedAt: w.iso(),
      });
    }
    await w.event('Warning', 'TrialsRecovered', `${orphans.length} interrupted trial(s) recorded as Killed`);
  });
}
