/**
 * The store-side rules of a shared experiment, where several workers (`hpo worker`, one per process or machine)
 * drive one experiment through one store instead of one controller holding its lock. Every rule is atomic under
 * the store's write lock ({@link Store.lockForWrite}), so what it counts cannot change before it commits:
 * - {@link claimTrials}: a worker turns the algorithm's suggestions into trials only within the budget
 *   (trials that are not Killed never exceed `maxTrialCount`) and its own `parallelTrialCount`, each with a lease;
 *   the algorithm state and the trial history the suggestions were made from are compared and set, so two workers
 *   never overwrite each other's state nor store suggestions made blind to each other's trials
 *   (Store.claimTrialSlots). Every claim holds the experiment's turn (Store.lockTurn); {@link claimIn} is the same
 *   rule inside the caller's turn, a worker's, whose reads, algorithm answer and claim commit together, so that its
 *   compare-and-set does not fail.
 * - {@link reclaimExpired}: a trial whose lease ran out (its worker was killed, or cut off from the store) is
 *   stored Killed, reason `LeaseExpired`. As with Katib's Killed trials, its slot of the budget is issued again, to a
 *   new trial: a trial name is never run twice, which is what makes fencing simple.
 * - {@link writeUnderLease}, {@link writeUnderLeases}: every write about a running trial (Running, observations, its
 *   end) checks that the writer's lease token is still there; a worker whose trial was reclaimed stores nothing. A
 *   worker's trial ends of a round go through Store.endLeasedTrials, the same rule in one store call.
 *   {@link appendUnderLeases} does the same for the observations of all of a worker's running trials at once (its
 *   periodic flush).
 */
import type {
  ExperimentKey,
  ObservationRow,
  Store,
  TransactionOptions,
  TrialLease,
  TrialRecord,
} from '../store/types.ts';

// No rule catches a failed write of its own: a failure fails the rule, so the store may skip per-write savepoints.
const allOrNothing: TransactionOptions = { allOrNothing: true };

/** Who claims, and the lease terms. */
export interface LeaseHolder {
  /** The worker id (unique per process; see `ExperimentWorker`). */
  readonly worker: string;
  /** How long a lease lasts without a heartbeat. */
  readonly leaseMs: number;
}

/** What {@link claimTrials} needs. */
export interface SlotClaim extends LeaseHolder {
  readonly experiment: ExperimentKey;
  /** The clock of the lease times. */
  readonly now: Date;
  /** The experiment's budget; undefined for none. */
  readonly maxTrialCount: number | undefined;
  /** How many trials this worker may hold at once (its `parallelTrialCount`). */
  readonly parallel: number;
  /** The algorithm state the suggestions were made from, as loaded; the claim is stale if the store's differs. */
  readonly stateBefore: unknown;
  /**
   * The next trial seq when the worker read the trials it sent the algorithm; the claim is stale if trials were
   * added since, so every suggestion was made knowing every trial claimed before it (running ones included), and
   * two workers never store the same point twice from one history. Undefined skips the check.
   */
  readonly nextSeqSeen?: number;
  /**
   * The names of the trials read with `nextSeqSeen`: with it the claim names its trials apart from these instead of
   * listing the experiment's trials again (when the seq check passes, no trial was added since, so none is missing).
   */
  readonly known?: { has(name: string): boolean };
  /** The algorithm's new state, saved with the trials; undefined leaves the state as it is. */
  readonly stateAfter: unknown;
  /** One builder per suggestion: the trial record for sequence number `seq`, named apart from `taken`. */
  readonly trials: readonly ((seq: number, taken: { has(name: string): boolean }) => TrialRecord)[];
  /** Draws a fencing token (unique per lease). */
  readonly token: () => string;
}

/** A trial a worker claimed, with the token its writes must show. */
export interface ClaimedTrial {
  readonly record: TrialRecord;
  readonly token: string;
}

/** What {@link claimTrials} did: trials claimed (possibly none: no slot left), or nothing because the state moved. */
export type ClaimResult =
  | { readonly kind: 'claimed'; readonly trials: readonly ClaimedTrial[] }
  | { readonly kind: 'stale' };

/**
 * Stores as many of the suggestions as the budget and the worker's parallelism allow, atomically, each as a
 * Pending trial leased to the worker, within the experiment's turn (Store.lockTurn: every claim holds it). Stale
 * (nothing written) when another worker saved a different algorithm state since `stateBefore` was loaded: the
 * caller asks the algorithm again from the current state.
 */
export async function claimTrials(store: Store, c: SlotClaim): Promise<ClaimResult> {
  return store.transaction(async (tx) => {
    await tx.lockTurn(c.experiment);
    return claimIn(tx, c);
  }, allOrNothing);
}

/**
 * {@link claimTrials} inside the caller's transaction `tx`, which holds the experiment's turn (a worker's turn, see
 * Store.lockTurn, whose reads and claim then commit together). The trials are numbered and named from the history
 * the caller read (`nextSeqSeen`, `known`), or else from the store's now, and the store keeps what fits
 * (Store.claimTrialSlots: one statement on PostgreSQL).
 */
