import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import {
  type EventDbRow,
  type ExperimentRow,
  experimentPatchColumns,
  type ObservationDbRow,
  type PatchColumn,
  type SqlValue,
  type TrialRow,
  trialPatchColumns,
} from '../codec.ts';
import type {
  EventRow,
  ExperimentKey,
  ExperimentPatch,
  ObservationQuery,
  ObservationRow,
  StoredObservation,
  TrialPatch,
} from '../types.ts';
import { wholeNumber } from '../wholeNumber.ts';
import type { Queryable } from './changes.ts';

// The statements of the PostgreSQL store, one function each, run on a pooled client (inside a transaction) or on
// the pool. Text keys sort with COLLATE "C" (byte order), as SQLite sorts them, whatever the database's locale.

const experimentColumns =
  'name, namespace, manifest, phase, reason, message, seed, source_path, created_at, updated_at, completed_at';
const trialColumns =
  'namespace, experiment, name, seq, params, state, reason, message, objective, metrics, budget, parent, labels, explain, ' +
  'work_dir, exit_code, created_at, started_at, completed_at';
const placeholders = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');

const trialKeys: readonly (keyof TrialRow)[] = trialColumns.split(', ') as (keyof TrialRow)[];
const experimentKeys: readonly (keyof ExperimentRow)[] = experimentColumns.split(', ') as (keyof ExperimentRow)[];

/** Inserts an experiment row. */
export async function insertExperiment(q: Queryable, row: ExperimentRow): Promise<void> {
  await q.query(
    `INSERT INTO experiments (${experimentColumns}) VALUES (${placeholders(experimentKeys.length)})`,
    experimentKeys.map((k) => row[k]),
  );
}

/** The experiment row with key `k`, or undefined. */
export async function getExperiment(q: Queryable, k: ExperimentKey): Promise<ExperimentRow | undefined> {
  const r = await q.query<ExperimentRow>(
    `SELECT ${experimentColumns} FROM experiments WHERE namespace = $1 AND name = $2`,
    [k.namespace, k.name],
  );
  return r.rows[0];
}

/** Every experiment row (of `namespace` when given), oldest first. */
export async function listExperiments(q: Queryable, namespace?: string): Promise<ExperimentRow[]> {
  const r =
    namespace === undefined
      ? await q.query<ExperimentRow>(
          `SELECT ${experimentColumns} FROM experiments ORDER BY created_at COLLATE "C", namespace COLLATE "C", name COLLATE "C"`,
        )
      : await q.query<ExperimentRow>(
          `SELECT ${experimentColumns} FROM experiments WHERE namespace = $1 ORDER BY created_at COLLATE "C", name COLLATE "C"`,
          [namespace],
        );
  return r.rows;
}

/** True when experiment `k` exists. */
export async function experimentExists(q: Queryable, k: ExperimentKey): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM experiments WHERE namespace = $1 AND name = $2', [k.namespace, k.name]);
  return r.rows.length > 0;
}

/** Removes experiment `k` and every row of it, children first; returns 0 when it did not exist. */
export async function deleteExperiment(q: Queryable, k: ExperimentKey): Promise<number> {
  const key = [k.namespace, k.name];
  for (const table of ['observation_logs', 'trials', 'events', 'algorithm_state']) {
    await q.query(`DELETE FROM ${table} WHERE namespace = $1 AND experiment = $2`, key);
  }
  return (await q.query('DELETE FROM experiments WHERE namespace = $1 AND name = $2', key)).rowCount ?? 0;
}

/**
 * `UPDATE table SET <patched columns> WHERE <key>`: returns the rows changed, or -1 for an empty patch. Column
 * names come only from the codec's whitelist, never from the caller.
 */
async function patchRow(
  q: Queryable,
  options: {
    table: string;
    keyColumns: readonly string[];
    columns: Readonly<Record<string, PatchColumn>>;
    what: string;
  },
  key: readonly SqlValue[],
  patch: object,
): Promise<number> {
  const names: string[] = [];
  const values: SqlValue[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const col = Object.hasOwn(options.columns, field) ? options.columns[field] : undefined;
    if (col === undefined) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `cannot update ${options.what} field "${field}"`);
    }
    names.push(col.column);
    values.push(col.encode(value));
  }
  if (names.length === 0) return -1;
  const set = names.map((n, i) => `${n} = $${i + 1}`).join(', ');
  const where = options.keyColumns.map((c, i) => `${c} = $${names.length + i + 1}`).join(' AND ');
  return (await q.query(`UPDATE ${options.table} SET ${set} WHERE ${where}`, [...values, ...key])).rowCount ?? 0;
}

/** Applies `patch` to experiment `k`; the rows changed, or -1 for an empty patch. */
export function patchExperiment(q: Queryable, k: ExperimentKey, patch: ExperimentPatch): Promise<number> {
  const options = {
    table: 'experiments',
    keyColumns: ['namespace', 'name'],
    columns: experimentPatchColumns,
    what: 'experiment',
  };
  return patchRow(q, options, [k.namespace, k.name], patch);
}

/** Applies `patch` to trial `name` of `k`; the rows changed, or -1 for an empty patch. */
export function patchTrial(q: Queryable, k: ExperimentKey, name: string, patch: TrialPatch): Promise<number> {
  const options = {
    table: 'trials',
    keyColumns: ['namespace', 'experiment', 'name'],
    columns: trialPatchColumns,
    what: 'trial',
  };
  return patchRow(q, options, [k.namespace, k.name, name], patch);
}

