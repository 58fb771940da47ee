import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode, WorkbenchError } from '../../src/common/errors.ts';
import { type Migration, migrate, migrations, readSchemaVersion, schemaVersion } from '../../src/store/migrations.ts';
import { openSqliteDatabase } from '../../src/store/sqlite.ts';
import { experiment, tempDir, trial } from './fixtures.ts';
import { writeOldStore } from './oldStore.ts';

function rawDb(dir: string): Database.Database {
  return new Database(join(dir, 'hpo.db'));
}

function tables(db: Database.Database): string[] {
  return db
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1")
    .pluck()
    .all();
}

function openError(dir: string): WorkbenchError {
  try {
    openSqliteDatabase(dir).close();
  } catch (e) {
    if (e instanceof WorkbenchError) return e;
    throw e;
  }
  throw new Error('expected the store to refuse to open');
}

describe('schema migrations', () => {
  it('numbers migrations 1..N and writes N into user_version of a fresh store', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    const dir = tempDir();
    openSqliteDatabase(dir).close();
    const db = rawDb(dir);
    expect(readSchemaVersion(db)).toBe(schemaVersion);
    expect(tables(db)).toEqual([
      'algorithm_state',
      'changes',
      'events',
      'experiments',
      'locks',
      'observation_logs',
      'trial_leases',
      'trials',
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('migrates an empty version-0 database file', () => {
    const dir = tempDir();
    const db = rawDb(dir);
    db.exec('CREATE TABLE unrelated (x)');
    db.close();
    const store = openSqliteDatabase(dir);
    expect(store.listExperiments()).toEqual([]);
    store.close();
    const again = rawDb(dir);
    expect(readSchemaVersion(again)).toBe(schemaVersion);
    expect(tables(again)).toContain('unrelated');
    again.close();
  });

  it('migrates a version-1 store with data to the current schema, keeping the data', () => {
    const dir = tempDir();
    writeOldStore(dir, 1);
    const db = rawDb(dir);
    expect(readSchemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('locks');
    db.close();

    const store = openSqliteDatabase(dir);
    expect(store.getExperiment('old')?.seed).toBe(7);
    expect(store.listTrials('old').map((t) => [t.name, t.params])).toEqual([['old-a', { lr: 0.1 }]]);
    expect(store.acquireExperimentLock('old', process.pid)).toBe(true);
    store.close();
    const after = rawDb(dir);
    expect(readSchemaVersion(after)).toBe(schemaVersion);
    after.close();
  });

  it('migrates a version-3 store (before the change feed): data kept, the feed starts empty and then records', () => {
    const dir = tempDir();
    writeOldStore(dir, 3);
    const store = openSqliteDatabase(dir);
    try {
      expect(store.hasChangeFeed).toBe(true);
      // Writes made before the feed existed are not in it: a reader starts from a full read, then polls.
      expect(store.changesSince(undefined, 0)).toEqual({ changes: [], seq: 0 });
      expect(store.getObservationsOf('old').map((o) => o.value)).toEqual(['0.5', '0.25']);
      store.insertTrial(trial('old', 1));
      store.createExperiment(experiment('new'));
      expect(store.changesSince(undefined, 0).changes.map((c) => [c.seq, c.experiment, c.kind])).toEqual([
        [1, 'old', 'trial'],
        [2, 'new', 'experiment'],
      ]);
    } finally {
      store.close();
    }
    const after = rawDb(dir);
    expect(readSchemaVersion(after)).toBe(schemaVersion);
    const indexes = after
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%_by_experiment'")
      .pluck()
      .all();
    expect(indexes.sort()).toEqual(['events_by_experiment', 'observation_logs_by_experiment']);
    after.close();
  });

  it('refuses a store written by a newer version, without touching it', () => {
    const dir = tempDir();
    openSqliteDatabase(dir).close();
    const db = rawDb(dir);
    db.pragma(`user_version = ${schemaVersion + 3}`);
    db.close();
    const err = openError(dir);
    expect(err.code).toBe(ErrorCode.storeFailed);
    expect(err.message).toContain(
      `store at ${join(dir, 'hpo.db')} was written by a newer hpo-workbench (schema ${schemaVersion + 3} > ${schemaVersion})`,
    );
    const after = rawDb(dir);
    expect(readSchemaVersion(after)).toBe(schemaVersion + 3);
    after.close();
  });

  it('refuses a file that is not a database, naming it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'hpo.db'), 'this is not sqlite, just some text that is long enough to have a header');
    const err = openError(dir);
    expect(err.code).toBe(ErrorCode.storeFailed);
    expect(err.message).toContain(join(dir, 'hpo.db'));
  });

  it('applies pending steps in order and rolls all of them back when one fails', () => {
    const db = new Database(':memory:');
    const log: number[] = [];
    const step = (version: number, sql: string): Migration => ({
      version,
      description: `step ${version}`,
      up: (d) => {
        log.push(version);
        d.exec(sql);
      },
    });
    const steps = [step(1, 'CREATE TABLE a (x)'), step(2, 'CREATE TABLE b (x)')];
    migrate(db, 'mem', steps.slice(0, 1));
    migrate(db, 'mem', steps);
    expect(log).toEqual([1, 2]);
    expect(readSchemaVersion(db)).toBe(2);

    const broken = [...steps, step(3, 'CREATE TABLE c (x)'), step(4, 'THIS IS NOT SQL')];
    expect(() => migrate(db, 'mem', broken)).toThrow();
    expect(readSchemaVersion(db)).toBe(2);
    expect(tables(db)).toEqual(['a', 'b']);

    expect(() => migrate(db, 'mem', [step(2, 'SELECT 1')])).toThrow(/migration 0 has version 2/);
    db.close();
  });
});
