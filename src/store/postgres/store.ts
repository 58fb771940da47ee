import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import {
  type DamageSink,
  experimentToRow,
  rowToEvent,
  rowToExperiment,
  rowToObservation,
  rowToTrial,
  stateToJson,
  trialToRow,
} from '../codec.ts';
import {
  type ChangePage,
  defaultNamespace,
  describeExperimentKey,
  type EventRow,
  type ExperimentLock,
  type ExperimentPatch,
  type ExperimentPoll,
  type ExperimentRecord,
  type ExperimentRef,
  experimentKey,
  type LeasedTrialEnd,
  type ObservationQuery,
  type ObservationRow,
  type PollQuery,
  type SlotGrant,
  type SlotRequest,
  type Store,
  type StoredObservation,
  type TransactionOptions,
  type TrialLease,
  type TrialPatch,
  type TrialRecord,
  type TrialTally,
} from '../types.ts';
import { changesSince, forgetChanges, lockTurn, lockWriters, type Queryable, recordChange } from './changes.ts';
import type { Connection } from './connection.ts';
import { pgCode, pgConstraint } from './failure.ts';
import { endLeasedTrials } from './leasedEnds.ts';
import { type PgLockOptions, PgLockTable } from './locks.ts';
import { pollExperiment } from './poll.ts';
import * as r from './recorded.ts';
import { claimTrialSlots, stateAfterText } from './slotClaims.ts';
import * as t from './tables.ts';
import * as leases from './trialLeases.ts';

/** What {@link PostgresStore} is built from (see `openPostgresStore`). */
export interface PostgresStoreOptions {
  readonly connection: Connection;
  /** The database URL with its password masked: how messages name the store. */
  readonly shown: string;
  /** The local folder where trial working directories go. */
  readonly root: string;
  readonly onDamage?: DamageSink;
  readonly locks?: PgLockOptions;
}

/**
 * Store v2 on a PostgreSQL database (npm `pg`), with the tables of SQLite schema 5 and the same errors and
 * semantics as {@link SqliteStore}: transactions that span awaits (see {@link Connection}), conflicts and missing
 * rows as `conflict`/`notFound`, the change feed, bulk observation reads and lease locks. Every write takes the
 * database's writer lock first (see `lockWriters`), so the change feed is commit-ordered across processes.
 * Trial folders stay local: `root` is a folder on this machine.
 */
