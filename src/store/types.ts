import type { Assignment } from '../search/space.ts';
import type { TrialState } from '../search/types.ts';
import type { ExperimentManifest } from '../spec/types.ts';

/** The namespace of an experiment whose manifest names none (Kubernetes' and Katib's default). */
export const defaultNamespace = 'default';

/** What names a stored experiment: as in Kubernetes, a name is unique within its namespace. */
export interface ExperimentKey {
  readonly namespace: string;
  readonly name: string;
}

/** An experiment by its key, or by its bare name in namespace {@link defaultNamespace}. */
export type ExperimentRef = string | ExperimentKey;

/** The key an {@link ExperimentRef} stands for. */
export function experimentKey(ref: ExperimentRef): ExperimentKey {
  return typeof ref === 'string' ? { namespace: defaultNamespace, name: ref } : ref;
}

/** An experiment as messages name it: `name` in the default namespace, else `namespace/name`. */
export function describeExperimentKey(ref: ExperimentRef): string {
  const k = experimentKey(ref);
  return k.namespace === defaultNamespace ? k.name : `${k.namespace}/${k.name}`;
}

/** Katib's experiment condition types. */
export type ExperimentPhase = 'Created' | 'Running' | 'Restarting' | 'Succeeded' | 'Failed';

/** A Kubernetes-style condition, as Katib writes them on experiments and trials. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
  /** RFC3339 time of the last transition. */
  readonly lastTransitionTime: string;
}

/** Per-metric summary, Katib's `Observation.metrics[]` with numbers (NaN never stored; absent = unavailable). */
export interface MetricSummary {
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
  readonly latest?: string;
}

/** A stored experiment. `manifest` is the defaulted Katib object the run was started from. */
export interface ExperimentRecord {
  readonly name: string;
  readonly namespace: string;
  readonly manifest: ExperimentManifest;
  readonly phase: ExperimentPhase;
  readonly reason: string;
  readonly message: string;
  /** Seed used for every suggestion request of this experiment (random_state or drawn once at creation). */
  readonly seed: number;
  /** Where the YAML came from, when it came from a file. */
  readonly sourcePath?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly completedAt?: string;
}

/** A stored trial. Written (state Pending) before anything is launched for it. */
export interface TrialRecord {
  /** The experiment's name. */
  readonly experiment: string;
  /** The experiment's namespace; absent means {@link defaultNamespace} (and is how the store returns it). */
  readonly namespace?: string;
  readonly name: string;
  /** 0-based creation order within the experiment. */
  readonly seq: number;
  readonly params: Assignment;
  readonly state: TrialState;
  readonly reason: string;
  readonly message: string;
  /** The objective per its metric strategy; absent until known. */
  readonly objective?: number;
  readonly metrics: readonly MetricSummary[];
  readonly budget?: number;
  readonly parent?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Why the algorithm proposed this point. */
  readonly explain?: Readonly<Record<string, unknown>>;
  readonly workDir?: string;
  readonly exitCode?: number;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
}

/** One observation-log row (Katib's `observation_logs`). `value` is kept as text like Katib's. */
export interface ObservationRow {
  readonly trial: string;
  readonly metric: string;
  readonly value: string;
  /** RFC3339 timestamp, or undefined when the source line had none. */
  readonly time?: string;
  /** 1-based order of this metric's reports within the trial. */
  readonly step: number;
}

/** What {@link Store.tallyTrials} counts: what a shared experiment's claim needs, without listing the trials. */
export interface TrialTally {
  /** One past the largest trial seq; 0 when there is no trial. */
  readonly nextSeq: number;
  /** Trials that hold a slot of the budget: every one not Killed (Katib's rule, see status.ts budgetUsed). */
  readonly holding: number;
}

/** Options of {@link Store.transaction}. */
export interface TransactionOptions {
  /**
   * `fn` catches no failed write of its own: any failure fails the whole transaction. The store may then leave out
   * what keeps a transaction usable after a caught failure (PostgreSQL: a savepoint around each write, two round
   * trips that every other writer waits for, since they all share one write lock). Default false.
   */
  readonly allOrNothing?: boolean;
}

