import type { ExperimentRef, LeasedTrialEnd, Store } from './types.ts';

/**
 * {@link Store.endLeasedTrials} from the store's other calls, in one all-or-nothing transaction under the write lock:
 * the leases are read, the ends whose token still holds are written (every row in one append, then each patch), and
 * their leases removed. The SQLite store uses it as it is (its statements cost no round trip); PostgreSQL has its
 * own single statement.
 */
export async function endLeasedTrialsIn(
  store: Store,
  experiment: ExperimentRef,
  ends: readonly LeasedTrialEnd[],
): Promise<string[]> {
  if (ends.length === 0) return [];
  return store.transaction(
    async (tx) => {
      await tx.lockForWrite();
      const tokens = new Map((await tx.listTrialLeases(experiment)).map((l) => [l.trial, l.token]));
      const held = ends.filter((e) => tokens.get(e.trial) === e.token);
      if (held.length === 0) return [];
      const rows = held.flatMap((e) => e.rows);
      if (rows.length > 0) await tx.appendObservations(experiment, rows);
      for (const e of held) await tx.updateTrial(experiment, e.trial, e.patch);
      const names = held.map((e) => e.trial);
      await tx.deleteTrialLeases(experiment, names);
      return names;
    },
    { allOrNothing: true },
  );
}
