import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, migrations } from '../../src/store/migrations.ts';
import { manifest } from './fixtures-data.ts';

/**
 * Writes `<dir>/hpo.db` as hpo-workbench at schema `version` left it (the migrations of that time, WAL mode):
 * experiment `old` with trial `old-a` and two observations of it. For migration and read-only tests.
 */
export function writeOldStore(dir: string, version: number): string {
  const file = join(dir, 'hpo.db');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    migrate(db, file, migrations.slice(0, version));
    db.prepare(
      `INSERT INTO experiments (name, namespace, manifest, phase, reason, message, seed, created_at, updated_at)
       VALUES ('old', 'default', ?, 'Running', 'ExperimentRunning', '', 7, 't0', 't1')`,
    ).run(JSON.stringify(manifest));
    db.prepare(
      `INSERT INTO trials (experiment, name, seq, params, state, reason, message, metrics, labels, created_at)
       VALUES ('old', 'old-a', 0, '{"lr":0.1}', 'Succeeded', 'TrialSucceeded', '', '[]', '{}', 't2')`,
    ).run();
    db.prepare(
      `INSERT INTO observation_logs (experiment, trial, step, metric, value, time)
       VALUES ('old', 'old-a', 1, 'loss', '0.5', NULL), ('old', 'old-a', 2, 'loss', '0.25', NULL)`,
    ).run();
  } finally {
    db.close();
  }
  return file;
}