/** An observation-log row as stored, with its row id: ids grow in insertion order, so a reader pages by id. */
export interface StoredObservation extends ObservationRow {
  /** The row id; {@link ObservationQuery.afterId} continues after it. */
  readonly id: number;
}

/** Which observations of an experiment {@link Store.getObservationsOf} returns: all of them unless narrowed. */
export interface ObservationQuery {
  /** Only this metric's rows. */
  readonly metric?: string;
  /** Only these trials' rows (an empty list selects none). */
  readonly trials?: readonly string[];
  /** Only rows after this id (the last `id` of the previous page); default 0, from the start. */
  readonly afterId?: number;
  /** At most this many rows (a whole number ≥ 1); default all. */
  readonly limit?: number;
}

/** What a change-feed row says changed: the experiment record, a trial record, a trial's observations, or events. */
export type ChangeKind = 'experiment' | 'trial' | 'observations' | 'event';

/**
 * One row of the change feed: a write to `experiment` committed with sequence number `seq`. A reader re-reads
 * what `kind` (and `trial`, when set) names; the row holds no data itself.
 */
export interface ChangeRow {
  /** Store-wide sequence number, increasing in commit order; never reused. */
  readonly seq: number;
  readonly experiment: string;
  /** The experiment's namespace; absent means {@link defaultNamespace}. */
  readonly namespace?: string;
  readonly kind: ChangeKind;
  /** The trial written (trial and observation changes, events about a trial). */
  readonly trial?: string;
  /** RFC3339 time of the write, by the writer's clock. */
  readonly at: string;
}

/** One read of the change feed: the changes after the `since` given, and where to continue. */
export interface ChangePage {
  /** Changes in `seq` order. */
  readonly changes: ChangeRow[];
  /**
   * Pass as `since` next time: the store's latest seq when every change up to it was returned, else (the page
   * was cut by `limit`) the seq of the last change returned. Below the `since` given only when the store was
   * replaced by another (deleted and created again): the reader should then re-read everything.
   */
  readonly seq: number;
}

/** One event in an experiment's history (`hpo status` shows the latest). */
export interface EventRow {
  readonly experiment: string;
  /** The experiment's namespace; absent means {@link defaultNamespace}. */
  readonly namespace?: string;
  readonly trial?: string;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly time: string;
}

/** Who holds an experiment's controller lock (see `Store.acquireExperimentLock`). */
export interface ExperimentLock {
  readonly experiment: string;
  /** The experiment's namespace; absent means {@link defaultNamespace}. */
  readonly namespace?: string;
  readonly pid: number;
  readonly host: string;
  /** RFC3339 time the lock was taken. */
  readonly acquiredAt: string;
  /** RFC3339 time of the holder's last heartbeat; absent for a lock written before leases. */
  readonly heartbeatAt?: string;
  /** RFC3339 time the lease runs out unless renewed; absent for a lock written before leases. */
  readonly expiresAt?: string;
}

/**
 * A worker's lease on one trial of a shared experiment (`hpo worker`): the worker renews it with its heartbeat, and
 * once it has not by `expiresAt` any worker may reclaim the trial. `token` fences the holder's writes: a worker
 * stores the trial's end only while the lease with its token is still there (see src/experiment/sharedTrials.ts).
 */
export interface TrialLease {
  readonly experiment: string;
  /** The experiment's namespace; absent means {@link defaultNamespace}. */
  readonly namespace?: string;
  readonly trial: string;
  /** Who runs the trial: the worker id `hpo worker` draws at start. */
  readonly worker: string;
  /** Drawn when the lease is granted; never granted twice. */
  readonly token: string;
  /** RFC3339 time of the holder's last heartbeat. */
  readonly heartbeatAt: string;
  /** RFC3339 time after which the trial may be reclaimed unless the lease is renewed. */
  readonly expiresAt: string;
}

/**
 * One trial's end as a shared-experiment worker stores it ({@link Store.endLeasedTrials}): written only while the
 * trial's lease still shows the worker's `token`.
 */
export interface LeasedTrialEnd {
  readonly trial: string;
  /** The fencing token of the worker's lease (see {@link TrialLease}). */
  readonly token: string;
  /** The trial's end (state, reason, metrics...). */
  readonly patch: TrialPatch;
  /** Its last observations, appended before the patch. */
  readonly rows: readonly ObservationRow[];
}

