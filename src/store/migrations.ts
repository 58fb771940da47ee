import type BetterSqlite3 from 'better-sqlite3';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';

/** One schema step: `up` turns a database at schema `version - 1` into one at `version`. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: (db: BetterSqlite3.Database) => void;
}

// Tables mirror Katib's DB model (experiments, trials, observation_logs) plus what a local controller needs to
// resume: the algorithm's opaque state and an event history. JSON columns hold structured values as text.
const coreTables = `
CREATE TABLE experiments (
  name         TEXT PRIMARY KEY,
  namespace    TEXT NOT NULL,
  manifest     TEXT NOT NULL,
  phase        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  message      TEXT NOT NULL,
  seed         INTEGER NOT NULL,
  source_path  TEXT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  completed_at TEXT
);
CREATE TABLE trials (
  experiment   TEXT NOT NULL REFERENCES experiments(name) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  params       TEXT NOT NULL,
  state        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  message      TEXT NOT NULL,
  objective    REAL,
  metrics      TEXT NOT NULL,
  budget       REAL,
  parent       TEXT,
  labels       TEXT NOT NULL,
  explain      TEXT,
  work_dir     TEXT,
  exit_code    INTEGER,
  created_at   TEXT NOT NULL,
  started_at   TEXT,
  completed_at TEXT,
  PRIMARY KEY (experiment, name)
);
CREATE UNIQUE INDEX trials_by_seq ON trials(experiment, seq);
CREATE TABLE observation_logs (
  id         INTEGER PRIMARY KEY,
  experiment TEXT NOT NULL,
  trial      TEXT NOT NULL,
  step       INTEGER NOT NULL,
  metric     TEXT NOT NULL,
  value      TEXT NOT NULL,
  time       TEXT,
  FOREIGN KEY (experiment, trial) REFERENCES trials(experiment, name) ON DELETE CASCADE
);
CREATE INDEX observation_logs_by_metric ON observation_logs(experiment, trial, metric);
CREATE TABLE algorithm_state (
  experiment TEXT PRIMARY KEY REFERENCES experiments(name) ON DELETE CASCADE,
  state      TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  experiment TEXT NOT NULL REFERENCES experiments(name) ON DELETE CASCADE,
  trial      TEXT,
  type       TEXT NOT NULL,
  reason     TEXT NOT NULL,
  message    TEXT NOT NULL,
  time       TEXT NOT NULL
);
CREATE INDEX events_by_experiment ON events(experiment, id);
`;

// No foreign key to experiments: `hpo run` takes the lock before the experiment row exists.
const lockTable = `
CREATE TABLE locks (
  experiment  TEXT PRIMARY KEY,
  pid         INTEGER NOT NULL,
  host        TEXT NOT NULL,
  acquired_at TEXT NOT NULL
);
`;

// A controller renews its lease; anyone may take over a lock whose lease expired, on any host.
const lockLeaseColumns = `
ALTER TABLE locks ADD COLUMN heartbeat_at TEXT;
ALTER TABLE locks ADD COLUMN expires_at TEXT;
`;

// The change feed (see ChangeLog). `seq` is the rowid: a new row gets the largest seq + 1, and the largest row is
// never deleted (deleting an experiment records its deletion first, then drops the older rows), so a seq is never
// reused. Neither AUTOINCREMENT nor an (experiment, seq) index: each would add a page to every commit, and a poll
// reads only the rows written since the last one by seq range. No foreign key: the row that says an experiment
// was deleted outlives it. Observations get an (experiment, id) index so a whole-experiment read pages by id
// without a sort.
const changeFeed = `
CREATE TABLE changes (
  seq        INTEGER PRIMARY KEY,
  experiment TEXT NOT NULL,
  kind       TEXT NOT NULL,
  trial      TEXT,
  at         TEXT NOT NULL
);
CREATE INDEX observation_logs_by_experiment ON observation_logs(experiment, id);
`;

// Experiments keyed by (namespace, name), as Kubernetes names them: every table that names an experiment gains its
// namespace and every key and index leads with it. SQLite cannot change a primary key in place, so each table is
// rebuilt (create, copy, drop, rename), children after parents, with foreign keys off (the store turns them off
// around migrations) and checked at the end. A child row takes its experiment's namespace; a lock or a change row
// whose experiment is gone takes 'default'.
const namespacedTables = `
CREATE TABLE experiments_v5 (
  namespace    TEXT NOT NULL,
  name         TEXT NOT NULL,
  manifest     TEXT NOT NULL,
  phase        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  message      TEXT NOT NULL,
  seed         INTEGER NOT NULL,
  source_path  TEXT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  completed_at TEXT,
  PRIMARY KEY (namespace, name)
);
INSERT INTO experiments_v5 SELECT namespace, name, manifest, phase, reason, message, seed, source_path, created_at,
  updated_at, completed_at FROM experiments;
CREATE TABLE trials_v5 (
  namespace    TEXT NOT NULL,
  experiment   TEXT NOT NULL,
  name         TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  params       TEXT NOT NULL,
  state        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  message      TEXT NOT NULL,
  objective    REAL,
  metrics      TEXT NOT NULL,
  budget       REAL,
  parent       TEXT,
  labels       TEXT NOT NULL,
  explain      TEXT,
  work_dir     TEXT,
  exit_code    INTEGER,
  created_at   TEXT NOT NULL,
  started_at   TEXT,
  completed_at TEXT,
  PRIMARY KEY (namespace, experiment, name),
  FOREIGN KEY (namespace, experiment) REFERENCES experiments(namespace, name) ON DELETE CASCADE
);
INSERT INTO trials_v5 SELECT e.namespace, t.experiment, t.name, t.seq, t.params, t.state, t.reason, t.message,
  t.objective, t.metrics, t.budget, t.parent, t.labels, t.explain, t.work_dir, t.exit_code, t.created_at,
  t.started_at, t.completed_at FROM trials t JOIN experiments e ON e.name = t.experiment;
CREATE TABLE observation_logs_v5 (
  id         INTEGER PRIMARY KEY,
  namespace  TEXT NOT NULL,
  experiment TEXT NOT NULL,
  trial      TEXT NOT NULL,
  step       INTEGER NOT NULL,
  metric     TEXT NOT NULL,
  value      TEXT NOT NULL,
  time       TEXT,
  FOREIGN KEY (namespace, experiment, trial) REFERENCES trials(namespace, experiment, name) ON DELETE CASCADE
);
INSERT INTO observation_logs_v5 SELECT o.id, e.namespace, o.experiment, o.trial, o.step, o.metric, o.value, o.time
  FROM observation_logs o JOIN experiments e ON e.name = o.experiment;
CREATE TABLE algorithm_state_v5 (
  namespace  TEXT NOT NULL,
  experiment TEXT NOT NULL,
  state      TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (namespace, experiment),
  FOREIGN KEY (namespace, experiment) REFERENCES experiments(namespace, name) ON DELETE CASCADE
);
INSERT INTO algorithm_state_v5 SELECT e.namespace, a.experiment, a.state, a.updated_at
  FROM algorithm_state a JOIN experiments e ON e.name = a.experiment;
CREATE TABLE events_v5 (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  namespace  TEXT NOT NULL,
  experiment TEXT NOT NULL,
  trial      TEXT,
  type       TEXT NOT NULL,
  reason     TEXT NOT NULL,
  message    TEXT NOT NULL,
  time       TEXT NOT NULL,
  FOREIGN KEY (namespace, experiment) REFERENCES experiments(namespace, name) ON DELETE CASCADE
);
INSERT INTO events_v5 SELECT v.id, e.namespace, v.experiment, v.trial, v.type, v.reason, v.message, v.time
  FROM events v JOIN experiments e ON e.name = v.experiment;
CREATE TABLE locks_v5 (
  namespace    TEXT NOT NULL,
  experiment   TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  acquired_at  TEXT NOT NULL,
  heartbeat_at TEXT,
  expires_at   TEXT,
  PRIMARY KEY (namespace, experiment)
);
INSERT INTO locks_v5 SELECT coalesce((SELECT namespace FROM experiments WHERE name = l.experiment), 'default'),
  l.experiment, l.pid, l.host, l.acquired_at, l.heartbeat_at, l.expires_at FROM locks l;
CREATE TABLE changes_v5 (
  seq        INTEGER PRIMARY KEY,
  namespace  TEXT NOT NULL,
  experiment TEXT NOT NULL,
  kind       TEXT NOT NULL,
  trial      TEXT,
  at         TEXT NOT NULL
);
INSERT INTO changes_v5 SELECT c.seq, coalesce((SELECT namespace FROM experiments WHERE name = c.experiment), 'default'),
  c.experiment, c.kind, c.trial, c.at FROM changes c;
DROP TABLE changes;
DROP TABLE locks;
DROP TABLE events;
DROP TABLE algorithm_state;
DROP TABLE observation_logs;
DROP TABLE trials;
DROP TABLE experiments;
ALTER TABLE experiments_v5 RENAME TO experiments;
ALTER TABLE trials_v5 RENAME TO trials;
ALTER TABLE observation_logs_v5 RENAME TO observation_logs;
ALTER TABLE algorithm_state_v5 RENAME TO algorithm_state;
ALTER TABLE events_v5 RENAME TO events;
ALTER TABLE locks_v5 RENAME TO locks;
ALTER TABLE changes_v5 RENAME TO changes;
CREATE UNIQUE INDEX trials_by_seq ON trials(namespace, experiment, seq);
CREATE INDEX observation_logs_by_metric ON observation_logs(namespace, experiment, trial, metric);
CREATE INDEX observation_logs_by_experiment ON observation_logs(namespace, experiment, id);
CREATE INDEX events_by_experiment ON events(namespace, experiment, id);
`;

function namespaceExperiments(db: BetterSqlite3.Database): void {
  db.exec(namespacedTables);
  const broken = db.pragma('foreign_key_check') as unknown[];
  if (broken.length > 0) {
    throw new Error(`schema 5 migration left ${broken.length} rows without their parent: ${JSON.stringify(broken[0])}`);
  }
}

/**
 * One lease per running trial of a shared experiment (`hpo worker`); see src/experiment/sharedTrials.ts. Removed
 * with its trial. No change rows: heartbeats would flood the feed, and readers see the trial's state instead. The
 * same statements make PostgreSQL schema 2 (they are plain SQL both accept).
 */
