import type BetterSqlite3 from 'better-sqlite3';
import { type ChangeDbRow, changePage } from './codec.ts';
import type { ChangeKind, ChangePage, ExperimentKey } from './types.ts';
import { wholeNumber } from './wholeNumber.ts';

/** How many changes one read returns when the caller gives no limit. */
export const defaultChangeLimit = 1000;

const columns = 'seq, namespace, experiment, kind, trial, at';

/**
 * The store's change feed (table `changes`, schema 4): the SQLite store calls `record` inside the transaction of
 * each write, so a change is visible exactly when the write is; readers poll `since`. Rows are kept as long as
 * their experiment: a reader that polls late still learns everything that changed, and the feed grows by one
 * small row per write call, far less than the observations and events those writes store. `forget` drops an
 * experiment's older rows when it is deleted. A poll reads by seq (the rowid) from where the last one stopped, so
 * its cost follows what was written since, not the size of the feed.
 */
export class ChangeLog {
  readonly #insert: BetterSqlite3.Statement<[string, string, string, string | null]>;
  readonly #latest: BetterSqlite3.Statement<[], number>;
  readonly #all: BetterSqlite3.Statement<[number, number, number], ChangeDbRow>;
  readonly #ofExperiment: BetterSqlite3.Statement<[string, string, number, number, number], ChangeDbRow>;
  readonly #forget: BetterSqlite3.Statement<[string, string, number]>;

  /** Prepares the feed's statements on `db`, whose schema must have the `changes` table. */
  constructor(db: BetterSqlite3.Database) {
    // The time is SQLite's clock in the RFC3339 form the records use, so recording binds no JS Date per write.
    this.#insert = db.prepare(
      "INSERT INTO changes (namespace, experiment, kind, trial, at) VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    );
    // max() of the rowid is one step down the table's b-tree.
    this.#latest = db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM changes').pluck();
    this.#all = db.prepare(`SELECT ${columns} FROM changes WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`);
    this.#ofExperiment = db.prepare(
      `SELECT ${columns} FROM changes WHERE namespace = ? AND experiment = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
    );
    this.#forget = db.prepare('DELETE FROM changes WHERE namespace = ? AND experiment = ? AND seq < ?');
  }

  /** Records that `experiment` (and `trial`) changed, in the caller's transaction; returns the change's seq. */
  record(experiment: ExperimentKey, kind: ChangeKind, trial?: string): number {
    return Number(this.#insert.run(experiment.namespace, experiment.name, kind, trial ?? null).lastInsertRowid);
  }

  /**
   * Drops the rows of a deleted experiment older than `before`, the seq of the change that recorded the deletion:
   * that row stays, so the largest seq is never deleted and never given out again.
   */
  forget(experiment: ExperimentKey, before: number): void {
    this.#forget.run(experiment.namespace, experiment.name, before);
  }

  /** The changes after `since`, of one experiment or of all, at most `limit`; see {@link ChangePage}. */
  since(experiment: ExperimentKey | undefined, since: number, limit: number = defaultChangeLimit): ChangePage {
    wholeNumber(since, 0, 'the change seq to read after');
    wholeNumber(limit, 1, 'the change limit');
    // The latest seq is read first and bounds the page: a write committed between the two reads is left for the
    // next poll instead of being skipped by a position past it.
    const latest = this.#latest.get() ?? 0;
    const rows =
      experiment === undefined
        ? this.#all.all(since, latest, limit)
        : this.#ofExperiment.all(experiment.namespace, experiment.name, since, latest, limit);
    return changePage(rows, limit, latest);
  }
}