/**
 * A worker's claim of new trials of a shared experiment ({@link Store.claimTrialSlots}): the trials come numbered
 * from `nextSeq` and named apart from the experiment's, each with its lease token.
 */
export interface SlotRequest {
  readonly experiment: ExperimentRef;
  /** The claiming worker, whose leases count against `parallel`. */
  readonly worker: string;
  /** The trials to store, with seqs `nextSeq`, `nextSeq + 1`…; the store keeps the longest prefix allowed. */
  readonly trials: readonly TrialRecord[];
  /** One fencing token per trial. */
  readonly tokens: readonly string[];
  /** The leases' heartbeat and expiry times (RFC3339). */
  readonly heartbeatAt: string;
  readonly expiresAt: string;
  /** The experiment's next seq as the claimer read it: the claim is stale if a trial was added since. */
  readonly nextSeq: number;
  /** The algorithm state the suggestions were made from: the claim is stale if the stored one differs. */
  readonly stateBefore: unknown;
  /** The algorithm state saved with the trials (when at least one is stored); undefined leaves it as it is. */
  readonly stateAfter: unknown;
  /** The experiment's budget: trials that are not Killed never exceed it; undefined for none. */
  readonly maxTrialCount: number | undefined;
  /** How many leases the worker may hold at once (its `parallelTrialCount`). */
  readonly parallel: number;
}

/** What {@link Store.claimTrialSlots} did: how many of the trials it stored (a prefix), or nothing (stale). */
export type SlotGrant = { readonly kind: 'claimed'; readonly count: number } | { readonly kind: 'stale' };

/** What {@link Store.pollExperiment} reads after: where the reader's copy of a shared experiment stands. */
export interface PollQuery {
  /** The change seq read up to ({@link ChangePage.seq} of the last poll; 0 at first). */
  readonly since: number;
  /** At most this many changes (default 1,000): the rest come with the next poll. */
  readonly limit?: number;
  /** The metric whose observations come along (the objective). */
  readonly metric: string;
  /** Only its observations after this row id. */
  readonly afterId: number;
}

/** What {@link Store.pollExperiment} found, all read together (one snapshot on PostgreSQL). */
export interface ExperimentPoll {
  /** The experiment as stored; undefined when it is not (deleted). */
  readonly record: ExperimentRecord | undefined;
  /** The page of the experiment's changes after `since`, as {@link Store.changesSince} returns it. */
  readonly changes: ChangePage;
  /** The trials that the page's trial changes name, as stored now, in seq order. */
  readonly trials: TrialRecord[];
  /** The metric's observations after `afterId`, in id order. */
  readonly rows: StoredObservation[];
  /** The algorithm state, as {@link Store.loadAlgorithmState} returns it. */
  readonly state: unknown;
  /** The earliest expiry (RFC3339) of the experiment's trial leases; undefined when it has none. */
  readonly leasesExpireAt: string | undefined;
}

/** Partial update of a trial; unset fields are kept. */
export type TrialPatch = Partial<Omit<TrialRecord, 'experiment' | 'namespace' | 'name' | 'seq' | 'createdAt'>>;

/** Partial update of an experiment. */
export type ExperimentPatch = Partial<Omit<ExperimentRecord, 'name' | 'namespace' | 'createdAt'>>;

/**
 * The durable store (Store v2). Every call is asynchronous, so the same contract fits an embedded SQLite file and a
 * database server (PostgreSQL); a write's promise resolves only once it is committed, so the controller can rely
 * on "written before acted on" by awaiting it. Writes made inside {@link Store.transaction} commit together.
 * Experiments are keyed by (namespace, name) ({@link ExperimentRef}: a bare name is in namespace `default`).
 * Implementations: SQLite (default, {@link SqliteStore}).
 */
