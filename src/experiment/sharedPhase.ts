/**
 * The experiment phase of a shared experiment, written by whichever of its workers gets there first: each write is
 * one store transaction under the store's write lock that first re-reads the phase, so two workers never both mark
 * it Running nor both store a verdict (the first verdict stands; see worker.ts).
 */
import {
  defaultNamespace,
  type EventRow,
  type ExperimentKey,
  type ExperimentRecord,
  type Store,
} from '../store/types.ts';
import { ExperimentReason } from './status.ts';

/** How event rows name the experiment `key`: its name, and its namespace unless `default`. */
function owner(key: ExperimentKey): { experiment: string; namespace?: string } {
  return key.namespace === defaultNamespace
    ? { experiment: key.name }
    : { experiment: key.name, namespace: key.namespace };
}

/** A final phase with the reason and message Katib's completion rules give it. */
export interface SharedVerdict {
  readonly phase: Extract<ExperimentRecord['phase'], 'Succeeded' | 'Failed'>;
  readonly reason: string;
  readonly message: string;
}

/**
 * Stores `verdict` and its event unless the experiment already has a final phase (another worker stored one first);
 * returns the event it stored, or undefined when it stored nothing.
 */
export async function storeSharedVerdict(
  store: Store,
  key: ExperimentKey,
  verdict: SharedVerdict,
  now: Date,
): Promise<EventRow | undefined> {
  const iso = now.toISOString();
  return store.transaction(async (tx) => {
    await tx.lockForWrite();
    const current = await tx.getExperiment(key);
    if (current === undefined || current.phase === 'Succeeded' || current.phase === 'Failed') return undefined;
    const { phase, reason, message } = verdict;
    await tx.updateExperiment(key, { phase, reason, message, updatedAt: iso, completedAt: iso });
    const ev: EventRow = { ...owner(key), type: phase === 'Failed' ? 'Warning' : 'Normal', reason, message, time: iso };
    await tx.addEvent(ev);
    return ev;
  });
}

/** Marks a Created or Restarting experiment Running, with its event; the first worker to claim a trial does. */
export async function markSharedRunning(store: Store, key: ExperimentKey, now: Date): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.lockForWrite();
    const current = await tx.getExperiment(key);
    if (current?.phase !== 'Created' && current?.phase !== 'Restarting') return;
    const iso = now.toISOString();
    const message = 'Experiment is running';
    await tx.updateExperiment(key, { phase: 'Running', reason: ExperimentReason.running, message, updatedAt: iso });
    await tx.addEvent({ ...owner(key), type: 'Normal', reason: ExperimentReason.running, message, time: iso });
  });
}
