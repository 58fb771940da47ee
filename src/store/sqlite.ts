import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { ChangeLog } from './changes.ts';
import {
  type DamageSink,
  experimentToRow,
  rowToEvent,
  rowToExperiment,
  rowToObservation,
  rowToTrial,
  stateToJson,
  trialToRow,
} from './codec.ts';
import { sqliteDriver } from './driver.ts';
import { isSqliteError, sqliteCode, storeFailure } from './failure.ts';
import { LockTable } from './locks.ts';
import { changeFeedSchema, migrate, schemaVersion } from './migrations.ts';
import { ObservationPages } from './observationPages.ts';
import { connectReadOnly } from './readonly.ts';
import { prepareStatements, type Statements } from './statements.ts';
import { TrialLeaseTable } from './trialLeases.ts';
import {
  type ChangePage,
  defaultNamespace,
  describeExperimentKey,
  type EventRow,
  type ExperimentLock,
  type ExperimentPatch,
  type ExperimentRecord,
  type ExperimentRef,
  experimentKey,
  type ObservationQuery,
  type ObservationRow,
  type StoredObservation,
  type TrialLease,
  type TrialPatch,
  type TrialRecord,
  type TrialTally,
} from './types.ts';
import { prepareWrites, type Writes } from './writes.ts';

/** File name of the database inside a store folder. */
export const storeFileName = 'hpo.db';

/**
 * The SQLite tables behind the default store, with synchronous calls (better-sqlite3): {@link SqliteStore} (the
 * asynchronous Store v2) runs every call through one of these. One SQLite file in WAL mode, so other processes (`hpo status`, the dashboard) read while a
 * controller writes. Each call is its own transaction unless made inside `transaction()`, which the controller
 * uses to batch a step's writes. Two controllers must never drive the same experiment at once: SQLite would keep
 * the file consistent, but both would launch trials; `acquireExperimentLock` is how `hpo run`/`resume` refuse that.
 * Every write adds its change-feed row in its own transaction (see writes.ts), which `changesSince` reads.
 */
export class SqliteDatabase {
  readonly root: string;
  /** The database file (`:memory:` for an in-memory store). */
  readonly path: string;
  readonly #db: Database.Database;
  readonly #s: Statements;
  readonly #w: Writes;
  readonly #locks: LockTable;
  readonly #leases: TrialLeaseTable;
  /** Absent only on a read-only store whose schema predates the feed. */
  readonly #changes: ChangeLog | undefined;
  readonly #observationPages: ObservationPages;
  readonly #onDamage: DamageSink | undefined;
  readonly #release: () => void;
  #savepoints = 0;

  /**
   * Opens (creating and migrating as needed) the database `file`; `root` is the store folder. `readonly` opens an
   * existing store without writing to it at all (read commands; a store the user may not write). `onDamage`
   * makes reads report an undecodable column and carry on instead of failing (see {@link DamageSink}).
   */
  constructor(options: { file: string; root: string; readonly?: boolean; onDamage?: DamageSink }) {
    this.root = options.root;
    this.path = options.file;
    this.#onDamage = options.onDamage;
    const { db, release, storedSchema } =
      options.readonly === true
        ? connectReadOnly(options.file)
        : { db: connect(options.file), release: () => {}, storedSchema: schemaVersion };
    this.#db = db;
    this.#release = release;
    this.#s = prepareStatements(db);
    // A read-only store of an older schema is read through a migrated copy (readonly.ts); its feed is only as old
    // as the copy unless the store on disk already kept one.
    this.#changes = storedSchema >= changeFeedSchema ? new ChangeLog(db) : undefined;
    this.#w = prepareWrites(db, this.#s, this.#changes);
    this.#locks = new LockTable(db);
    this.#leases = new TrialLeaseTable(db);
    this.#observationPages = new ObservationPages(db);
  }