export interface Store {
  /** Absolute path of the store's folder (trial working directories live under `<root>/experiments/<name>/`). */
  readonly root: string;
  /**
   * Where the records are, as messages name the store: the database file of a SQLite store, the URL (password
   * masked) of a server database.
   */
  readonly location: string;
  createExperiment(rec: ExperimentRecord): Promise<void>;
  getExperiment(experiment: ExperimentRef): Promise<ExperimentRecord | undefined>;
  /** Every experiment (of `namespace` when given), oldest first. */
  listExperiments(namespace?: string): Promise<ExperimentRecord[]>;
  updateExperiment(experiment: ExperimentRef, patch: ExperimentPatch): Promise<void>;
  /** Removes the experiment and everything that belongs to it. */
  deleteExperiment(experiment: ExperimentRef): Promise<void>;

  insertTrial(rec: TrialRecord): Promise<void>;
  updateTrial(experiment: ExperimentRef, name: string, patch: TrialPatch): Promise<void>;
  getTrial(experiment: ExperimentRef, name: string): Promise<TrialRecord | undefined>;
  /**
   * {@link Store.insertTrial} for several trials in one statement (a worker's claim of a round): all of them or, on
   * a conflict or a missing experiment, none.
   */
  insertTrials(records: readonly TrialRecord[]): Promise<void>;
  /** Trials in creation order. */
  listTrials(experiment: ExperimentRef): Promise<TrialRecord[]>;
  /** The trials named (those that exist), in creation order, in one query: a reader of the change feed re-reads so. */
  getTrials(experiment: ExperimentRef, names: readonly string[]): Promise<TrialRecord[]>;
  countTrials(experiment: ExperimentRef): Promise<number>;
  /** The next trial seq (one past the largest, 0 for none) and how many trials are not Killed, in one query. */
  tallyTrials(experiment: ExperimentRef): Promise<TrialTally>;

  appendObservations(experiment: ExperimentRef, rows: readonly ObservationRow[]): Promise<void>;
  /** Observations of a trial in insertion order, optionally of one metric. */
  getObservations(experiment: ExperimentRef, trial: string, metric?: string): Promise<ObservationRow[]>;
  /** Observations of many (default all) trials of an experiment in one query, in id (insertion) order. */
  getObservationsOf(experiment: ExperimentRef, query?: ObservationQuery): Promise<StoredObservation[]>;

  saveAlgorithmState(experiment: ExperimentRef, state: unknown): Promise<void>;
  loadAlgorithmState(experiment: ExperimentRef): Promise<unknown>;

  addEvent(ev: EventRow): Promise<void>;
  /** The latest `limit` events (all when omitted), oldest first. */
  listEvents(experiment: ExperimentRef, limit?: number): Promise<EventRow[]>;

  /**
   * Takes the one-controller-per-experiment lock (a lease) for `ownerPid` (default: this process); false when
   * a live controller holds it. A lock whose lease expired (any host), or left by a dead process on this host,
   * is taken over (resume after `kill -9`).
   */
  acquireExperimentLock(experiment: ExperimentRef, ownerPid?: number): Promise<boolean>;
  /** Renews the lease of `ownerPid` (default: this process); false when it no longer holds the lock. */
  renewExperimentLock(experiment: ExperimentRef, ownerPid?: number): Promise<boolean>;
  /** Removes the lock whoever holds it (`hpo unlock --force`) and returns what it was. */
  forceReleaseExperimentLock(experiment: ExperimentRef): Promise<ExperimentLock | undefined>;
  /** Releases the lock if `ownerPid` (default: this process) holds it. */
  releaseExperimentLock(experiment: ExperimentRef, ownerPid?: number): Promise<void>;
  /** The current holder of the lock, possibly stale, or undefined. */
  getExperimentLock(experiment: ExperimentRef): Promise<ExperimentLock | undefined>;

