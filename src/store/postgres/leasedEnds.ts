import { type SqlValue, trialPatchColumns } from '../codec.ts';
import type { ExperimentKey, LeasedTrialEnd, TrialPatch } from '../types.ts';
import { changeTimeSql, type Queryable, run } from './changes.ts';
import { lock, trialTypes } from './recorded.ts';

// Store.endLeasedTrials on PostgreSQL: a round's trial ends in ONE statement, so the writers' lock (which every
// worker's writes wait for) is held for one round trip instead of one per trial plus the lease check and the
// transaction around them. The CTEs: `held` removes the leases whose token matches (a lease reclaimed meanwhile, or
// renewed by its own heartbeat, is re-checked by PostgreSQL's row locking), and only the trials it returns get their
// rows (`obs`), their patch (`upd`) and their change rows (`ch`); data-modifying CTEs always run to completion.

/** Every patchable trial field with its column and SQL type; bit i of an end's mask says field i is set. */
const fields = Object.entries(trialPatchColumns).map(([field, col]) => {
  const type = trialTypes.find(([c]) => c === col.column)?.[1];
  if (type === undefined) throw new Error(`trial column ${col.column} has no SQL type`);
  return { field: field as keyof TrialPatch, col, type };
});

// $1 namespace, $2 experiment, $3 trials, $4 tokens, $5 masks, $6-$10 observation columns, $11… one per field.
const first = 11;
const set = fields
  .map(({ col }, i) => `${col.column} = CASE WHEN u.m & ${2 ** i} <> 0 THEN u.f${i} ELSE trials.${col.column} END`)
  .join(', ');
const columns = fields.map(({ type }, i) => `$${first + i}::${type}[]`).join(', ');
const aliases = fields.map((_, i) => `f${i}`).join(', ');

const endSql =
  `WITH ${lock}, ` +
  'held AS (DELETE FROM trial_leases tl USING l, unnest($3::text[], $4::text[]) AS e(trial, token) ' +
  'WHERE tl.namespace = $1 AND tl.experiment = $2 AND tl.trial = e.trial AND tl.token = e.token RETURNING tl.trial), ' +
  'obs AS (INSERT INTO observation_logs (namespace, experiment, trial, step, metric, value, time) ' +
  'SELECT $1::text, $2::text, r.t, r.s, r.m, r.v, r.tm ' +
  'FROM unnest($6::text[], $7::int[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY AS r(t, s, m, v, tm, o) ' +
  'WHERE r.t IN (SELECT trial FROM held) ORDER BY r.o RETURNING trial), ' +
  `upd AS (UPDATE trials SET ${set} ` +
  `FROM unnest($3::text[], $5::int[], ${columns}) WITH ORDINALITY AS u(name, m, ${aliases}, o) ` +
  'WHERE trials.namespace = $1 AND trials.experiment = $2 AND trials.name = u.name ' +
  'AND u.name IN (SELECT trial FROM held) RETURNING trials.name AS trial, u.o), ' +
  'ch AS (INSERT INTO changes (namespace, experiment, kind, trial, at) ' +
  `SELECT $1::text, $2::text, c.kind, c.trial, ${changeTimeSql} FROM (` +
  "SELECT DISTINCT 'observations'::text AS kind, trial, 0 AS pass, 0::bigint AS o FROM obs " +
  "UNION ALL SELECT 'trial'::text, trial, 1, o FROM upd) AS c ORDER BY c.pass, c.o, c.trial RETURNING seq) " +
  'SELECT e.trial FROM unnest($3::text[]) WITH ORDINALITY AS e(trial, o) WHERE e.trial IN (SELECT trial FROM held) ' +
  'ORDER BY e.o';

/** Writes the ends whose token still holds their lease (see Store.endLeasedTrials); returns those trials in order. */
export async function endLeasedTrials(
  q: Queryable,
  k: ExperimentKey,
  ends: readonly LeasedTrialEnd[],
): Promise<string[]> {
  const rows = ends.flatMap((e) => e.rows);
  const masks: number[] = [];
  const values: SqlValue[][] = fields.map(() => []);
  for (const e of ends) {
    let mask = 0;
    fields.forEach(({ field, col }, i) => {
      const v = e.patch[field];
      if (v !== undefined) mask |= 2 ** i;
      values[i]?.push(v === undefined ? null : col.encode(v));
    });
    masks.push(mask);
  }
  const r = await run<{ trial: string }>(q, endSql, [
    k.namespace,
    k.name,
    ends.map((e) => e.trial),
    ends.map((e) => e.token),
    masks,
    rows.map((o) => o.trial),
    rows.map((o) => o.step),
    rows.map((o) => o.metric),
    rows.map((o) => o.value),
    rows.map((o) => o.time ?? null),
    ...values,
  ]);
  return r.rows.map((row) => row.trial);
}
