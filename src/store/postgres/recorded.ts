import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { ExperimentRow, PatchColumn, SqlValue, TrialRow } from '../codec.ts';
import { experimentPatchColumns, trialPatchColumns } from '../codec.ts';
import type { ChangeKind, EventRow, ExperimentKey, ExperimentPatch, ObservationRow, TrialPatch } from '../types.ts';
import { changeTimeSql, type Queryable, run, writerLockKey } from './changes.ts';

// The PostgreSQL store's frequent writes, each ONE statement that takes the writers' advisory lock (changes.ts),
// writes, and adds its change row: outside a transaction that is one round trip and a transaction by itself.
// The lock is a CTE (`l`) that the write reads from, so it is taken before the write forms or locks any row, and
// the change insert reads `l` too, so its seq is drawn under the lock whatever order the planner picks.
// Parameters carry explicit casts: in `INSERT … SELECT` PostgreSQL would not infer them from the columns.

/** The CTE `l` that takes the writers' lock; a write reads from it (see the module comment). */
export const lock: string = `l AS (SELECT pg_advisory_xact_lock(${writerLockKey}) AS locked)`;

/** `write` (over `l`, returning namespace, experiment and trial) followed by its change rows of `kind`. */
function recorded(write: string, kind: ChangeKind): string {
  return (
    `WITH ${lock}, w AS (${write}) INSERT INTO changes (namespace, experiment, kind, trial, at) ` +
    `SELECT w.namespace, w.experiment, '${kind}', w.trial, ${changeTimeSql} FROM l, w RETURNING seq`
  );
}

const typed = (columns: readonly (readonly [string, string])[]): string =>
  columns.map(([, type], i) => `$${i + 1}::${type}`).join(', ');

const experimentTypes = [
  ['name', 'text'],
  ['namespace', 'text'],
  ['manifest', 'text'],
  ['phase', 'text'],
  ['reason', 'text'],
  ['message', 'text'],
  ['seed', 'bigint'],
  ['source_path', 'text'],
  ['created_at', 'text'],
  ['updated_at', 'text'],
  ['completed_at', 'text'],
] as const satisfies readonly (readonly [keyof ExperimentRow, string])[];

/** The trials table's columns and their SQL types, as the typed inserts cast their parameters. */
export const trialTypes: readonly (readonly [keyof TrialRow, string])[] = [
  ['namespace', 'text'],
  ['experiment', 'text'],
  ['name', 'text'],
  ['seq', 'integer'],
  ['params', 'text'],
  ['state', 'text'],
  ['reason', 'text'],
  ['message', 'text'],
  ['objective', 'double precision'],
  ['metrics', 'text'],
  ['budget', 'double precision'],
  ['parent', 'text'],
  ['labels', 'text'],
  ['explain', 'text'],
  ['work_dir', 'text'],
  ['exit_code', 'integer'],
  ['created_at', 'text'],
  ['started_at', 'text'],
  ['completed_at', 'text'],
];

const insertExperimentSql = recorded(
  `INSERT INTO experiments (${experimentTypes.map(([c]) => c).join(', ')}) SELECT ${typed(experimentTypes)} FROM l ` +
    'RETURNING namespace, name AS experiment, NULL::text AS trial',
  'experiment',
);
const insertTrialSql = recorded(
  `INSERT INTO trials (${trialTypes.map(([c]) => c).join(', ')}) SELECT ${typed(trialTypes)} FROM l ` +
    'RETURNING namespace, experiment, name AS trial',
  'trial',
);
const insertEventSql = recorded(
  'INSERT INTO events (namespace, experiment, trial, type, reason, message, time) ' +
    'SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text FROM l ' +
    'RETURNING namespace, experiment, trial',
  'event',
);
// One change per trial of the batch, in the order the trials first appear ($8, deduplicated by the caller).
const insertObservationsSql =
  `WITH ${lock}, w AS (INSERT INTO observation_logs (namespace, experiment, trial, step, metric, value, time) ` +
  'SELECT $1::text, $2::text, t, s, m, v, tm FROM l, unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[]) AS r(t, s, m, v, tm) ' +
  'RETURNING 1) INSERT INTO changes (namespace, experiment, kind, trial, at) ' +
  `SELECT $1::text, $2::text, 'observations', u.t, ${changeTimeSql} FROM l, unnest($8::text[]) WITH ORDINALITY AS u(t, o) ` +
  'WHERE EXISTS (SELECT 1 FROM w) ORDER BY u.o RETURNING seq';

/** Inserts an experiment row and its change. */
export async function insertExperiment(q: Queryable, row: ExperimentRow): Promise<void> {
  await run(
    q,
    insertExperimentSql,
    experimentTypes.map(([c]) => row[c]),
  );
}

/** Inserts a trial row and its change. */
export async function insertTrial(q: Queryable, row: TrialRow): Promise<void> {
  await run(
    q,
    insertTrialSql,
    trialTypes.map(([c]) => row[c]),
  );
}