  /**
   * Inside {@link Store.transaction}: takes the store's write lock now, before the transaction reads, so that what
   * it reads stays current until it commits (another process's writes wait). Shared experiments count the budget
   * under it. SQLite's write transactions hold it from their start; PostgreSQL takes its writers' lock.
   */
  lockForWrite(): Promise<void>;
  /**
   * Inside {@link Store.transaction}: waits for and takes `experiment`'s turn, held until the transaction ends; one
   * transaction at a time holds an experiment's turn, and other writes do not wait for it. Shared-experiment workers
   * read, ask the algorithm and claim within one turn, so no claim is made from a history another claim has changed
   * (no claim wasted on a retry). SQLite's write transactions hold the whole store already; PostgreSQL takes an
   * advisory lock per experiment. Take it before {@link Store.lockForWrite}, never after (no two orders, no deadlock).
   */
  lockTurn(experiment: ExperimentRef): Promise<void>;
  /** Writes a trial lease (replacing the trial's previous one); the trial must exist. No change-feed row. */
  putTrialLease(lease: TrialLease): Promise<void>;
  /** {@link Store.putTrialLease} for several leases in one statement (a worker's claim of a round). */
  putTrialLeases(leases: readonly TrialLease[]): Promise<void>;
  /** Every trial lease of an experiment, by trial name. */
  listTrialLeases(experiment: ExperimentRef): Promise<TrialLease[]>;
  /**
   * The heartbeat of `worker`: moves the expiry of every lease it holds on the experiment to `expiresAt` and returns
   * the trials it still holds (a trial reclaimed meanwhile is missing: its run must stop and store nothing).
   */
  renewTrialLeases(
    experiment: ExperimentRef,
    worker: string,
    heartbeatAt: string,
    expiresAt: string,
  ): Promise<string[]>;
  /** Removes a trial's lease (its end was stored, or it was reclaimed). */
  deleteTrialLease(experiment: ExperimentRef, trial: string): Promise<void>;
  /** {@link Store.deleteTrialLease} for several trials in one statement (a worker's ends of a round). */
  deleteTrialLeases(experiment: ExperimentRef, trials: readonly string[]): Promise<void>;
  /**
   * A worker's trial ends of one round, fenced and atomic: for every end whose token still holds its trial's lease,
   * its rows are appended, its patch applied and its lease removed; an end whose lease is gone or shows another token
   * writes nothing. Returns the trials written, in the order given. PostgreSQL does it in one statement (one round
   * trip under the writers' lock, whatever the number of trials), SQLite in one write transaction.
   */
  endLeasedTrials(experiment: ExperimentRef, ends: readonly LeasedTrialEnd[]): Promise<string[]>;
  /**
   * A worker's claim, atomic and under the write lock: stale (nothing written) when the experiment's next seq or its
   * algorithm state is not the one the claim was made from; else the longest prefix of the trials that the budget and
   * the worker's `parallel` allow is stored, each with its lease, and `stateAfter` is saved if one was stored. On
   * PostgreSQL one statement, whose checks read the snapshot its start saw: the caller holds the experiment's turn
   * ({@link Store.lockTurn}), as every claim does, so that no other claim commits meanwhile.
   */
  claimTrialSlots(request: SlotRequest): Promise<SlotGrant>;

  /**
   * The change feed: changes after seq `since` (of one experiment, or of all when `experiment` is undefined), at
   * most `limit` (default 1,000). Every write to an experiment, a trial, observations or events adds its change
   * row in the same transaction. Throws `unsupported` on a store whose schema predates the feed (opened read-only).
   */
  changesSince(experiment: ExperimentRef | undefined, since: number, limit?: number): Promise<ChangePage>;
  /** Whether {@link Store.changesSince} works here: false for a read-only store whose schema predates the feed. */
  readonly hasChangeFeed: boolean;
  /**
   * A shared-experiment worker's look at the store in one call: the experiment, a page of its changes, the trials
   * they name, new rows of one metric, the algorithm state and when the first lease expires (PostgreSQL: one
   * statement, so a worker's turn reads it all in one round trip). Needs the change feed ({@link Store.hasChangeFeed}).
   */
  pollExperiment(experiment: ExperimentRef, query: PollQuery): Promise<ExperimentPoll>;

  /**
   * Runs `fn` in one transaction: its writes commit together when the promise it returns resolves, and none of
   * them does when it rejects (the rejection is passed on). `tx` is this store bound to the transaction; calls on
   * the store itself from inside `fn` (however deep, across awaits) join it too, while calls from elsewhere wait
   * until it ends. A transaction inside a transaction is nested (a savepoint). Keep `fn` to store work: the
   * database's write lock is held until it settles.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Closes the store (idempotent), after any transaction still open ended. */
  close(): Promise<void>;
}
