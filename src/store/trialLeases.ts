import type BetterSqlite3 from 'better-sqlite3';
import { defaultNamespace, type ExperimentRef, experimentKey, type TrialLease } from './types.ts';

/** A `trial_leases` row as SQLite and PostgreSQL return it. */
export interface LeaseDbRow {
  namespace: string;
  experiment: string;
  trial: string;
  worker: string;
  token: string;
  heartbeat_at: string;
  expires_at: string;
}

/** A lease's column values in `trial_leases` order (namespace, experiment, trial, worker, token, heartbeat, expiry). */
export function leaseValues(lease: TrialLease): [string, string, string, string, string, string, string] {
  const { experiment, trial, worker, token, heartbeatAt, expiresAt } = lease;
  return [lease.namespace ?? defaultNamespace, experiment, trial, worker, token, heartbeatAt, expiresAt];
}

/** A stored lease as the store returns it (the namespace left out when `default`, as trial records do). */
export function rowToTrialLease(row: LeaseDbRow): TrialLease {
  return {
    experiment: row.experiment,
    ...(row.namespace === defaultNamespace ? {} : { namespace: row.namespace }),
    trial: row.trial,
    worker: row.worker,
    token: row.token,
    heartbeatAt: row.heartbeat_at,
    expiresAt: row.expires_at,
  };
}

interface Statements {
  readonly put: BetterSqlite3.Statement<[string, string, string, string, string, string, string]>;
  readonly list: BetterSqlite3.Statement<[string, string], LeaseDbRow>;
  readonly renew: BetterSqlite3.Statement<[string, string, string, string, string]>;
  readonly held: BetterSqlite3.Statement<[string, string, string], { trial: string }>;
  readonly remove: BetterSqlite3.Statement<[string, string, string]>;
}

/**
 * The `trial_leases` table of schema 6 (shared experiments, see src/experiment/sharedTrials.ts). Statements are
 * prepared on first use: a read-only store of an older schema has no such table and never writes leases.
 */
export class TrialLeaseTable {
  readonly #db: BetterSqlite3.Database;
  #s: Statements | undefined;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  get #statements(): Statements {
    this.#s ??= {
      put: this.#db.prepare(
        `INSERT INTO trial_leases (namespace, experiment, trial, worker, token, heartbeat_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(namespace, experiment, trial) DO UPDATE SET worker = excluded.worker, token = excluded.token,
           heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
      ),
      list: this.#db.prepare(
        'SELECT namespace, experiment, trial, worker, token, heartbeat_at, expires_at FROM trial_leases ' +
          'WHERE namespace = ? AND experiment = ? ORDER BY trial',
      ),
      renew: this.#db.prepare(
        'UPDATE trial_leases SET heartbeat_at = ?, expires_at = ? WHERE namespace = ? AND experiment = ? AND worker = ?',
      ),
      held: this.#db.prepare(
        'SELECT trial FROM trial_leases WHERE namespace = ? AND experiment = ? AND worker = ? ORDER BY trial',
      ),
      remove: this.#db.prepare('DELETE FROM trial_leases WHERE namespace = ? AND experiment = ? AND trial = ?'),
    };
    return this.#s;
  }

  put(lease: TrialLease): void {
    this.#statements.put.run(...leaseValues(lease));
  }

  list(experiment: ExperimentRef): TrialLease[] {
    const k = experimentKey(experiment);
    return this.#statements.list.all(k.namespace, k.name).map(rowToTrialLease);
  }

  /** Renews every lease of `worker` and returns the trials it holds, in one write transaction. */
  renew(experiment: ExperimentRef, worker: string, heartbeatAt: string, expiresAt: string): string[] {
    const k = experimentKey(experiment);
    const s = this.#statements;
    return this.#db
      .transaction(() => {
        s.renew.run(heartbeatAt, expiresAt, k.namespace, k.name, worker);
        return s.held.all(k.namespace, k.name, worker).map((r) => r.trial);
      })
      .immediate();
  }

  remove(experiment: ExperimentRef, trial: string): void {
    const k = experimentKey(experiment);
    this.#statements.remove.run(k.namespace, k.name, trial);
  }
}
