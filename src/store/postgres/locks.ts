import { hostname } from 'node:os';
import { type LockDbRow, rowToLock } from '../codec.ts';
import { lockLeaseMs, lockStatus } from '../lockStatus.ts';
import type { ExperimentKey, ExperimentLock } from '../types.ts';
import { type Queryable, run } from './changes.ts';

/** Options of {@link PgLockTable}; tests inject the clock and the host name. */
export interface PgLockOptions {
  readonly now?: () => Date;
  readonly host?: string;
  readonly leaseMs?: number;
}

const select =
  'SELECT namespace, experiment, pid, host, acquired_at, heartbeat_at, expires_at FROM locks WHERE namespace = $1 AND experiment = $2';

const insertIfFree = `INSERT INTO locks (namespace, experiment, pid, host, acquired_at, heartbeat_at, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (namespace, experiment) DO NOTHING`;

/**
 * The `locks` table of a PostgreSQL store, with the lease rules of the SQLite store's LockTable (locks.ts): one
 * controller per experiment, renewed by heartbeats, taken over once its lease expired (any host) or its pid is
 * gone on this host. `acquire` and `forceRemove` must run inside a transaction: the row is read `FOR UPDATE`, so
 * two processes racing for a stale lock cannot both win.
 */
export class PgLockTable {
  readonly #host: string;
  readonly #now: () => Date;
  readonly #leaseMs: number;

  constructor(options: PgLockOptions = {}) {
    this.#host = options.host ?? hostname();
    this.#now = options.now ?? (() => new Date());
    this.#leaseMs = options.leaseMs ?? lockLeaseMs;
  }

  #expiry(now: Date): string {
    return new Date(now.getTime() + this.#leaseMs).toISOString();
  }

  /** Takes the lock for `pid` on this host (re-entrant, renewing); false while a live holder has it. In a transaction. */
  async acquire(q: Queryable, k: ExperimentKey, pid: number): Promise<boolean> {
    const now = this.#now();
    const iso = now.toISOString();
    const values = [k.namespace, k.name, pid, this.#host, iso, iso, this.#expiry(now)];
    // No row yet: the insert wins or loses the race atomically (the loser finds the winner's row below).
    if ((await run(q, insertIfFree, values)).rowCount === 1) return true;
    const held = (await run<LockDbRow>(q, `${select} FOR UPDATE`, [k.namespace, k.name])).rows[0];
    // Released between the two statements: whoever inserts next holds it, and it may have been someone else.
    if (held === undefined) return (await run(q, insertIfFree, values)).rowCount === 1;
    if (held.host === this.#host && held.pid === pid) return this.renew(q, k, pid);
    const status = lockStatus(rowToLock(held), now, this.#host);
    if (status.state !== 'expired' && status.state !== 'dead') return false;
    await run(
      q,
      `UPDATE locks SET pid = $3, host = $4, acquired_at = $5, heartbeat_at = $6, expires_at = $7
       WHERE namespace = $1 AND experiment = $2`,
      values,
    );
    return true;
  }

  /** Extends the lease of `pid` on this host; false when it no longer holds the lock. */
  async renew(q: Queryable, k: ExperimentKey, pid: number): Promise<boolean> {
    const now = this.#now();
    const r = await run(
      q,
      'UPDATE locks SET heartbeat_at = $1, expires_at = $2 WHERE namespace = $3 AND experiment = $4 AND pid = $5 AND host = $6',
      [now.toISOString(), this.#expiry(now), k.namespace, k.name, pid, this.#host],
    );
    return r.rowCount === 1;
  }

  /** Drops the lock if `pid` on this host holds it; someone else's lock is left alone. */
  async release(q: Queryable, k: ExperimentKey, pid: number): Promise<void> {
    await run(q, 'DELETE FROM locks WHERE namespace = $1 AND experiment = $2 AND pid = $3 AND host = $4', [
      k.namespace,
      k.name,
      pid,
      this.#host,
    ]);
  }

  /** Removes the lock whoever holds it and returns what it was (`hpo unlock --force`). */
  async forceRemove(q: Queryable, k: ExperimentKey): Promise<ExperimentLock | undefined> {
    const r = await run<LockDbRow>(
      q,
      'DELETE FROM locks WHERE namespace = $1 AND experiment = $2 RETURNING namespace, experiment, pid, host, acquired_at, heartbeat_at, expires_at',
      [k.namespace, k.name],
    );
    const row = r.rows[0];
    return row === undefined ? undefined : rowToLock(row);
  }

  /** Who holds the lock, if anyone (it may be stale). */
  async get(q: Queryable, k: ExperimentKey): Promise<ExperimentLock | undefined> {
    const row = (await run<LockDbRow>(q, select, [k.namespace, k.name])).rows[0];
    return row === undefined ? undefined : rowToLock(row);
  }
}
