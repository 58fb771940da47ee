import type { PoolClient } from 'pg';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { trialLeasesTable } from '../migrations.ts';

/** One PostgreSQL schema step: `up` turns a database at `version - 1` into one at `version`. */
export interface PgMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

// The tables, keys and indexes of the SQLite store's schema 5, in PostgreSQL types. JSON columns are TEXT, not
// jsonb: the text read back is what was written (jsonb reorders keys, drops duplicates and normalises numbers), so
// the one codec of codec.ts decodes both stores, damage reporting included. Times are RFC3339 TEXT for the same
// reason. Ids and seqs are BIGINT identities (read back as JS numbers, see store.ts). `changes.seq` is handed out
// by a sequence, which is not commit-ordered: writers serialise on an advisory lock (see changes.ts).
const schema1 = `
CREATE TABLE experiments (
  namespace    TEXT NOT NULL,
  name         TEXT NOT NULL,
  manifest     TEXT NOT NULL,
  phase        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  message      TEXT NOT NULL,
  seed         BIGINT NOT NULL,
  source_path  TEXT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  completed_at TEXT,
  PRIMARY KEY (namespace, name)
);
CREATE TABLE trials (
  namespace    TEXT NOT NULL,
  experiment   TEXT NOT NULL,
  name         TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  params       TEXT NOT NULL,
  state        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  message      TEXT NOT NULL,
  objective    DOUBLE PRECISION,
  metrics      TEXT NOT NULL,
  budget       DOUBLE PRECISION,
  parent       TEXT,
  labels       TEXT NOT NULL,
  explain      TEXT,
  work_dir     TEXT,
  exit_code    INTEGER,
  created_at   TEXT NOT NULL,
  started_at   TEXT,
  completed_at TEXT,
  CONSTRAINT trials_pkey PRIMARY KEY (namespace, experiment, name),
  CONSTRAINT trials_by_seq UNIQUE (namespace, experiment, seq),
  FOREIGN KEY (namespace, experiment) REFERENCES experiments(namespace, name) ON DELETE CASCADE
);
CREATE TABLE observation_logs (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  namespace  TEXT NOT NULL,
  experiment TEXT NOT NULL,
  trial      TEXT NOT NULL,
  step       INTEGER NOT NULL,
  metric     TEXT NOT NULL,
  value      TEXT NOT NULL,
  time       TEXT,
  FOREIGN KEY (namespace, experiment, trial) REFERENCES trials(namespace, experiment, name) ON DELETE CASCADE
);
CREATE INDEX observation_logs_by_metric ON observation_logs(namespace, experiment, trial, metric);
CREATE INDEX observation_logs_by_experiment ON observation_logs(namespace, experiment, id);
CREATE TABLE algorithm_state (
  namespace  TEXT NOT NULL,
  experiment TEXT NOT NULL,
  state      TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (namespace, experiment),
  FOREIGN KEY (namespace, experiment) REFERENCES experiments(namespace, name) ON DELETE CASCADE
);
CREATE TABLE events (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  namespace  TEXT NOT NULL,
  experiment TEXT NOT NULL,
  trial      TEXT,
  type       TEXT NOT NULL,
  reason     TEXT NOT NULL,
  message    TEXT NOT NULL,
  time       TEXT NOT NULL,
  FOREIGN KEY (namespace, experiment) REFERENCES experiments(namespace, name) ON DELETE CASCADE
);
CREATE INDEX events_by_experiment ON events(namespace, experiment, id);
CREATE TABLE locks (
  namespace    TEXT NOT NULL,
  experiment   TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  acquired_at  TEXT NOT NULL,
  heartbeat_at TEXT,
  expires_at   TEXT,
  PRIMARY KEY (namespace, experiment)
);
CREATE TABLE changes (
  seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  namespace  TEXT NOT NULL,
  experiment TEXT NOT NULL,
  kind       TEXT NOT NULL,
  trial      TEXT,
  at         TEXT NOT NULL
);
CREATE INDEX changes_by_experiment ON changes(namespace, experiment, seq);
`;

/** Every PostgreSQL schema step in order; `pgMigrations[i].version === i + 1`. Append only. */
export const pgMigrations: readonly PgMigration[] = [
  {
    version: 1,
    description: 'the tables of SQLite schema 5: experiments keyed by (namespace, name), change feed',
    sql: schema1,
  },
  { version: 2, description: 'trial leases of shared experiments (SQLite schema 6)', sql: trialLeasesTable },
];

/** The PostgreSQL schema version this code writes (its own numbering; 1 holds what SQLite's schema 5 holds). */
export const pgSchemaVersion: number = pgMigrations.length;

/** The table that holds the schema version (one row). */
export const versionTable = 'hpo_schema';

// Held for the migration's transaction: two processes opening a fresh database at once migrate once, the second
// waiting and then finding the schema current. The key is fixed (an arbitrary 63-bit number) per database.
const migrationLockKey = '7204318450120931101';

function refuseNewer(found: number, shown: string): void {
  if (found > pgSchemaVersion) {
    throw new WorkbenchError(
      ErrorCode.storeFailed,
      `store at ${shown} was written by a newer hpo-workbench (schema ${found} > ${pgSchemaVersion}); upgrade hpo-workbench to use it`,
    );
  }
}

/** Brings the database up to {@link pgSchemaVersion} in one transaction, under a transaction-level advisory lock. */
export async function migratePostgres(client: PoolClient, shown: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${migrationLockKey})`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${versionTable} (version INTEGER NOT NULL)`);
    const rows = (await client.query<{ version: number }>(`SELECT version FROM ${versionTable}`)).rows;
    const current = rows[0]?.version ?? 0;
    refuseNewer(current, shown);
    for (const step of pgMigrations.slice(current)) await client.query(step.sql);
    if (rows.length === 0) await client.query(`INSERT INTO ${versionTable} (version) VALUES ($1)`, [pgSchemaVersion]);
    else if (current !== pgSchemaVersion)
      await client.query(`UPDATE ${versionTable} SET version = $1`, [pgSchemaVersion]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

/**
 * Checks, without writing anything, that the database holds an hpo store this code reads: `notFound` when it holds
 * none (a read command must not create one), `storeFailed` when its schema is newer or older than the code's.
 */
export async function checkPostgresSchema(client: PoolClient, shown: string): Promise<void> {
  const table = (await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [versionTable])).rows[0];
  if (table?.t == null) {
    throw new WorkbenchError(
      ErrorCode.notFound,
      `no store at ${shown} (the database has no hpo tables); pass --store (or set HPO_STORE) to the database an \`hpo run\` wrote`,
    );
  }
  const found = (await client.query<{ version: number }>(`SELECT version FROM ${versionTable}`)).rows[0]?.version ?? 0;
  refuseNewer(found, shown);
  if (found < pgSchemaVersion) {
    throw new WorkbenchError(
      ErrorCode.storeFailed,
      `store at ${shown} has the older schema ${found} (current ${pgSchemaVersion}); run a command that writes (\`hpo resume\`) once to upgrade it`,
    );
  }
}
