import {
  type EventDbRow,
  type ExperimentRow,
  type ObservationDbRow,
  rowToStoredObservation,
  type StoredObservationDbRow,
  type TrialRow,
} from '../codec.ts';
import { checkedObservationQuery } from '../observationPages.ts';
import type { ExperimentKey, ObservationQuery, StoredObservation } from '../types.ts';
import { type Queryable, run } from './changes.ts';

// The statements of the PostgreSQL store, one function each, run on a pooled client (inside a transaction) or on
// the pool. Text keys sort with COLLATE "C" (byte order), as SQLite sorts them, whatever the database's locale.

/** The experiments table's columns as the store reads them. */
export const experimentColumns =
  'name, namespace, manifest, phase, reason, message, seed, source_path, created_at, updated_at, completed_at';
/** The trials table's columns as the store reads them. */
export const trialColumns: string =
  'namespace, experiment, name, seq, params, state, reason, message, objective, metrics, budget, parent, labels, explain, ' +
  'work_dir, exit_code, created_at, started_at, completed_at';

/** The experiment row with key `k`, or undefined. */
export async function getExperiment(q: Queryable, k: ExperimentKey): Promise<ExperimentRow | undefined> {
  const r = await run<ExperimentRow>(
    q,
    `SELECT ${experimentColumns} FROM experiments WHERE namespace = $1 AND name = $2`,
    [k.namespace, k.name],
  );
  return r.rows[0];
}

/** Every experiment row (of `namespace` when given), oldest first. */
export async function listExperiments(q: Queryable, namespace?: string): Promise<ExperimentRow[]> {
  const r =
    namespace === undefined
      ? await run<ExperimentRow>(
          q,
          `SELECT ${experimentColumns} FROM experiments ORDER BY created_at COLLATE "C", namespace COLLATE "C", name COLLATE "C"`,
        )
      : await run<ExperimentRow>(
          q,
          `SELECT ${experimentColumns} FROM experiments WHERE namespace = $1 ORDER BY created_at COLLATE "C", name COLLATE "C"`,
          [namespace],
        );
  return r.rows;
}

/** True when experiment `k` exists. */
export async function experimentExists(q: Queryable, k: ExperimentKey): Promise<boolean> {
  const r = await run(q, 'SELECT 1 FROM experiments WHERE namespace = $1 AND name = $2', [k.namespace, k.name]);
  return r.rows.length > 0;
}

/** Removes experiment `k` and every row of it, children first; returns 0 when it did not exist. */
export async function deleteExperiment(q: Queryable, k: ExperimentKey): Promise<number> {
  const key = [k.namespace, k.name];
  for (const table of ['observation_logs', 'trials', 'events', 'algorithm_state']) {
    await run(q, `DELETE FROM ${table} WHERE namespace = $1 AND experiment = $2`, key);
  }
  return (await run(q, 'DELETE FROM experiments WHERE namespace = $1 AND name = $2', key)).rowCount ?? 0;
}

/** Trial `name` of `k`, or undefined. */
export async function getTrial(q: Queryable, k: ExperimentKey, name: string): Promise<TrialRow | undefined> {
  const r = await run<TrialRow>(
    q,
    `SELECT ${trialColumns} FROM trials WHERE namespace = $1 AND experiment = $2 AND name = $3`,
    [k.namespace, k.name, name],
  );
  return r.rows[0];
}

/** The trials of `k` in creation (seq) order. */
export async function listTrials(q: Queryable, k: ExperimentKey): Promise<TrialRow[]> {
  const r = await run<TrialRow>(
    q,
    `SELECT ${trialColumns} FROM trials WHERE namespace = $1 AND experiment = $2 ORDER BY seq`,
    [k.namespace, k.name],
  );
  return r.rows;
}

/** The trials of `k` named `names`, in seq order. */
export async function getTrials(q: Queryable, k: ExperimentKey, names: readonly string[]): Promise<TrialRow[]> {
  const r = await run<TrialRow>(
    q,
    `SELECT ${trialColumns} FROM trials WHERE namespace = $1 AND experiment = $2 AND name = ANY($3::text[]) ORDER BY seq`,
    [k.namespace, k.name, names],
  );
  return r.rows;
}

