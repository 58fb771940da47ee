import { defaultChangeLimit } from '../changes.ts';
import {
  type ChangeDbRow,
  changePage,
  type DamageSink,
  type ExperimentRow,
  rowToExperiment,
  rowToStoredObservation,
  rowToTrial,
  type StoredObservationDbRow,
  type TrialRow,
} from '../codec.ts';
import type { ExperimentKey, ExperimentPoll, PollQuery } from '../types.ts';
import { wholeNumber } from '../wholeNumber.ts';
import { type Queryable, run } from './changes.ts';
import { experimentColumns, trialColumns } from './tables.ts';

// Store.pollExperiment on PostgreSQL: ONE statement, so a worker's turn reads everything it needs in one round trip
// (it read it in six before). The change page is bounded by the largest visible seq, as changesSince bounds it; the
// trials and rows come as JSON arrays, the experiment's columns as they are (a row of nulls once it is deleted).
const pollSql =
  'WITH latest AS (SELECT coalesce(max(seq), 0) AS m FROM changes), ' +
  'ch AS (SELECT seq, namespace, experiment, kind, trial, at FROM changes ' +
  'WHERE namespace = $1 AND experiment = $2 AND seq > $3 AND seq <= (SELECT m FROM latest) ORDER BY seq LIMIT $4) ' +
  'SELECT (SELECT m FROM latest) AS latest, ' +
  "coalesce((SELECT json_agg(ch ORDER BY ch.seq) FROM ch), '[]') AS changes, " +
  `coalesce((SELECT json_agg(t ORDER BY t.seq) FROM (SELECT ${trialColumns} FROM trials ` +
  // The names as one array, looked up by the primary key: a semi-join against the CTE was planned as a nested loop
  // over every trial of the experiment (the CTE's row count is unknown to the planner).
  "WHERE namespace = $1 AND experiment = $2 AND name = ANY (ARRAY(SELECT trial FROM ch WHERE kind = 'trial'))) AS t), " +
  "'[]') AS trials, " +
  'coalesce((SELECT json_agg(o ORDER BY o.id) FROM (SELECT id, trial, step, metric, value, time FROM observation_logs ' +
  "WHERE namespace = $1 AND experiment = $2 AND metric = $5 AND id > $6) AS o), '[]') AS rows, " +
  '(SELECT state FROM algorithm_state WHERE namespace = $1 AND experiment = $2) AS state, ' +
  // Lease times are all toISOString's fixed-width UTC form, so the smallest text is the earliest time.
  '(SELECT min(expires_at COLLATE "C") FROM trial_leases WHERE namespace = $1 AND experiment = $2) AS leases_expire_at, ' +
  'e.* ' +
  `FROM (SELECT 1) AS one LEFT JOIN (SELECT ${experimentColumns} FROM experiments ` +
  'WHERE namespace = $1 AND name = $2) AS e ON true';

interface PollRow extends Omit<ExperimentRow, 'name'> {
  name: string | null;
  latest: number;
  changes: ChangeDbRow[];
  trials: TrialRow[];
  rows: StoredObservationDbRow[];
  state: string | null;
  leases_expire_at: string | null;
}

/** JSON writes a float's NaN and infinities as strings: read back as the numbers the driver would give. */
function float<T extends number | string | null>(v: T): T | number {
  return v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v;
}

/** Reads the poll (see Store.pollExperiment); `onDamage` hears of undecodable rows, as the store's other reads do. */
export async function pollExperiment(
  q: Queryable,
  k: ExperimentKey,
  p: PollQuery,
  onDamage: DamageSink | undefined,
): Promise<ExperimentPoll> {
  wholeNumber(p.since, 0, 'the change seq to read after');
  wholeNumber(p.afterId, 0, 'the observation row id to read after');
  const limit = p.limit ?? defaultChangeLimit;
  wholeNumber(limit, 1, 'the change limit');
  const row = (await run<PollRow>(q, pollSql, [k.namespace, k.name, p.since, limit, p.metric, p.afterId])).rows[0];
  if (row === undefined) throw new Error('the poll returned no row');
  const { latest, changes, trials, rows, state, leases_expire_at, name, ...experiment } = row;
  return {
    record: name === null ? undefined : rowToExperiment({ ...experiment, name }, onDamage),
    changes: changePage(changes, limit, latest),
    trials: trials.map((t) =>
      rowToTrial({ ...t, objective: float(t.objective), budget: float(t.budget) as number | null }, onDamage),
    ),
    rows: rows.map(rowToStoredObservation),
    state: state === null ? undefined : (JSON.parse(state) as unknown),
    leasesExpireAt: leases_expire_at ?? undefined,
  };
}
