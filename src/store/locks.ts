import { hostname } from 'node:os';
import type BetterSqlite3 from 'better-sqlite3';
import { type LockDbRow, rowToLock } from './codec.ts';
import { lockLeaseMs, lockStatus } from './lockStatus.ts';
import { type ExperimentKey, type ExperimentLock, type ExperimentRef, experimentKey } from './types.ts';

export { isProcessAlive, type LockStatus, lockHeartbeatMs, lockLeaseMs, lockStatus } from './lockStatus.ts';

/** Options of {@link LockTable}; tests inject the clock and the host name. */
export interface LockTableOptions {
  readonly now?: () => Date;
  readonly host?: string;
  readonly leaseMs?: number;
}

/**
 * The `locks` table: at most one controller per experiment. SQLite's own locking keeps concurrent writes safe,
 * but two controllers driving the same experiment would both ask for suggestions and launch duplicate trials,
 * so `hpo run`/`hpo resume` take this lock first. A lock is a lease: its holder renews it every
 * {@link lockHeartbeatMs}, and once it has not for {@link lockLeaseMs} anyone may take it over, whatever host
 * wrote it (a container restarted under a new hostname). A lock whose pid is gone on this host is taken over at
 * once. A lock from before leases, written on another host, is only cleared by `hpo unlock --force`.
 */
export class LockTable {
  readonly #host: string;
  readonly #now: () => Date;
  readonly #leaseMs: number;
  readonly #get: BetterSqlite3.Statement<[string, string], LockDbRow>;
  readonly #upsert: BetterSqlite3.Statement<[string, string, number, string, string, string, string]>;
  readonly #renew: BetterSqlite3.Statement<[string, string, string, string, number, string]>;
  readonly #release: BetterSqlite3.Statement<[string, string, number, string]>;
  readonly #remove: BetterSqlite3.Statement<[string, string]>;
  readonly #acquire: BetterSqlite3.Transaction<(experiment: ExperimentKey, pid: number) => boolean>;
  readonly #forceRemove: BetterSqlite3.Transaction<(experiment: ExperimentKey) => ExperimentLock | undefined>;

  constructor(db: BetterSqlite3.Database, options: LockTableOptions = {}) {
    this.#host = options.host ?? hostname();
    this.#now = options.now ?? (() => new Date());
    this.#leaseMs = options.leaseMs ?? lockLeaseMs;
    this.#get = db.prepare(
      'SELECT namespace, experiment, pid, host, acquired_at, heartbeat_at, expires_at FROM locks ' +
        'WHERE namespace = ? AND experiment = ?',
    );
    this.#upsert = db.prepare(
      `INSERT INTO locks (namespace, experiment, pid, host, acquired_at, heartbeat_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(namespace, experiment) DO UPDATE SET pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at,
         heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
    );
    this.#renew = db.prepare(
      'UPDATE locks SET heartbeat_at = ?, expires_at = ? WHERE namespace = ? AND experiment = ? AND pid = ? AND host = ?',
    );
    this.#release = db.prepare('DELETE FROM locks WHERE namespace = ? AND experiment = ? AND pid = ? AND host = ?');
    this.#remove = db.prepare('DELETE FROM locks WHERE namespace = ? AND experiment = ?');
    // Read and write under one write lock so two processes racing for a stale lock cannot both win.
    this.#acquire = db.transaction((experiment: ExperimentKey, pid: number): boolean => {
      const held = this.#get.get(experiment.namespace, experiment.name);
      if (held !== undefined) {
        if (held.host === this.#host && held.pid === pid) return this.#renewNow(experiment, pid);
        const status = lockStatus(rowToLock(held), this.#now(), this.#host);
        if (status.state !== 'expired' && status.state !== 'dead') return false;
      }
      const now = this.#now();
      const iso = now.toISOString();
      this.#upsert.run(experiment.namespace, experiment.name, pid, this.#host, iso, iso, this.#expiry(now));
      return true;
    });
    this.#forceRemove = db.transaction((experiment: ExperimentKey): ExperimentLock | undefined => {
      const held = this.#get.get(experiment.namespace, experiment.name);
      if (held !== undefined) this.#remove.run(experiment.namespace, experiment.name);
      return held === undefined ? undefined : rowToLock(held);
    });
  }

  #expiry(now: Date): string {
    return new Date(now.getTime() + this.#leaseMs).toISOString();
  }

  #renewNow(experiment: ExperimentKey, pid: number): boolean {
    const now = this.#now();
    const { namespace, name } = experiment;
    return this.#renew.run(now.toISOString(), this.#expiry(now), namespace, name, pid, this.#host).changes === 1;
  }

  /** Takes the lock for `pid` on this host; true when it now holds it (re-entrant for the same pid, renewing it). */
  acquire(experiment: ExperimentRef, pid: number): boolean {
    return this.#acquire.immediate(experimentKey(experiment), pid);
  }

  /**
   * Extends the lease of `pid` on this host; false when it no longer holds the lock (it expired and was taken
   * over, or `hpo unlock --force` removed it): the caller must stop driving the experiment.
   */
  renew(experiment: ExperimentRef, pid: number): boolean {
    return this.#renewNow(experimentKey(experiment), pid);
  }

  /** Drops the lock if `pid` on this host holds it; someone else's lock is left alone. */
  release(experiment: ExperimentRef, pid: number): void {
    const k = experimentKey(experiment);
    this.#release.run(k.namespace, k.name, pid, this.#host);
  }

  /** Removes the lock whoever holds it and returns what it was (`hpo unlock --force`). */
  forceRemove(experiment: ExperimentRef): ExperimentLock | undefined {
    return this.#forceRemove.immediate(experimentKey(experiment));
  }

  /** Who holds the lock, if anyone (it may be stale). */
  get(experiment: ExperimentRef): ExperimentLock | undefined {
    const k = experimentKey(experiment);
    const row = this.#get.get(k.namespace, k.name);
    return row === undefined ? undefined : rowToLock(row);
  }
}
