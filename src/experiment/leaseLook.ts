/**
 * When a shared-experiment worker must read the leases for expired ones (sharedTrials.ts reclaimExpired): only when
 * its last look at the store (Store.pollExperiment, every round) says one may have expired, which saves a read per
 * round of every worker.
 */

/** What the last look found about the leases. */
export interface LeaseLook {
  /** When the look was sent (epoch ms, the worker's clock). */
  readonly polledAt: number;
  /** The earliest lease expiry it found (epoch ms); undefined for no lease. */
  readonly expireAt: number | undefined;
}

/**
 * Whether a lease may have expired by `now` (epoch ms). The leases the look saw expire no earlier than it said (a
 * renewal only moves an expiry later), and a lease claimed since expires a lease length after its claimer stamped
 * it, which is after the look or, for a claim asked outside the turns and stamped before it waited for one, rarely
 * more than a round (half a heartbeat) before it; so a look older than a lease length less a round is not trusted.
 * At worst an expiry is noticed a round later. No look yet: true.
 */
export function mayHaveExpired(
  look: LeaseLook | undefined,
  now: number,
  o: { readonly leaseMs: number; readonly heartbeatMs: number },
): boolean {
  if (look === undefined || now - look.polledAt >= o.leaseMs - o.heartbeatMs / 2) return true;
  return look.expireAt !== undefined && look.expireAt < now;
}