export const trialLeasesTable: string = `
CREATE TABLE trial_leases (
  namespace    TEXT NOT NULL,
  experiment   TEXT NOT NULL,
  trial        TEXT NOT NULL,
  worker       TEXT NOT NULL,
  token        TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL,
  expires_at   TEXT NOT NULL,
  PRIMARY KEY (namespace, experiment, trial),
  FOREIGN KEY (namespace, experiment, trial) REFERENCES trials(namespace, experiment, name) ON DELETE CASCADE
);
CREATE INDEX trial_leases_by_worker ON trial_leases(namespace, experiment, worker);
`;

/** Every schema step in order; `migrations[i].version === i + 1`. Append only: never edit a released step. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'experiments, trials, observation logs, algorithm state, events',
    up: (db) => db.exec(coreTables),
  },
  { version: 2, description: 'experiment locks (one controller per experiment)', up: (db) => db.exec(lockTable) },
  {
    version: 3,
    description: 'lock leases: heartbeat and expiry (NULL for locks written before leases)',
    up: (db) => db.exec(lockLeaseColumns),
  },
  {
    version: 4,
    description: 'change feed (one row per write, store-wide seq) and observations by experiment in id order',
    up: (db) => db.exec(changeFeed),
  },
  {
    version: 5,
    description: 'experiments keyed by (namespace, name): a namespace column leads every key and index',
    up: namespaceExperiments,
  },
  {
    version: 6,
    description: 'trial leases of shared experiments (several workers): holder, fencing token, heartbeat, expiry',
    up: (db) => db.exec(trialLeasesTable),
  },
];

/** The schema version this code writes. */
export const schemaVersion: number = migrations.length;

