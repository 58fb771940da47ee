import type { ClientBase } from 'pg';
import { defaultChangeLimit } from '../changes.ts';
import { type ChangeDbRow, changePage } from '../codec.ts';
import type { ChangeKind, ChangePage, ExperimentKey } from '../types.ts';
import { wholeNumber } from '../wholeNumber.ts';

/** What the store's statements run on: a pooled client inside a transaction, or the pool itself. */
export interface Queryable {
  query: ClientBase['query'];
}

const names = new Map<string, string>();

/**
 * Runs `text` as a named prepared statement: each connection parses and plans it once and then only binds and
 * executes it, which is most of the cost of the store's small statements (a CTE with a foreign key and a change
 * row takes longer to plan than to run). Names are per process and the statements are a fixed set (plus one per
 * distinct set of patched fields), so connections hold few.
 */
export async function run<R extends object = Record<string, unknown>>(
  q: Queryable,
  text: string,
  values: readonly unknown[] = [],
): Promise<{ rows: R[]; rowCount: number }> {
  let name = names.get(text);
  if (name === undefined) {
    name = `hpo_${names.size + 1}`;
    names.set(text, name);
  }
  const r = await q.query<R & Record<string, unknown>>({ name, text, values: [...values] });
  return { rows: r.rows, rowCount: r.rowCount ?? 0 };
}

/**
 * The advisory lock every write of a PostgreSQL store takes first, in its own transaction, held until it ends.
 * Why: `changes.seq` comes from a sequence, and sequences are not commit-ordered: writer A may draw seq 10, writer
 * B seq 11 and commit first, and a poller that read up to 11 would then never see 10. With writers serialised, a
 * seq is only drawn once every smaller one committed or rolled back, so "everything up to the largest visible
 * seq" is final. Taking it before the write itself (not just before the change row) keeps this deadlock-free: no
 * writer ever holds a row lock while it waits for the advisory lock. The price is one writer at a time per
 * database, which is SQLite's model too; its hold time is a few statements, not the trial.
 */
export async function lockWriters(q: Queryable): Promise<void> {
  await run(q, `SELECT pg_advisory_xact_lock(${writerLockKey})`);
}

/**
 * Takes the turn of experiment `k` (Store.lockTurn) until the caller's transaction ends: an advisory lock in the
 * two-key space, `turnLockClass` and a hash of the experiment's key, apart from the writers' one-key lock.
 */
export async function lockTurn(q: Queryable, k: ExperimentKey): Promise<void> {
  await run(q, `SELECT pg_advisory_xact_lock(${turnLockClass}, hashtext($1))`, [`${k.namespace}/${k.name}`]);
}

/** The first key of {@link lockTurn}'s advisory locks (an arbitrary fixed 32-bit number). */
export const turnLockClass = '720431845';

/** The key of {@link lockWriters}' advisory lock (an arbitrary fixed 63-bit number). */
export const writerLockKey = '7204318450120931102';

/** SQL for the change row's time: the server's clock in the RFC3339 form the records use. */
export const changeTimeSql = `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const columns = 'seq, namespace, experiment, kind, trial, at';

/** Records that `experiment` (and `trial`) changed, in the caller's transaction (which holds {@link lockWriters}). */
export async function recordChange(
  q: Queryable,
  experiment: ExperimentKey,
  kind: ChangeKind,
  trial?: string,
): Promise<number> {
  const r = await run<{ seq: number }>(
    q,
    `INSERT INTO changes (namespace, experiment, kind, trial, at) VALUES ($1, $2, $3, $4, ${changeTimeSql}) RETURNING seq`,
    [experiment.namespace, experiment.name, kind, trial ?? null],
  );
  return r.rows[0]?.seq ?? 0;
}

/** Drops the rows of a deleted experiment older than `before`, the seq of the change that recorded the deletion. */
export async function forgetChanges(q: Queryable, experiment: ExperimentKey, before: number): Promise<void> {
  await run(q, 'DELETE FROM changes WHERE namespace = $1 AND experiment = $2 AND seq < $3', [
    experiment.namespace,
    experiment.name,
    before,
  ]);
}

/** The changes after `since`, of one experiment or of all, at most `limit`; see {@link ChangePage}. */
export async function changesSince(
  q: Queryable,
  experiment: ExperimentKey | undefined,
  since: number,
  limit: number = defaultChangeLimit,
): Promise<ChangePage> {
  wholeNumber(since, 0, 'the change seq to read after');
  wholeNumber(limit, 1, 'the change limit');
  // As in SQLite: the latest visible seq bounds the page, so a change committed between the two reads waits for
  // the next poll. Every seq up to it is final thanks to lockWriters.
  const latest = (await run<{ m: number }>(q, 'SELECT coalesce(max(seq), 0) AS m FROM changes')).rows[0]?.m ?? 0;
  const rows =
    experiment === undefined
      ? await run<ChangeDbRow>(q, `SELECT ${columns} FROM changes WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`, [
          since,
          latest,
          limit,
        ])
      : await run<ChangeDbRow>(
          q,
          `SELECT ${columns} FROM changes WHERE namespace = $1 AND experiment = $2 AND seq > $3 AND seq <= $4 ORDER BY seq LIMIT $5`,
          [experiment.namespace, experiment.name, since, latest, limit],
        );
  return changePage(rows.rows, limit, latest);
}