export async function claimIn(tx: Store, c: SlotClaim): Promise<ClaimResult> {
  const seen = c.nextSeqSeen !== undefined && c.known !== undefined;
  const nextSeq = c.nextSeqSeen ?? (await tx.tallyTrials(c.experiment)).nextSeq;
  const known = seen ? c.known : new Set((await tx.listTrials(c.experiment)).map((t) => t.name));
  const added = new Set<string>();
  const taken = { has: (name: string) => added.has(name) || (known?.has(name) ?? false) };
  const claimed: ClaimedTrial[] = [];
  for (const [i, build] of c.trials.entries()) {
    const record = build(nextSeq + i, taken);
    added.add(record.name);
    claimed.push({ record, token: c.token() });
  }
  if (claimed.length === 0) return { kind: 'claimed', trials: [] };
  const grant = await tx.claimTrialSlots({
    experiment: c.experiment,
    worker: c.worker,
    trials: claimed.map((t) => t.record),
    tokens: claimed.map((t) => t.token),
    heartbeatAt: c.now.toISOString(),
    expiresAt: new Date(c.now.getTime() + c.leaseMs).toISOString(),
    nextSeq,
    stateBefore: c.stateBefore,
    stateAfter: c.stateAfter,
    maxTrialCount: c.maxTrialCount,
    parallel: c.parallel,
  });
  return grant.kind === 'stale' ? grant : { kind: 'claimed', trials: claimed.slice(0, grant.count) };
}

/**
 * Runs `fn` in one transaction if `token` still holds the lease of `trial`, and returns whether it did. A worker
 * whose lease was reclaimed (it stalled, or was cut off from the store past its lease) gets false and must stop
 * the trial: its slot belongs to another trial now.
 */
export async function writeUnderLease(
  store: Store,
  experiment: ExperimentKey,
  lease: { readonly trial: string; readonly token: string },
  fn: (tx: Store) => Promise<void>,
): Promise<boolean> {
  const held = await writeUnderLeases(store, experiment, [lease], (tx) => fn(tx));
  return held.size === 1;
}

/**
 * {@link writeUnderLease} for several trials in one transaction (a worker's trials that started or ended in one
 * round): `fn` runs once, for the trials whose tokens still hold their leases, and their names are returned. One
 * transaction instead of one per trial: every transaction waits for the store's write lock, which all workers share.
 * The transaction is all-or-nothing ({@link TransactionOptions}): `fn` must not catch a failed write and go on.
 */
export async function writeUnderLeases<T extends { readonly trial: string; readonly token: string }>(
  store: Store,
  experiment: ExperimentKey,
  leases: readonly T[],
  fn: (tx: Store, held: readonly T[]) => Promise<void>,
): Promise<Set<string>> {
  if (leases.length === 0) return new Set();
  return store.transaction(async (tx) => {
    await tx.lockForWrite();
    const tokens = new Map((await tx.listTrialLeases(experiment)).map((l) => [l.trial, l.token]));
    const held = leases.filter((l) => tokens.get(l.trial) === l.token);
    if (held.length > 0) await fn(tx, held);
    return new Set(held.map((l) => l.trial));
  }, allOrNothing);
}

/** Observations of one running trial, and the lease token its worker holds. */
export interface LeasedRows {
  readonly trial: string;
  readonly token: string;
  readonly rows: readonly ObservationRow[];
}

/**
 * Appends each batch's observations, in one transaction, if its token still holds the trial's lease; returns the
 * trials whose lease was gone (their rows were not written). A worker's heartbeat flushes its running trials so.
 */
export async function appendUnderLeases(
  store: Store,
  experiment: ExperimentKey,
  batches: readonly LeasedRows[],
): Promise<string[]> {
  const held = await writeUnderLeases(store, experiment, batches, async (tx, mine) => {
    for (const b of mine) await tx.appendObservations(experiment, b.rows);
  });
  return batches.filter((b) => !held.has(b.trial)).map((b) => b.trial);
}

/** What {@link reclaimExpired} wrote about one trial. */
export interface ReclaimedTrial {
  readonly trial: string;
  /** The worker that held it. */
  readonly worker: string;
}

/**
 * Stores every trial whose lease expired before `now` as Killed (reason `LeaseExpired`) and drops its lease, in one
 * transaction; any worker calls it before it counts the budget. Returns what it reclaimed.
 */
export async function reclaimExpired(store: Store, experiment: ExperimentKey, now: Date): Promise<ReclaimedTrial[]> {
  // Looked for first without the write lock, which every worker calls for each round: nearly always nothing expired,
  // and a read does not queue behind the other workers' writes. What it finds is checked again under the lock.
  const expiredAt = (l: TrialLease): boolean => Date.parse(l.expiresAt) < now.getTime();
  if (!(await store.listTrialLeases(experiment)).some(expiredAt)) return [];
  return store.transaction(async (tx) => {
    await tx.lockForWrite();
    const expired = (await tx.listTrialLeases(experiment)).filter(expiredAt);
    const iso = now.toISOString();
    for (const l of expired) {
      const t = await tx.getTrial(experiment, l.trial);
      if (t !== undefined && (t.state === 'Pending' || t.state === 'Running')) {
        const message = `worker ${l.worker} stopped renewing its lease (last heartbeat ${l.heartbeatAt}); the trial's slot is issued again`;
        await tx.updateTrial(experiment, l.trial, {
          state: 'Killed',
          reason: 'LeaseExpired',
          message,
          completedAt: iso,
        });
        await tx.addEvent({
          experiment: experiment.name,
          ...(t.namespace === undefined ? {} : { namespace: t.namespace }),
          trial: l.trial,
          type: 'Warning',
          reason: 'LeaseExpired',
          message,
          time: iso,
        });
      }
      await tx.deleteTrialLease(experiment, l.trial);
    }
    return expired.map((l) => ({ trial: l.trial, worker: l.worker }));
  }, allOrNothing);
}

/**
 * The workers that hold unexpired trial leases on the experiment: a single controller (`hpo run`, `optimize()`)
 * refuses to drive an experiment that workers are working, since it would recover their running trials as orphans.
 */
export async function activeWorkers(store: Store, experiment: ExperimentKey, now: Date): Promise<string[]> {
  const live = (await store.listTrialLeases(experiment)).filter((l) => Date.parse(l.expiresAt) >= now.getTime());
  return [...new Set(live.map((l) => l.worker))].sort();
}