// Several trials in one statement: one array per column, unnested into rows; their changes in seq order.
const insertTrialsSql =
  `WITH ${lock}, w AS (INSERT INTO trials (${trialTypes.map(([c]) => c).join(', ')}) ` +
  `SELECT u.* FROM l, unnest(${trialTypes.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}) AS u ` +
  'RETURNING namespace, experiment, name AS trial, seq) INSERT INTO changes (namespace, experiment, kind, trial, at) ' +
  `SELECT w.namespace, w.experiment, 'trial', w.trial, ${changeTimeSql} FROM l, w ORDER BY w.seq RETURNING seq`;

/** Inserts several trials and their changes in one statement. */
export async function insertTrials(q: Queryable, rows: readonly TrialRow[]): Promise<void> {
  await run(
    q,
    insertTrialsSql,
    trialTypes.map(([c]) => rows.map((row) => row[c])),
  );
}

/** Inserts an event and its change. */
export async function insertEvent(q: Queryable, namespace: string, ev: EventRow): Promise<void> {
  await run(q, insertEventSql, [namespace, ev.experiment, ev.trial ?? null, ev.type, ev.reason, ev.message, ev.time]);
}

/** Inserts observation rows (ids in the order given) and one change per trial. */
export async function insertObservations(
  q: Queryable,
  k: ExperimentKey,
  rows: readonly ObservationRow[],
): Promise<void> {
  await run(q, insertObservationsSql, [
    k.namespace,
    k.name,
    rows.map((r) => r.trial),
    rows.map((r) => r.step),
    rows.map((r) => r.metric),
    rows.map((r) => r.value),
    rows.map((r) => r.time ?? null),
    [...new Set(rows.map((r) => r.trial))],
  ]);
}

interface PatchTarget {
  readonly table: string;
  readonly keyColumns: readonly string[];
  readonly returning: string;
  readonly kind: ChangeKind;
  readonly columns: Readonly<Record<string, PatchColumn>>;
  readonly what: string;
}

const experimentTarget: PatchTarget = {
  table: 'experiments',
  keyColumns: ['namespace', 'name'],
  returning: 'experiments.namespace, experiments.name AS experiment, NULL::text AS trial',
  kind: 'experiment',
  columns: experimentPatchColumns,
  what: 'experiment',
};
const trialTarget: PatchTarget = {
  table: 'trials',
  keyColumns: ['namespace', 'experiment', 'name'],
  returning: 'trials.namespace, trials.experiment, trials.name AS trial',
  kind: 'trial',
  columns: trialPatchColumns,
  what: 'trial',
};

/**
 * `UPDATE <only the patched columns>` plus its change row when a row changed: returns the rows changed, or -1 for
 * an empty patch (nothing runs). Column names come only from the codec's whitelist, never from the caller.
 */
async function patchRow(q: Queryable, target: PatchTarget, key: readonly SqlValue[], patch: object): Promise<number> {
  const names: string[] = [];
  const values: SqlValue[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const col = Object.hasOwn(target.columns, field) ? target.columns[field] : undefined;
    if (col === undefined) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `cannot update ${target.what} field "${field}"`);
    }
    names.push(col.column);
    values.push(col.encode(value));
  }
  if (names.length === 0) return -1;
  const set = names.map((n, i) => `${n} = $${i + 1}`).join(', ');
  const where = target.keyColumns.map((c, i) => `${target.table}.${c} = $${names.length + i + 1}`).join(' AND ');
  const sql = recorded(
    `UPDATE ${target.table} SET ${set} FROM l WHERE ${where} RETURNING ${target.returning}`,
    target.kind,
  );
  return (await run(q, sql, [...values, ...key])).rowCount ?? 0;
}

/** Applies `patch` to experiment `k` (with its change); the rows changed, or -1 for an empty patch. */
export function patchExperiment(q: Queryable, k: ExperimentKey, patch: ExperimentPatch): Promise<number> {
  return patchRow(q, experimentTarget, [k.namespace, k.name], patch);
}

/** Applies `patch` to trial `name` of `k` (with its change); the rows changed, or -1 for an empty patch. */
export function patchTrial(q: Queryable, k: ExperimentKey, name: string, patch: TrialPatch): Promise<number> {
  return patchRow(q, trialTarget, [k.namespace, k.name, name], patch);
}

/** Writes (or replaces) the algorithm state text of `k`, under the writers' lock (no change row: not in the feed). */
export async function saveState(q: Queryable, k: ExperimentKey, text: string): Promise<void> {
  await run(
    q,
    `WITH ${lock} INSERT INTO algorithm_state (namespace, experiment, state, updated_at)
     SELECT $1::text, $2::text, $3::text, $4::text FROM l
     ON CONFLICT (namespace, experiment) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [k.namespace, k.name, text, new Date().toISOString()],
  );
}

/** Removes the algorithm state of `k`, under the writers' lock. */
export async function deleteState(q: Queryable, k: ExperimentKey): Promise<void> {
  await run(q, `WITH ${lock} DELETE FROM algorithm_state USING l WHERE namespace = $1 AND experiment = $2`, [
    k.namespace,
    k.name,
  ]);
}
