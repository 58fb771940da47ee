import type { SlotGrant, SlotRequest, Store, TrialLease } from './types.ts';

/** Whether two algorithm states are the same value (states are plain JSON, see Store.saveAlgorithmState). */
export function sameState(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The leases of a claim's first `count` trials. */
export function slotLeases(r: SlotRequest, count: number): TrialLease[] {
  return r.trials.slice(0, count).map((t, i) => ({
    experiment: t.experiment,
    ...(t.namespace === undefined ? {} : { namespace: t.namespace }),
    trial: t.name,
    worker: r.worker,
    token: r.tokens[i] ?? '',
    heartbeatAt: r.heartbeatAt,
    expiresAt: r.expiresAt,
  }));
}

/**
 * {@link Store.claimTrialSlots} from the store's other calls, in the caller's transaction or one of its own, under
 * the write lock: compare the algorithm state and the next seq, count the budget and the worker's leases, then store
 * the prefix that fits. The SQLite store uses it as it is; PostgreSQL does the same in one statement.
 */
export async function claimTrialSlotsIn(store: Store, r: SlotRequest): Promise<SlotGrant> {
  return store.transaction(
    async (tx) => {
      await tx.lockForWrite();
      if (!sameState(await tx.loadAlgorithmState(r.experiment), r.stateBefore)) return { kind: 'stale' };
      // Killed trials give their slot back (Katib's rule, see status.ts budgetUsed); every other trial holds one.
      const tally = await tx.tallyTrials(r.experiment);
      if (tally.nextSeq !== r.nextSeq) return { kind: 'stale' };
      const mine = (await tx.listTrialLeases(r.experiment)).filter((l) => l.worker === r.worker).length;
      const left = r.maxTrialCount === undefined ? Number.POSITIVE_INFINITY : r.maxTrialCount - tally.holding;
      const count = Math.max(0, Math.min(r.trials.length, left, r.parallel - mine));
      if (count === 0) return { kind: 'claimed', count: 0 };
      await tx.insertTrials(r.trials.slice(0, count));
      await tx.putTrialLeases(slotLeases(r, count));
      if (r.stateAfter !== undefined) await tx.saveAlgorithmState(r.experiment, r.stateAfter);
      return { kind: 'claimed', count };
    },
    { allOrNothing: true },
  );
}