  #guard<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw storeFailure(this.path, action, e);
    }
  }

  #notFound(what: string): WorkbenchError {
    return new WorkbenchError(ErrorCode.notFound, `${what} not found in ${this.path}`);
  }

  createExperiment(rec: ExperimentRecord): void {
    const shown = describeExperimentKey(rec);
    try {
      this.#w.insertExperiment(experimentToRow(rec));
    } catch (e) {
      if (sqliteCode(e) === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new WorkbenchError(
          ErrorCode.conflict,
          `experiment ${shown} already exists in ${this.path}; use \`hpo resume ${rec.name}\` or \`hpo delete ${rec.name}\``,
          { cause: e },
        );
      }
      throw storeFailure(this.path, `create experiment ${shown}`, e);
    }
  }

  getExperiment(ref: ExperimentRef): ExperimentRecord | undefined {
    const k = experimentKey(ref);
    return this.#guard(`read experiment ${describeExperimentKey(k)}`, () => {
      const row = this.#s.getExperiment.get(k.namespace, k.name);
      return row === undefined ? undefined : rowToExperiment(row, this.#onDamage);
    });
  }

  listExperiments(namespace?: string): ExperimentRecord[] {
    return this.#guard('list experiments', () =>
      (namespace === undefined ? this.#s.listExperiments.all() : this.#s.listExperimentsIn.all(namespace)).map((r) =>
        rowToExperiment(r, this.#onDamage),
      ),
    );
  }

  updateExperiment(ref: ExperimentRef, patch: ExperimentPatch): void {
    const k = experimentKey(ref);
    const shown = describeExperimentKey(k);
    this.#guard(`update experiment ${shown}`, () => {
      const changed = this.#w.patchExperiment(k, patch);
      if (changed === 0 || (changed < 0 && this.#s.experimentExists.get(k.namespace, k.name) === undefined)) {
        throw this.#notFound(`experiment ${shown}`);
      }
    });
  }

  deleteExperiment(ref: ExperimentRef): void {
    const k = experimentKey(ref);
    const shown = describeExperimentKey(k);
    this.#guard(`delete experiment ${shown}`, () => {
      if (this.#w.deleteExperiment(k) === 0) throw this.#notFound(`experiment ${shown}`);
    });
  }

  insertTrial(rec: TrialRecord): void {
    const shown = describeExperimentKey({ namespace: rec.namespace ?? defaultNamespace, name: rec.experiment });
    const trial = `trial ${rec.name} of experiment ${shown}`;
    try {
      this.#w.insertTrial(trialToRow(rec));
    } catch (e) {
      const code = sqliteCode(e);
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new WorkbenchError(ErrorCode.conflict, `${trial} already exists in ${this.path}`, { cause: e });
      }
      if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new WorkbenchError(ErrorCode.conflict, `${trial}: seq ${rec.seq} is already used in ${this.path}`, {
          cause: e,
        });
      }
      if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw this.#notFound(`experiment ${shown}`);
      throw storeFailure(this.path, `insert ${trial}`, e);
    }
  }

  updateTrial(experiment: ExperimentRef, name: string, patch: TrialPatch): void {
    const k = experimentKey(experiment);
    const trial = `trial ${name} of experiment ${describeExperimentKey(k)}`;
    this.#guard(`update ${trial}`, () => {
      const changed = this.#w.patchTrial(k, name, patch);
      if (changed === 0 || (changed < 0 && this.#s.getTrial.get(k.namespace, k.name, name) === undefined)) {
        throw this.#notFound(trial);
      }
    });
  }

  getTrial(experiment: ExperimentRef, name: string): TrialRecord | undefined {
    const k = experimentKey(experiment);
    return this.#guard(`read trial ${name} of experiment ${describeExperimentKey(k)}`, () => {
      const row = this.#s.getTrial.get(k.namespace, k.name, name);
      return row === undefined ? undefined : rowToTrial(row, this.#onDamage);
    });
  }

  /** See Store.insertTrials: one transaction here (statements are cheap in-process). */
  insertTrials(records: readonly TrialRecord[]): void {
    this.transaction(() => {
      for (const rec of records) this.insertTrial(rec);
    });
  }

  /** See Store.getTrials. */
  getTrials(experiment: ExperimentRef, names: readonly string[]): TrialRecord[] {
    const k = experimentKey(experiment);
    if (names.length === 0) return [];
    return this.#guard(`read trials of experiment ${describeExperimentKey(k)}`, () =>
      this.#s.getTrials.all(k.namespace, k.name, JSON.stringify(names)).map((r) => rowToTrial(r, this.#onDamage)),
    );
  }

  listTrials(experiment: ExperimentRef): TrialRecord[] {
    const k = experimentKey(experiment);
    return this.#guard(`list trials of experiment ${describeExperimentKey(k)}`, () =>
      this.#s.listTrials.all(k.namespace, k.name).map((r) => rowToTrial(r, this.#onDamage)),
    );
  }

  /** See Store.tallyTrials. */
  tallyTrials(experiment: ExperimentRef): TrialTally {
    const k = experimentKey(experiment);
    return this.#guard(`count trials of experiment ${describeExperimentKey(k)}`, () => {
      const r = this.#s.tallyTrials.get(k.namespace, k.name);
      return { nextSeq: r?.nextSeq ?? 0, holding: r?.holding ?? 0 };
    });
  }

  countTrials(experiment: ExperimentRef): number {
    const k = experimentKey(experiment);
    return this.#guard(
      `count trials of experiment ${describeExperimentKey(k)}`,
      () => this.#s.countTrials.get(k.namespace, k.name) ?? 0,
    );
  }

  appendObservations(experiment: ExperimentRef, rows: readonly ObservationRow[]): void {
    if (rows.length === 0) return;
    const k = experimentKey(experiment);
    const shown = describeExperimentKey(k);
    try {
      this.#w.appendObservations(k, rows);
    } catch (e) {
      if (sqliteCode(e) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        const trials = [...new Set(rows.map((r) => r.trial))].join(', ');
        throw this.#notFound(`a trial among [${trials}] of experiment ${shown}`);
      }
      throw storeFailure(this.path, `append observations to experiment ${shown}`, e);
    }
  }

  getObservations(experiment: ExperimentRef, trial: string, metric?: string): ObservationRow[] {
    const k = experimentKey(experiment);
    return this.#guard(`read observations of trial ${trial}`, () => {
      const rows =
        metric === undefined
          ? this.#s.observations.all(k.namespace, k.name, trial)
          : this.#s.observationsOfMetric.all(k.namespace, k.name, trial, metric);
      return rows.map(rowToObservation);
    });
  }

  getObservationsOf(experiment: ExperimentRef, query?: ObservationQuery): StoredObservation[] {
    const k = experimentKey(experiment);
    return this.#guard(`read observations of experiment ${describeExperimentKey(k)}`, () =>
      this.#observationPages.read(k, query),
    );
  }

  saveAlgorithmState(experiment: ExperimentRef, state: unknown): void {
    const k = experimentKey(experiment);
    const shown = describeExperimentKey(k);
    try {
      const text = stateToJson(state, `the algorithm state of experiment ${shown}`);
      // Nothing JSON can hold (undefined, a function) clears the state: the next request starts fresh.
      if (text === undefined) this.#s.deleteAlgorithmState.run(k.namespace, k.name);
      else this.#s.saveState.run(k.namespace, k.name, text, new Date().toISOString());
    } catch (e) {
      if (sqliteCode(e) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw this.#notFound(`experiment ${shown}`);
      throw storeFailure(this.path, `save the algorithm state of experiment ${shown}`, e);
    }
  }

  loadAlgorithmState(experiment: ExperimentRef): unknown {
    const k = experimentKey(experiment);
    return this.#guard(`load the algorithm state of experiment ${describeExperimentKey(k)}`, () => {
      const text = this.#s.loadState.get(k.namespace, k.name);
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    });
  }

  addEvent(ev: EventRow): void {
    const shown = describeExperimentKey({ namespace: ev.namespace ?? defaultNamespace, name: ev.experiment });
    try {
      this.#w.addEvent(ev);
    } catch (e) {
      if (sqliteCode(e) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw this.#notFound(`experiment ${shown}`);
      throw storeFailure(this.path, `record an event of experiment ${shown}`, e);
    }
  }

  listEvents(experiment: ExperimentRef, limit?: number): EventRow[] {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `event limit must be a whole number ≥ 0, got ${limit}`);
    }
    const k = experimentKey(experiment);
    return this.#guard(`list events of experiment ${describeExperimentKey(k)}`, () =>
      this.#s.listEvents.all(k.namespace, k.name, limit ?? -1).map(rowToEvent),
    );
  }

  get hasChangeFeed(): boolean {
    return this.#changes !== undefined;
  }

  changesSince(experiment: ExperimentRef | undefined, since: number, limit?: number): ChangePage {
    const feed = this.#changes;
    if (feed === undefined) {
      throw new WorkbenchError(
        ErrorCode.unsupported,
        `store at ${this.path} has no change feed (an older hpo-workbench wrote it); run a command that writes (\`hpo resume\`) once to upgrade it`,
      );
    }
    const k = experiment === undefined ? undefined : experimentKey(experiment);
    return this.#guard(
      `read the change feed${k === undefined ? '' : ` of experiment ${describeExperimentKey(k)}`}`,
      () => feed.since(k, since, limit),
    );
  }

  acquireExperimentLock(experiment: ExperimentRef, ownerPid: number = process.pid): boolean {
    return this.#guard(`lock experiment ${describeExperimentKey(experiment)}`, () =>
      this.#locks.acquire(experimentKey(experiment), ownerPid),
    );
  }

  releaseExperimentLock(experiment: ExperimentRef, ownerPid: number = process.pid): void {
    this.#guard(`unlock experiment ${describeExperimentKey(experiment)}`, () =>
      this.#locks.release(experimentKey(experiment), ownerPid),
    );
  }

  renewExperimentLock(experiment: ExperimentRef, ownerPid: number = process.pid): boolean {
    return this.#guard(`renew the lock of experiment ${describeExperimentKey(experiment)}`, () =>
      this.#locks.renew(experimentKey(experiment), ownerPid),
    );
  }

  forceReleaseExperimentLock(experiment: ExperimentRef): ExperimentLock | undefined {
    return this.#guard(`remove the lock of experiment ${describeExperimentKey(experiment)}`, () =>
      this.#locks.forceRemove(experimentKey(experiment)),
    );
  }

  getExperimentLock(experiment: ExperimentRef): ExperimentLock | undefined {
    return this.#guard(`read the lock of experiment ${describeExperimentKey(experiment)}`, () =>
      this.#locks.get(experimentKey(experiment)),
    );
  }

  putTrialLease(lease: TrialLease): void {
    this.#guard(`lease trial ${lease.trial} of experiment ${lease.experiment}`, () => this.#leases.put(lease));
  }

  /** See Store.putTrialLeases: one transaction here (statements are cheap in-process). */
  putTrialLeases(leases: readonly TrialLease[]): void {
    this.transaction(() => {
      for (const l of leases) this.putTrialLease(l);
    });
  }

  listTrialLeases(experiment: ExperimentRef): TrialLease[] {
    return this.#guard(`read the trial leases of experiment ${describeExperimentKey(experiment)}`, () =>
      this.#leases.list(experiment),
    );
  }

  renewTrialLeases(experiment: ExperimentRef, worker: string, heartbeatAt: string, expiresAt: string): string[] {
    return this.#guard(`renew the trial leases of worker ${worker}`, () =>
      this.#leases.renew(experiment, worker, heartbeatAt, expiresAt),
    );
  }

  deleteTrialLease(experiment: ExperimentRef, trial: string): void {
    this.#guard(`release the lease of trial ${trial}`, () => this.#leases.remove(experiment, trial));
  }

  /** See Store.deleteTrialLeases. */
  deleteTrialLeases(experiment: ExperimentRef, trials: readonly string[]): void {
    this.transaction(() => {
      for (const t of trials) this.deleteTrialLease(experiment, t);
    });
  }

  /**
   * Runs `fn` in one write transaction (a savepoint when nested); `fn` must be synchronous. Taking the write lock
   * up front (BEGIN IMMEDIATE) avoids the deadlock of two readers that both try to upgrade to writers.
   */
  transaction<T>(fn: () => T): T {
    try {
      return this.#db.transaction(fn).immediate();
    } catch (e) {
      // The caller's own errors pass through; only SQLite's (busy on BEGIN, a failed COMMIT) are wrapped.
      if (isSqliteError(e)) throw storeFailure(this.path, 'commit a transaction', e);
      throw e;
    }
  }

  /**
   * Opens a write transaction by hand (BEGIN IMMEDIATE, or a savepoint when one is open), for the asynchronous
   * {@link SqliteStore}, whose transaction spans awaits and so cannot use better-sqlite3's synchronous wrapper.
   * Returns the function that ends it: commit (or release the savepoint) when `ok`, else roll back.
   */
  beginTransaction(): (ok: boolean) => void {
    const nested = this.#db.inTransaction;
    const savepoint = `hpo_${++this.#savepoints}`;
    try {
      this.#db.exec(nested ? `SAVEPOINT ${savepoint}` : 'BEGIN IMMEDIATE');
    } catch (e) {
      throw storeFailure(this.path, 'begin a transaction', e);
    }
    return (ok) => {
      if (!this.#db.open) return;
      if (ok) {
        try {
          this.#db.exec(nested ? `RELEASE ${savepoint}` : 'COMMIT');
          return;
        } catch (e) {
          // A failed COMMIT (disk full, I/O error) leaves the transaction open: undo it before reporting.
          if (this.#db.inTransaction && !nested) this.#db.exec('ROLLBACK');
          throw storeFailure(this.path, 'commit a transaction', e);
        }
      }
      // SQLite may already have rolled back on its own (some errors do): only undo what is still open.
      if (!this.#db.inTransaction) return;
      this.#db.exec(nested ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
    };
  }

  /** Closes the connection (idempotent); SQLite checkpoints the WAL when the last connection closes. */
  close(): void {
    if (!this.#db.open) return;
    try {
      this.#guard('close the store', () => this.#db.close());
    } finally {
      this.#release();
    }
  }
}

// Opens and configures one connection, migrating the schema; closes it again if anything fails.
function connect(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    // `timeout` is SQLite's busy_timeout: wait up to 5 s for another process's write lock.
    db = new (sqliteDriver())(file, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a crash of the process; only an OS crash may lose the latest ones.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
    return db;
  } catch (e) {
    db?.close();
    throw storeFailure(file, 'open the store', e);
  }
}

/** Opens the store in folder `dir` (created if missing), database `<dir>/hpo.db`. */
export function openSqliteDatabase(dir: string): SqliteDatabase {
  return openSqliteDatabaseFile(join(dir, storeFileName));
}

/** Opens the store whose database is the file `dbPath`; its folder is the store root. */
export function openSqliteDatabaseFile(dbPath: string): SqliteDatabase {
  const file = resolve(dbPath);
  const root = dirname(file);
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw storeFailure(file, `create the folder ${root}`, e);
  }
  return new SqliteDatabase({ file, root });
}

/** A throw-away store in memory (tests, dry runs); `root` is where trial folders would go. */
export function openInMemoryDatabase(root: string): SqliteDatabase {
  return new SqliteDatabase({ file: ':memory:', root: resolve(root) });
}