/** The schema version that added the change feed; a read-only store below it is readable without a feed. */
export const changeFeedSchema = 4;

/** The oldest schema a read-only connection reads (older stores must be upgraded by a writing command first). */
export const oldestReadableSchema = 3;

/** Reads `PRAGMA user_version`, where the schema version lives. */
export function readSchemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function refuseNewer(found: number, known: number, dbPath: string): void {
  if (found > known) {
    throw new WorkbenchError(
      ErrorCode.storeFailed,
      `store at ${dbPath} was written by a newer hpo-workbench (schema ${found} > ${known}); upgrade hpo-workbench to use it`,
    );
  }
}

/**
 * Brings `db` up to the last of `steps`, all pending steps in one transaction; called by the store at open.
 * Refuses a database whose schema is newer than the code. Safe when two processes open a fresh store at once:
 * the version is re-read after the write lock is taken, so only one of them migrates.
 */
export function migrate(db: BetterSqlite3.Database, dbPath: string, steps: readonly Migration[] = migrations): void {
  const target = steps.length;
  steps.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i} has version ${m.version}, expected ${i + 1}`);
  });
  const before = readSchemaVersion(db);
  refuseNewer(before, target, dbPath);
  if (before === target) return;
  // Foreign keys off while tables are rebuilt (a DROP would otherwise cascade); the pragma is ignored inside a
  // transaction, so it is set around it, and steps that rebuild tables check the keys themselves.
  const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
  if (enforced) db.pragma('foreign_keys = OFF');
  const apply = db.transaction(() => {
    const current = readSchemaVersion(db);
    refuseNewer(current, target, dbPath);
    for (const step of steps.slice(current)) step.up(db);
    // user_version lives in the database header and is written inside this transaction.
    db.pragma(`user_version = ${target}`);
  });
  try {
    apply.immediate();
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
  }
}
