import { hostname } from 'node:os';
import type BetterSqlite3 from 'better-sqlite3';
import type { ExperimentLock } from './types.ts';

/** True when a process with `pid` exists on this host (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
  // pid 0 and negatives address process groups; they never name a lock owner.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user; ESRCH: no such process.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockDbRow {
  experiment: string;
  pid: number;
  host: string;
  acquired_at: string;
}

/**
 * The `locks` table: at most one controller per experiment. SQLite's own locking keeps concurrent writes safe,
 * but two controllers driving the same experiment would both ask for suggestions and launch duplicate trials,
 * so `hpo run`/`hpo resume` take this lock first. A lock whose owner died (kill -9, power loss of a process)
 * is stale when its pid is gone on this host and may be taken over; a lock held from another host cannot be
 * checked from here and is never taken over.
 */
export class LockTable {
  readonly #host: string = hostname();
  readonly #get: BetterSqlite3.Statement<[string], LockDbRow>;
  readonly #upsert: BetterSqlite3.Statement<[string, number, string, string]>;
  readonly #release: BetterSqlite3.Statement<[string, number, string]>;
  readonly #acquire: BetterSqlite3.Transaction<(experiment: string, pid: number) => boolean>;

  constructor(db: BetterSqlite3.Database) {
    this.#get = db.prepare('SELECT experiment, pid, host, acquired_at FROM locks WHERE experiment = ?');
    this.#upsert = db.prepare(
      `INSERT INTO locks (experiment, pid, host, acquired_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(experiment) DO UPDATE SET pid = excluded.pid, host = excluded.host, acquired_at = excluded.acquired_at`,
    );
    this.#release = db.prepare('DELETE FROM locks WHERE experiment = ? AND pid = ? AND host = ?');
    // Read and write under one write lock so two processes racing for a stale lock cannot both win.
    this.#acquire = db.transaction((experiment: string, pid: number): boolean => {
      const held = this.#get.get(experiment);
      if (held !== undefined) {
        if (held.host !== this.#host) return false;
        if (held.pid === pid) return true;
        if (isProcessAlive(held.pid)) return false;
      }
      this.#upsert.run(experiment, pid, this.#host, new Date().toISOString());
      return true;
    });
  }

  /** Takes the lock for `pid` on this host; true when it now holds it (re-entrant for the same pid). */
  acquire(experiment: string, pid: number): boolean {
    return this.#acquire.immediate(experiment, pid);
  }

  /** Drops the lock if `pid` on this host holds it; someone else's lock is left alone. */
  release(experiment: string, pid: number): void {
    this.#release.run(experiment, pid, this.#host);
  }

  /** Who holds the lock, if anyone (it may be stale). */
  get(experiment: string): ExperimentLock | undefined {
    const row = this.#get.get(experiment);
    if (row === undefined) return undefined;
    return { experiment: row.experiment, pid: row.pid, host: row.host, acquiredAt: row.acquired_at };
  }
}