export class PostgresStore implements Store {
  readonly root: string;
  /** The database URL with its password masked. */
  readonly url: string;
  readonly hasChangeFeed = true;
  /** The masked URL, as messages name the store. */
  get location(): string {
    return this.url;
  }
  readonly #c: Connection;
  readonly #locks: PgLockTable;
  readonly #onDamage: DamageSink | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    this.#c = options.connection;
    this.url = options.shown;
    this.root = options.root;
    this.#onDamage = options.onDamage;
    this.#locks = new PgLockTable(options.locks);
  }

  #notFound(what: string, cause?: unknown): WorkbenchError {
    return new WorkbenchError(ErrorCode.notFound, `${what} not found in ${this.url}`, { cause });
  }

  /** A write of one statement from recorded.ts (lock, write and change row in one): one round trip. */
  #one<T>(action: string, fn: (q: Queryable) => Promise<T>, mapError?: (e: unknown) => Error | undefined): Promise<T> {
    return this.#c.write(action, fn, { ...(mapError === undefined ? {} : { mapError }), single: true });
  }

  /** A write of several statements, in a transaction that takes the writers' lock first; see `lockWriters`. */
  #write<T>(
    action: string,
    fn: (q: Queryable) => Promise<T>,
    mapError?: (e: unknown) => Error | undefined,
  ): Promise<T> {
    return this.#c.write(action, fn, { ...(mapError === undefined ? {} : { mapError }), lock: lockWriters });
  }

  createExperiment(rec: ExperimentRecord): Promise<void> {
    const shown = describeExperimentKey(rec);
    return this.#one(
      `create experiment ${shown}`,
      (q) => r.insertExperiment(q, experimentToRow(rec)),
      (e) =>
        pgCode(e) === '23505'
          ? new WorkbenchError(
              ErrorCode.conflict,
              `experiment ${shown} already exists in ${this.url}; use \`hpo resume ${rec.name}\` or \`hpo delete ${rec.name}\``,
              { cause: e },
            )
          : undefined,
    );
  }

  getExperiment(ref: ExperimentRef): Promise<ExperimentRecord | undefined> {
    const k = experimentKey(ref);
    return this.#c.read(`read experiment ${describeExperimentKey(k)}`, async (q) => {
      const row = await t.getExperiment(q, k);
      return row === undefined ? undefined : rowToExperiment(row, this.#onDamage);
    });
  }

  listExperiments(namespace?: string): Promise<ExperimentRecord[]> {
    return this.#c.read('list experiments', async (q) =>
      (await t.listExperiments(q, namespace)).map((r) => rowToExperiment(r, this.#onDamage)),
    );
  }

  updateExperiment(ref: ExperimentRef, patch: ExperimentPatch): Promise<void> {
    const k = experimentKey(ref);
    const shown = describeExperimentKey(k);
    return this.#one(`update experiment ${shown}`, async (q) => {
      const changed = await r.patchExperiment(q, k, patch);
      if (changed === 0 || (changed < 0 && !(await t.experimentExists(q, k)))) {
        throw this.#notFound(`experiment ${shown}`);
      }
    });
  }

  deleteExperiment(ref: ExperimentRef): Promise<void> {
    const k = experimentKey(ref);
    const shown = describeExperimentKey(k);
    return this.#write(`delete experiment ${shown}`, async (q) => {
      if ((await t.deleteExperiment(q, k)) === 0) throw this.#notFound(`experiment ${shown}`);
      // The experiment's own history goes with it; one row remains to tell readers that it is gone.
      await forgetChanges(q, k, await recordChange(q, k, 'experiment'));
    });
  }

  insertTrial(rec: TrialRecord): Promise<void> {
    const k = { namespace: rec.namespace ?? defaultNamespace, name: rec.experiment };
    const shown = describeExperimentKey(k);
    const trial = `trial ${rec.name} of experiment ${shown}`;
    return this.#one(
      `insert ${trial}`,
      (q) => r.insertTrial(q, trialToRow(rec)),
      (e) => {
        const code = pgCode(e);
        if (code === '23505' && pgConstraint(e) === 'trials_by_seq') {
          return new WorkbenchError(ErrorCode.conflict, `${trial}: seq ${rec.seq} is already used in ${this.url}`, {
            cause: e,
          });
        }
        if (code === '23505') {
          return new WorkbenchError(ErrorCode.conflict, `${trial} already exists in ${this.url}`, { cause: e });
        }
        return code === '23503' ? this.#notFound(`experiment ${shown}`, e) : undefined;
      },
    );
  }

  insertTrials(records: readonly TrialRecord[]): Promise<void> {
    const [first] = records;
    if (first === undefined) return Promise.resolve();
    if (records.length === 1) return this.insertTrial(first);
    const names = records.map((t) => t.name).join(', ');
    const shown = describeExperimentKey({ namespace: first.namespace ?? defaultNamespace, name: first.experiment });
    return this.#one(
      `insert trials [${names}] of experiment ${shown}`,
      (q) => r.insertTrials(q, records.map(trialToRow)),
      (e) => {
        const code = pgCode(e);
        if (code === '23505') {
          const what = `trials [${names}] of experiment ${shown}: one of them, or its seq, is already in ${this.url}`;
          return new WorkbenchError(ErrorCode.conflict, what, { cause: e });
        }
        return code === '23503' ? this.#notFound(`experiment ${shown}`, e) : undefined;
      },
    );
  }

  updateTrial(experiment: ExperimentRef, name: string, patch: TrialPatch): Promise<void> {
    const k = experimentKey(experiment);
    const trial = `trial ${name} of experiment ${describeExperimentKey(k)}`;
    return this.#one(`update ${trial}`, async (q) => {
      const changed = await r.patchTrial(q, k, name, patch);
      if (changed === 0 || (changed < 0 && (await t.getTrial(q, k, name)) === undefined)) throw this.#notFound(trial);
    });
  }

  getTrial(experiment: ExperimentRef, name: string): Promise<TrialRecord | undefined> {
    const k = experimentKey(experiment);
    return this.#c.read(`read trial ${name} of experiment ${describeExperimentKey(k)}`, async (q) => {
      const row = await t.getTrial(q, k, name);
      return row === undefined ? undefined : rowToTrial(row, this.#onDamage);
    });
  }

  getTrials(experiment: ExperimentRef, names: readonly string[]): Promise<TrialRecord[]> {
    const k = experimentKey(experiment);
    if (names.length === 0) return Promise.resolve([]);
    return this.#c.read(`read trials of experiment ${describeExperimentKey(k)}`, async (q) =>
      (await t.getTrials(q, k, names)).map((r) => rowToTrial(r, this.#onDamage)),
    );
  }

  listTrials(experiment: ExperimentRef): Promise<TrialRecord[]> {
    const k = experimentKey(experiment);
    return this.#c.read(`list trials of experiment ${describeExperimentKey(k)}`, async (q) =>
      (await t.listTrials(q, k)).map((r) => rowToTrial(r, this.#onDamage)),
    );
  }

  tallyTrials(experiment: ExperimentRef): Promise<TrialTally> {
    const k = experimentKey(experiment);
    return this.#c.read(`count trials of experiment ${describeExperimentKey(k)}`, (q) => t.tallyTrials(q, k));
  }

  countTrials(experiment: ExperimentRef): Promise<number> {
    const k = experimentKey(experiment);
    return this.#c.read(`count trials of experiment ${describeExperimentKey(k)}`, (q) => t.countTrials(q, k));
  }

  async appendObservations(experiment: ExperimentRef, rows: readonly ObservationRow[]): Promise<void> {
    if (rows.length === 0) return;
    const k = experimentKey(experiment);
    const shown = describeExperimentKey(k);
    const trials = [...new Set(rows.map((r) => r.trial))];
    await this.#one(
      `append observations to experiment ${shown}`,
      (q) => r.insertObservations(q, k, rows),
      (e) =>
        pgCode(e) === '23503'
          ? this.#notFound(`a trial among [${trials.join(', ')}] of experiment ${shown}`, e)
          : undefined,
    );
  }

  getObservations(experiment: ExperimentRef, trial: string, metric?: string): Promise<ObservationRow[]> {
    const k = experimentKey(experiment);
    return this.#c.read(`read observations of trial ${trial}`, async (q) =>
      (await t.getObservations(q, k, trial, metric)).map(rowToObservation),
    );
  }

  getObservationsOf(experiment: ExperimentRef, query?: ObservationQuery): Promise<StoredObservation[]> {
    const k = experimentKey(experiment);
    return this.#c.read(`read observations of experiment ${describeExperimentKey(k)}`, (q) =>
      t.observationPage(q, k, query),
    );
  }

  saveAlgorithmState(experiment: ExperimentRef, state: unknown): Promise<void> {
    const k = experimentKey(experiment);
    const shown = describeExperimentKey(k);
    return this.#one(
      `save the algorithm state of experiment ${shown}`,
      (q) => {
        const text = stateToJson(state, `the algorithm state of experiment ${shown}`);
        // Nothing JSON can hold (undefined, a function) clears the state: the next request starts fresh.
        return text === undefined ? r.deleteState(q, k) : r.saveState(q, k, text);
      },
      (e) => (pgCode(e) === '23503' ? this.#notFound(`experiment ${shown}`, e) : undefined),
    );
  }

  loadAlgorithmState(experiment: ExperimentRef): Promise<unknown> {
    const k = experimentKey(experiment);
    return this.#c.read(`load the algorithm state of experiment ${describeExperimentKey(k)}`, async (q) => {
      const text = await t.loadState(q, k);
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    });
  }

  addEvent(ev: EventRow): Promise<void> {
    const k = { namespace: ev.namespace ?? defaultNamespace, name: ev.experiment };
    const shown = describeExperimentKey(k);
    return this.#one(
      `record an event of experiment ${shown}`,
      (q) => r.insertEvent(q, k.namespace, ev),
      (e) => (pgCode(e) === '23503' ? this.#notFound(`experiment ${shown}`, e) : undefined),
    );
  }

  async listEvents(experiment: ExperimentRef, limit?: number): Promise<EventRow[]> {
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `event limit must be a whole number ≥ 0, got ${limit}`);
    }
    const k = experimentKey(experiment);
    return this.#c.read(`list events of experiment ${describeExperimentKey(k)}`, async (q) =>
      (await t.listEvents(q, k, limit)).map(rowToEvent),
    );
  }

  changesSince(experiment: ExperimentRef | undefined, since: number, limit?: number): Promise<ChangePage> {
    const k = experiment === undefined ? undefined : experimentKey(experiment);
    return this.#c.read(
      `read the change feed${k === undefined ? '' : ` of experiment ${describeExperimentKey(k)}`}`,
      (q) => changesSince(q, k, since, limit),
    );
  }

  pollExperiment(experiment: ExperimentRef, query: PollQuery): Promise<ExperimentPoll> {
    const k = experimentKey(experiment);
    return this.#c.read(`poll experiment ${describeExperimentKey(k)}`, (q) =>
      pollExperiment(q, k, query, this.#onDamage),
    );
  }

  /** The writers' lock (see `lockWriters`); inside a transaction it is held until the transaction ends. */
  lockForWrite(): Promise<void> {
    return this.#write('take the write lock', async () => undefined);
  }

  /**
   * The experiment's turn: a transaction-scoped advisory lock keyed by the experiment (two experiments whose keys
   * hash alike share a turn, which only makes them wait). Not the writers' lock: other writes go on meanwhile.
   */
  lockTurn(experiment: ExperimentRef): Promise<void> {
    const k = experimentKey(experiment);
    return this.#c.read(`take the turn of experiment ${describeExperimentKey(k)}`, (q) => lockTurn(q, k));
  }

  putTrialLease(lease: TrialLease): Promise<void> {
    return this.#write(`lease trial ${lease.trial} of experiment ${lease.experiment}`, (q) =>
      leases.putLease(q, lease),
    );
  }

  putTrialLeases(batch: readonly TrialLease[]): Promise<void> {
    if (batch.length === 0) return Promise.resolve();
    return this.#write(`lease ${batch.length} trials`, (q) => leases.putLeases(q, batch));
  }

  deleteTrialLeases(experiment: ExperimentRef, trials: readonly string[]): Promise<void> {
    if (trials.length === 0) return Promise.resolve();
    const k = experimentKey(experiment);
    return this.#write(`release the leases of ${trials.length} trials`, (q) => leases.deleteLeases(q, k, trials));
  }

  endLeasedTrials(experiment: ExperimentRef, ends: readonly LeasedTrialEnd[]): Promise<string[]> {
    if (ends.length === 0) return Promise.resolve([]);
    const k = experimentKey(experiment);
    const shown = describeExperimentKey(k);
    return this.#one(
      `store the ends of ${ends.length} trials of experiment ${shown}`,
      (q) => endLeasedTrials(q, k, ends),
      (e) => (pgCode(e) === '23503' ? this.#notFound(`a trial of experiment ${shown}`, e) : undefined),
    );
  }

  claimTrialSlots(request: SlotRequest): Promise<SlotGrant> {
    const k = experimentKey(request.experiment);
    const shown = describeExperimentKey(k);
    const action = `claim ${request.trials.length} trials of experiment ${shown}`;
    const mapError = (e: unknown): Error | undefined => {
      const code = pgCode(e);
      if (code === '23505') {
        return new WorkbenchError(ErrorCode.conflict, `${action}: a trial name or seq is already in ${this.url}`, {
          cause: e,
        });
      }
      return code === '23503' ? this.#notFound(`experiment ${shown}`, e) : undefined;
    };
    const after = stateAfterText(request, k);
    if (after !== null) return this.#one(action, (q) => claimTrialSlots(q, k, request, after), mapError);
    // A new state with no JSON form clears the stored one: a second statement, so a transaction of its own.
    return this.#write(
      action,
      async (q) => {
        const grant = await claimTrialSlots(q, k, request, undefined);
        if (grant.kind === 'claimed' && grant.count > 0) await r.deleteState(q, k);
        return grant;
      },
      mapError,
    );
  }

  listTrialLeases(experiment: ExperimentRef): Promise<TrialLease[]> {
    const k = experimentKey(experiment);
    return this.#c.read(`read the trial leases of experiment ${describeExperimentKey(k)}`, (q) =>
      leases.listLeases(q, k),
    );
  }

  renewTrialLeases(
    experiment: ExperimentRef,
    worker: string,
    heartbeatAt: string,
    expiresAt: string,
  ): Promise<string[]> {
    const k = experimentKey(experiment);
    return this.#one(`renew the trial leases of worker ${worker}`, (q) =>
      leases.renewLeases(q, k, worker, heartbeatAt, expiresAt),
    );
  }

  deleteTrialLease(experiment: ExperimentRef, trial: string): Promise<void> {
    const k = experimentKey(experiment);
    return this.#write(`release the lease of trial ${trial}`, (q) => leases.deleteLease(q, k, trial));
  }

  acquireExperimentLock(experiment: ExperimentRef, ownerPid: number = process.pid): Promise<boolean> {
    const k = experimentKey(experiment);
    return this.#write(`lock experiment ${describeExperimentKey(k)}`, (q) => this.#locks.acquire(q, k, ownerPid));
  }

  renewExperimentLock(experiment: ExperimentRef, ownerPid: number = process.pid): Promise<boolean> {
    const k = experimentKey(experiment);
    return this.#write(`renew the lock of experiment ${describeExperimentKey(k)}`, (q) =>
      this.#locks.renew(q, k, ownerPid),
    );
  }

  forceReleaseExperimentLock(experiment: ExperimentRef): Promise<ExperimentLock | undefined> {
    const k = experimentKey(experiment);
    return this.#write(`remove the lock of experiment ${describeExperimentKey(k)}`, (q) =>
      this.#locks.forceRemove(q, k),
    );
  }

  releaseExperimentLock(experiment: ExperimentRef, ownerPid: number = process.pid): Promise<void> {
    const k = experimentKey(experiment);
    return this.#write(`unlock experiment ${describeExperimentKey(k)}`, (q) => this.#locks.release(q, k, ownerPid));
  }

  getExperimentLock(experiment: ExperimentRef): Promise<ExperimentLock | undefined> {
    const k = experimentKey(experiment);
    return this.#c.read(`read the lock of experiment ${describeExperimentKey(k)}`, (q) => this.#locks.get(q, k));
  }

  transaction<T>(fn: (tx: Store) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.#c.transaction(() => fn(this), options?.allOrNothing === true);
  }

  close(): Promise<void> {
    this.#closed ??= this.#c.close();
    return this.#closed;
  }
}
