import { type LeaseDbRow, leaseValues, rowToTrialLease } from '../trialLeases.ts';
import type { ExperimentKey, TrialLease } from '../types.ts';
import { type Queryable, run } from './changes.ts';
import { lock } from './recorded.ts';

// The `trial_leases` statements of the PostgreSQL store (schema 2), the same table as SQLite's schema 6. The
// caller runs the writes under the writers' lock (see changes.ts lockWriters), except renewLeases, which takes it.

const columns = 'namespace, experiment, trial, worker, token, heartbeat_at, expires_at';

/** Writes `lease`, replacing the trial's previous one. */
export async function putLease(q: Queryable, lease: TrialLease): Promise<void> {
  await run(
    q,
    `INSERT INTO trial_leases (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (namespace, experiment, trial) DO UPDATE SET worker = excluded.worker, token = excluded.token,
       heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
    leaseValues(lease),
  );
}

/** Writes several leases in one statement (one array per column), each replacing the trial's previous one. */
export async function putLeases(q: Queryable, leases: readonly TrialLease[]): Promise<void> {
  const rows = leases.map(leaseValues);
  const arrays = Array.from({ length: 7 }, (_, i) => rows.map((r) => r[i]));
  await run(
    q,
    `INSERT INTO trial_leases (${columns})
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
     ON CONFLICT (namespace, experiment, trial) DO UPDATE SET worker = excluded.worker, token = excluded.token,
       heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at`,
    arrays,
  );
}

/** Removes the leases of `trials`. */
export async function deleteLeases(q: Queryable, k: ExperimentKey, trials: readonly string[]): Promise<void> {
  await run(q, 'DELETE FROM trial_leases WHERE namespace = $1 AND experiment = $2 AND trial = ANY($3::text[])', [
    k.namespace,
    k.name,
    trials,
  ]);
}

/** The leases of experiment `k`, by trial name. */
export async function listLeases(q: Queryable, k: ExperimentKey): Promise<TrialLease[]> {
  const r = await run<LeaseDbRow>(
    q,
    `SELECT ${columns} FROM trial_leases WHERE namespace = $1 AND experiment = $2 ORDER BY trial COLLATE "C"`,
    [k.namespace, k.name],
  );
  return r.rows.map(rowToTrialLease);
}

/** Renews the leases of `worker` and returns the trials it holds: one statement that takes the writers' lock itself. */
export async function renewLeases(
  q: Queryable,
  k: ExperimentKey,
  worker: string,
  heartbeatAt: string,
  expiresAt: string,
): Promise<string[]> {
  const r = await run<{ trial: string }>(
    q,
    `WITH ${lock} UPDATE trial_leases SET heartbeat_at = $1, expires_at = $2 FROM l
     WHERE namespace = $3 AND experiment = $4 AND worker = $5 RETURNING trial`,
    [heartbeatAt, expiresAt, k.namespace, k.name, worker],
  );
  return r.rows.map((row) => row.trial).sort();
}

/** Removes the lease of `trial`. */
export async function deleteLease(q: Queryable, k: ExperimentKey, trial: string): Promise<void> {
  await run(q, 'DELETE FROM trial_leases WHERE namespace = $1 AND experiment = $2 AND trial = $3', [
    k.namespace,
    k.name,
    trial,
  ]);
}