/** How many trials `k` has. */
export async function countTrials(q: Queryable, k: ExperimentKey): Promise<number> {
  const r = await run<{ n: number }>(q, 'SELECT count(*) AS n FROM trials WHERE namespace = $1 AND experiment = $2', [
    k.namespace,
    k.name,
  ]);
  return r.rows[0]?.n ?? 0;
}

/** Store.tallyTrials: the next seq and the trials not Killed, in one statement. */
export async function tallyTrials(q: Queryable, k: ExperimentKey): Promise<{ nextSeq: number; holding: number }> {
  const r = await run<{ next_seq: number; holding: number }>(
    q,
    `SELECT coalesce(max(seq) + 1, 0)::int AS next_seq, (count(*) FILTER (WHERE state <> 'Killed'))::int AS holding
     FROM trials WHERE namespace = $1 AND experiment = $2`,
    [k.namespace, k.name],
  );
  return { nextSeq: r.rows[0]?.next_seq ?? 0, holding: r.rows[0]?.holding ?? 0 };
}

/** Observations of one trial (of one metric when given) in id order. */
export async function getObservations(
  q: Queryable,
  k: ExperimentKey,
  trial: string,
  metric?: string,
): Promise<ObservationDbRow[]> {
  const base =
    'SELECT trial, step, metric, value, time FROM observation_logs WHERE namespace = $1 AND experiment = $2 AND trial = $3';
  const r =
    metric === undefined
      ? await run<ObservationDbRow>(q, `${base} ORDER BY id`, [k.namespace, k.name, trial])
      : await run<ObservationDbRow>(q, `${base} AND metric = $4 ORDER BY id`, [k.namespace, k.name, trial, metric]);
  return r.rows;
}

/** A page of an experiment's observations, as ObservationPages reads them from SQLite; see {@link ObservationQuery}. */
export async function observationPage(
  q: Queryable,
  k: ExperimentKey,
  query: ObservationQuery = {},
): Promise<StoredObservation[]> {
  const { metric, trials, afterId, limit } = checkedObservationQuery(query);
  if (trials?.length === 0) return [];
  const params: unknown[] = [k.namespace, k.name, afterId];
  let sql =
    'SELECT id, trial, step, metric, value, time FROM observation_logs WHERE namespace = $1 AND experiment = $2 AND id > $3';
  if (metric !== undefined) {
    params.push(metric);
    sql += ` AND metric = $${params.length}`;
  }
  if (trials !== undefined) {
    params.push(trials);
    sql += ` AND trial = ANY($${params.length}::text[])`;
  }
  // LIMIT NULL is PostgreSQL's "no limit".
  params.push(limit ?? null);
  sql += ` ORDER BY id LIMIT $${params.length}`;
  const r = await run<StoredObservationDbRow>(q, sql, params);
  return r.rows.map(rowToStoredObservation);
}

/** The algorithm state text of `k`, or undefined. */
export async function loadState(q: Queryable, k: ExperimentKey): Promise<string | undefined> {
  const r = await run<{ state: string }>(
    q,
    'SELECT state FROM algorithm_state WHERE namespace = $1 AND experiment = $2',
    [k.namespace, k.name],
  );
  return r.rows[0]?.state;
}

/** The newest `limit` events of `k` (all when undefined), oldest first. */
export async function listEvents(q: Queryable, k: ExperimentKey, limit: number | undefined): Promise<EventDbRow[]> {
  const r = await run<EventDbRow>(
    q,
    'SELECT namespace, experiment, trial, type, reason, message, time FROM ' +
      '(SELECT * FROM events WHERE namespace = $1 AND experiment = $2 ORDER BY id DESC LIMIT $3) AS newest ORDER BY id',
    [k.namespace, k.name, limit ?? null],
  );
  return r.rows;
}
