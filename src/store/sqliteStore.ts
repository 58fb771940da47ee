import { AsyncLocalStorage } from 'node:async_hooks';
import { endLeasedTrialsIn } from './leasedEnds.ts';
import { pollIn } from './poll.ts';
import { claimTrialSlotsIn } from './slotClaims.ts';
import type { SqliteDatabase } from './sqlite.ts';
import type {
  ChangePage,
  EventRow,
  ExperimentLock,
  ExperimentPatch,
  ExperimentPoll,
  ExperimentRecord,
  ExperimentRef,
  LeasedTrialEnd,
  ObservationQuery,
  ObservationRow,
  PollQuery,
  SlotGrant,
  SlotRequest,
  Store,
  StoredObservation,
  TrialLease,
  TrialPatch,
  TrialRecord,
  TrialTally,
} from './types.ts';

/**
 * One level of transactions: the store itself, or an open transaction (whose nested transactions are savepoints).
 * `open` settles when the transaction opened at this level ends; other calls at this level wait for it.
 */
interface Level {
  active: boolean;
  open: Promise<void> | undefined;
}

/**
 * The default Store v2: {@link SqliteDatabase}'s synchronous calls behind the asynchronous contract. SQLite runs in
 * this thread, so a call is done when its promise is made; what the asynchronous form adds is the transaction that
 * spans awaits. While one is open, the connection is inside it, so every call that does not belong to it waits
 * until it ends: which calls belong is told by an AsyncLocalStorage context, set for everything `fn` runs and
 * awaits, and cleared when the transaction ends (a timer started inside it does not join a later one).
 */
export class SqliteStore implements Store {
  readonly root: string;
  /** The database file (`:memory:` for an in-memory store). */
  readonly path: string;
  readonly #db: SqliteDatabase;
  readonly #top: Level = { active: true, open: undefined };
  readonly #context = new AsyncLocalStorage<Level>();

