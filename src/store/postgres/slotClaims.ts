import { stateToJson, trialToRow } from '../codec.ts';
import type { ExperimentKey, SlotGrant, SlotRequest } from '../types.ts';
import { changeTimeSql, type Queryable, run } from './changes.ts';
import { lock, trialTypes } from './recorded.ts';

// Store.claimTrialSlots on PostgreSQL: a worker's whole claim in ONE statement (one round trip under the writers'
// lock): `chk` reads the next seq, the trials holding a slot, the worker's leases and the algorithm state; `n` is how
// many trials fit (-1: stale); `ins`, `lea`, `ch` and `st` store that prefix, its leases, its change rows and the
// new state. The checks read the statement's snapshot, taken before the lock in `l` was granted. What may commit in
// between is other workers' ends and reclaims, never a claim (every claim holds the experiment's turn): they change
// no count but `holding`, which a reclaim only lowers, so the budget holds. A claim that broke that rule would see a
// next seq that is too low, and its insert would fail on the trials' unique seq: an error, never a trial too many.

// $1 namespace, $2 experiment, $3 worker, $4 next seq, $5 state before (JSON), $6 state after (JSON or null),
// $7 budget (null: none), $8 parallel, $9 tokens, $10 heartbeat, $11 expiry, $12 updated_at, $13… one per column.
const first = 13;
const columns = trialTypes.map(([c]) => c).join(', ');
const arrays = trialTypes.map(([, type], i) => `$${first + i}::${type}[]`).join(', ');
const nameParam = `$${first + trialTypes.findIndex(([c]) => c === 'name')}::text[]`;

const claimSql =
  `WITH ${lock}, ` +
  'chk AS (SELECT ' +
  '(SELECT coalesce(max(seq) + 1, 0) FROM trials WHERE namespace = $1 AND experiment = $2) AS next, ' +
  "(SELECT count(*) FROM trials WHERE namespace = $1 AND experiment = $2 AND state <> 'Killed') AS holding, " +
  '(SELECT count(*) FROM trial_leases WHERE namespace = $1 AND experiment = $2 AND worker = $3) AS mine, ' +
  '(SELECT state::jsonb FROM algorithm_state WHERE namespace = $1 AND experiment = $2) AS state FROM l), ' +
  "n AS (SELECT CASE WHEN chk.next <> $4::int OR coalesce(chk.state, 'null'::jsonb) <> $5::jsonb THEN -1 " +
  'ELSE greatest(0, least(cardinality($9::text[]), coalesce($7::int - chk.holding, cardinality($9::text[])), ' +
  '$8::int - chk.mine)) END AS count FROM chk), ' +
  `ins AS (INSERT INTO trials (${columns}) SELECT ${trialTypes.map(([c]) => `u.${c}`).join(', ')} ` +
  `FROM n, unnest(${arrays}) WITH ORDINALITY AS u(${columns}, o) WHERE u.o <= n.count ` +
  'RETURNING namespace, experiment, name, seq), ' +
  'lea AS (INSERT INTO trial_leases (namespace, experiment, trial, worker, token, heartbeat_at, expires_at) ' +
  `SELECT ins.namespace, ins.experiment, ins.name, $3::text, tk.token, $10::text, $11::text FROM ins ` +
  `JOIN unnest(${nameParam}, $9::text[]) AS tk(name, token) ON tk.name = ins.name), ` +
  'ch AS (INSERT INTO changes (namespace, experiment, kind, trial, at) ' +
  `SELECT ins.namespace, ins.experiment, 'trial', ins.name, ${changeTimeSql} FROM ins ORDER BY ins.seq), ` +
  'st AS (INSERT INTO algorithm_state (namespace, experiment, state, updated_at) ' +
  'SELECT $1::text, $2::text, $6::text, $12::text FROM n WHERE n.count > 0 AND $6::text IS NOT NULL ' +
  'ON CONFLICT (namespace, experiment) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at) ' +
  'SELECT count::int AS count FROM n';

/**
 * Runs the claim (see the module comment) with `after`, the new state's JSON text (undefined leaves the state as it
 * is: see {@link stateAfterText}).
 */
export async function claimTrialSlots(
  q: Queryable,
  k: ExperimentKey,
  r: SlotRequest,
  after: string | undefined,
): Promise<SlotGrant> {
  const rows = r.trials.map(trialToRow);
  const res = await run<{ count: number }>(q, claimSql, [
    k.namespace,
    k.name,
    r.worker,
    r.nextSeq,
    JSON.stringify(r.stateBefore ?? null),
    after ?? null,
    r.maxTrialCount ?? null,
    r.parallel,
    r.tokens.slice(0, r.trials.length),
    r.heartbeatAt,
    r.expiresAt,
    new Date().toISOString(),
    ...trialTypes.map(([c]) => rows.map((row) => row[c])),
  ]);
  const count = res.rows[0]?.count ?? -1;
  return count < 0 ? { kind: 'stale' } : { kind: 'claimed', count };
}

/**
 * The JSON text `stateAfter` is saved as: undefined when there is none to save, null when the value has no JSON form
 * and so clears the state (as Store.saveAlgorithmState does), which the caller then does itself.
 */
export function stateAfterText(r: SlotRequest, k: ExperimentKey): string | undefined | null {
  if (r.stateAfter === undefined) return undefined;
  return stateToJson(r.stateAfter, `the algorithm state of experiment ${k.namespace}/${k.name}`) ?? null;
}