/** Inserts a trial row. */
export async function insertTrial(q: Queryable, row: TrialRow): Promise<void> {
  await q.query(
    `INSERT INTO trials (${trialColumns}) VALUES (${placeholders(trialKeys.length)})`,
    trialKeys.map((k) => row[k]),
  );
}

/** Trial `name` of `k`, or undefined. */
export async function getTrial(q: Queryable, k: ExperimentKey, name: string): Promise<TrialRow | undefined> {
  const r = await q.query<TrialRow>(
    `SELECT ${trialColumns} FROM trials WHERE namespace = $1 AND experiment = $2 AND name = $3`,
    [k.namespace, k.name, name],
  );
  return r.rows[0];
}

/** The trials of `k` in creation (seq) order. */
export async function listTrials(q: Queryable, k: ExperimentKey): Promise<TrialRow[]> {
  const r = await q.query<TrialRow>(
    `SELECT ${trialColumns} FROM trials WHERE namespace = $1 AND experiment = $2 ORDER BY seq`,
    [k.namespace, k.name],
  );
  return r.rows;
}

/** How many trials `k` has. */
export async function countTrials(q: Queryable, k: ExperimentKey): Promise<number> {
  const r = await q.query<{ n: number }>('SELECT count(*) AS n FROM trials WHERE namespace = $1 AND experiment = $2', [
    k.namespace,
    k.name,
  ]);
  return r.rows[0]?.n ?? 0;
}

/** Inserts observation rows in one statement; their ids follow the order of `rows`. */
export async function insertObservations(
  q: Queryable,
  k: ExperimentKey,
  rows: readonly ObservationRow[],
): Promise<void> {
  // One statement for a batch of any size: the rows travel as five arrays, and unnest yields them in order, so the
  // identity hands out ids in the order given.
  await q.query(
    `INSERT INTO observation_logs (namespace, experiment, trial, step, metric, value, time)
     SELECT $1, $2, t, s, m, v, tm FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[]) AS r(t, s, m, v, tm)`,
    [
      k.namespace,
      k.name,
      rows.map((r) => r.trial),
      rows.map((r) => r.step),
      rows.map((r) => r.metric),
      rows.map((r) => r.value),
      rows.map((r) => r.time ?? null),
    ],
  );
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
      ? await q.query<ObservationDbRow>(`${base} ORDER BY id`, [k.namespace, k.name, trial])
      : await q.query<ObservationDbRow>(`${base} AND metric = $4 ORDER BY id`, [k.namespace, k.name, trial, metric]);
  return r.rows;
}

interface StoredObservationDbRow extends ObservationDbRow {
  id: number;
}

/** A page of an experiment's observations, as ObservationPages reads them from SQLite; see {@link ObservationQuery}. */
export async function observationPage(
  q: Queryable,
  k: ExperimentKey,
  query: ObservationQuery = {},
): Promise<StoredObservation[]> {
  const { metric, trials, afterId = 0, limit } = query;
  wholeNumber(afterId, 0, 'afterId');
  if (limit !== undefined) wholeNumber(limit, 1, 'the observation limit');
  if (trials !== undefined && !(Array.isArray(trials) && trials.every((t) => typeof t === 'string'))) {
    throw new WorkbenchError(ErrorCode.invalidArgument, 'trials must be a list of trial names');
  }
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
  const r = await q.query<StoredObservationDbRow>(sql, params);
  return r.rows.map((row) => {
    const obs: { -readonly [K in keyof StoredObservation]: StoredObservation[K] } = {
      id: row.id,
      trial: row.trial,
      metric: row.metric,
      value: row.value,
      step: row.step,
    };
    if (row.time !== null) obs.time = row.time;
    return obs;
  });
}

/** Writes (or replaces) the algorithm state text of `k`. */
export async function saveState(q: Queryable, k: ExperimentKey, text: string): Promise<void> {
  await q.query(
    `INSERT INTO algorithm_state (namespace, experiment, state, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (namespace, experiment) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [k.namespace, k.name, text, new Date().toISOString()],
  );
}

/** Removes the algorithm state of `k`. */
export async function deleteState(q: Queryable, k: ExperimentKey): Promise<void> {
  await q.query('DELETE FROM algorithm_state WHERE namespace = $1 AND experiment = $2', [k.namespace, k.name]);
}

/** The algorithm state text of `k`, or undefined. */
export async function loadState(q: Queryable, k: ExperimentKey): Promise<string | undefined> {
  const r = await q.query<{ state: string }>(
    'SELECT state FROM algorithm_state WHERE namespace = $1 AND experiment = $2',
    [k.namespace, k.name],
  );
  return r.rows[0]?.state;
}

/** Inserts an event. */
export async function insertEvent(q: Queryable, namespace: string, ev: EventRow): Promise<void> {
  await q.query(
    'INSERT INTO events (namespace, experiment, trial, type, reason, message, time) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [namespace, ev.experiment, ev.trial ?? null, ev.type, ev.reason, ev.message, ev.time],
  );
}

/** The newest `limit` events of `k` (all when undefined), oldest first. */
export async function listEvents(q: Queryable, k: ExperimentKey, limit: number | undefined): Promise<EventDbRow[]> {
  const r = await q.query<EventDbRow>(
    'SELECT namespace, experiment, trial, type, reason, message, time FROM ' +
      '(SELECT * FROM events WHERE namespace = $1 AND experiment = $2 ORDER BY id DESC LIMIT $3) AS newest ORDER BY id',
    [k.namespace, k.name, limit ?? null],
  );
  return r.rows;
}