  /** Serves the store through `db`, which it owns from now on (closed by {@link SqliteStore.close}). */
  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.root = db.root;
    this.path = db.path;
  }

  get location(): string {
    return this.path;
  }

  /** The transaction level the caller runs in: its own open transaction, else the store's top level. */
  #level(): Level {
    const inner = this.#context.getStore();
    return inner?.active === true ? inner : this.#top;
  }

  async #call<T>(fn: (db: SqliteDatabase) => T): Promise<T> {
    const level = this.#level();
    while (level.open !== undefined) await level.open;
    return fn(this.#db);
  }

  createExperiment(rec: ExperimentRecord): Promise<void> {
    return this.#call((db) => db.createExperiment(rec));
  }
  getExperiment(experiment: ExperimentRef): Promise<ExperimentRecord | undefined> {
    return this.#call((db) => db.getExperiment(experiment));
  }
  listExperiments(namespace?: string): Promise<ExperimentRecord[]> {
    return this.#call((db) => db.listExperiments(namespace));
  }
  updateExperiment(experiment: ExperimentRef, patch: ExperimentPatch): Promise<void> {
    return this.#call((db) => db.updateExperiment(experiment, patch));
  }
  deleteExperiment(experiment: ExperimentRef): Promise<void> {
    return this.#call((db) => db.deleteExperiment(experiment));
  }
  insertTrial(rec: TrialRecord): Promise<void> {
    return this.#call((db) => db.insertTrial(rec));
  }
  updateTrial(experiment: ExperimentRef, name: string, patch: TrialPatch): Promise<void> {
    return this.#call((db) => db.updateTrial(experiment, name, patch));
  }
  getTrial(experiment: ExperimentRef, name: string): Promise<TrialRecord | undefined> {
    return this.#call((db) => db.getTrial(experiment, name));
  }
  listTrials(experiment: ExperimentRef): Promise<TrialRecord[]> {
    return this.#call((db) => db.listTrials(experiment));
  }
  insertTrials(records: readonly TrialRecord[]): Promise<void> {
    return this.#call((db) => db.insertTrials(records));
  }
  getTrials(experiment: ExperimentRef, names: readonly string[]): Promise<TrialRecord[]> {
    return this.#call((db) => db.getTrials(experiment, names));
  }
  countTrials(experiment: ExperimentRef): Promise<number> {
    return this.#call((db) => db.countTrials(experiment));
  }
  tallyTrials(experiment: ExperimentRef): Promise<TrialTally> {
    return this.#call((db) => db.tallyTrials(experiment));
  }
  appendObservations(experiment: ExperimentRef, rows: readonly ObservationRow[]): Promise<void> {
    return this.#call((db) => db.appendObservations(experiment, rows));
  }
  getObservations(experiment: ExperimentRef, trial: string, metric?: string): Promise<ObservationRow[]> {
    return this.#call((db) => db.getObservations(experiment, trial, metric));
  }
  getObservationsOf(experiment: ExperimentRef, query?: ObservationQuery): Promise<StoredObservation[]> {
    return this.#call((db) => db.getObservationsOf(experiment, query));
  }
  saveAlgorithmState(experiment: ExperimentRef, state: unknown): Promise<void> {
    return this.#call((db) => db.saveAlgorithmState(experiment, state));
  }
  loadAlgorithmState(experiment: ExperimentRef): Promise<unknown> {
    return this.#call((db) => db.loadAlgorithmState(experiment));
  }
  addEvent(ev: EventRow): Promise<void> {
    return this.#call((db) => db.addEvent(ev));
  }
  listEvents(experiment: ExperimentRef, limit?: number): Promise<EventRow[]> {
    return this.#call((db) => db.listEvents(experiment, limit));
  }
  acquireExperimentLock(experiment: ExperimentRef, ownerPid?: number): Promise<boolean> {
    return this.#call((db) => db.acquireExperimentLock(experiment, ownerPid));
  }
  renewExperimentLock(experiment: ExperimentRef, ownerPid?: number): Promise<boolean> {
    return this.#call((db) => db.renewExperimentLock(experiment, ownerPid));
  }
  forceReleaseExperimentLock(experiment: ExperimentRef): Promise<ExperimentLock | undefined> {
    return this.#call((db) => db.forceReleaseExperimentLock(experiment));
  }
  releaseExperimentLock(experiment: ExperimentRef, ownerPid?: number): Promise<void> {
    return this.#call((db) => db.releaseExperimentLock(experiment, ownerPid));
  }
  getExperimentLock(experiment: ExperimentRef): Promise<ExperimentLock | undefined> {
    return this.#call((db) => db.getExperimentLock(experiment));
  }
  /** Write transactions here begin with BEGIN IMMEDIATE, which holds SQLite's write lock already. */
  lockForWrite(): Promise<void> {
    return this.#call(() => undefined);
  }
  /** As {@link SqliteStore.lockForWrite}: a write transaction here is the only one in the whole store already. */
  lockTurn(_experiment: ExperimentRef): Promise<void> {
    return this.#call(() => undefined);
  }
  putTrialLease(lease: TrialLease): Promise<void> {
    return this.#call((db) => db.putTrialLease(lease));
  }
  putTrialLeases(leases: readonly TrialLease[]): Promise<void> {
    return this.#call((db) => db.putTrialLeases(leases));
  }
  deleteTrialLeases(experiment: ExperimentRef, trials: readonly string[]): Promise<void> {
    return this.#call((db) => db.deleteTrialLeases(experiment, trials));
  }
  listTrialLeases(experiment: ExperimentRef): Promise<TrialLease[]> {
    return this.#call((db) => db.listTrialLeases(experiment));
  }
  claimTrialSlots(request: SlotRequest): Promise<SlotGrant> {
    return claimTrialSlotsIn(this, request);
  }
  endLeasedTrials(experiment: ExperimentRef, ends: readonly LeasedTrialEnd[]): Promise<string[]> {
    return endLeasedTrialsIn(this, experiment, ends);
  }
  renewTrialLeases(
    experiment: ExperimentRef,
    worker: string,
    heartbeatAt: string,
    expiresAt: string,
  ): Promise<string[]> {
    return this.#call((db) => db.renewTrialLeases(experiment, worker, heartbeatAt, expiresAt));
  }
  deleteTrialLease(experiment: ExperimentRef, trial: string): Promise<void> {
    return this.#call((db) => db.deleteTrialLease(experiment, trial));
  }
  changesSince(experiment: ExperimentRef | undefined, since: number, limit?: number): Promise<ChangePage> {
    return this.#call((db) => db.changesSince(experiment, since, limit));
  }
  pollExperiment(experiment: ExperimentRef, query: PollQuery): Promise<ExperimentPoll> {
    return pollIn(this, experiment, query);
  }
  get hasChangeFeed(): boolean {
    return this.#db.hasChangeFeed;
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    const parent = this.#level();
    while (parent.open !== undefined) await parent.open;
    const end = this.#db.beginTransaction();
    const level: Level = { active: true, open: undefined };
    let ended!: () => void;
    parent.open = new Promise((resolve) => {
      ended = resolve;
    });
    try {
      let result: T;
      try {
        result = await this.#context.run(level, () => fn(this));
      } catch (e) {
        level.active = false;
        end(false);
        throw e;
      }
      level.active = false;
      end(true);
      return result;
    } finally {
      parent.open = undefined;
      ended();
    }
  }

  async close(): Promise<void> {
    while (this.#top.open !== undefined) await this.#top.open;
    this.#db.close();
  }
}
