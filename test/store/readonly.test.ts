import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { openDatabase, openDatabaseForReading } from '../../src/store/open.ts';
import { connectToSnapshot } from '../../src/store/readonly.ts';
import { caught } from '../helpers.ts';
import { experiment, fullTrial, tempDir, tempStore } from './fixtures.ts';
import { writeOldStore } from './oldStore.ts';

function storeWithOneTrial(): string {
  const dir = tempDir();
  const s = openDatabase(dir);
  s.createExperiment(experiment('e'));
  s.insertTrial(fullTrial('e', 0));
  s.close();
  return dir;
}

describe('openDatabaseForReading', () => {
  it('never creates a store: a missing one is notFound and no folder appears', () => {
    const missing = join(tempDir(), 'typo', 'store');
    const e = caught(() => openDatabaseForReading(missing));
    expect(e.code).toBe(ErrorCode.notFound);
    expect(e.message).toContain(`no store at ${join(missing, 'hpo.db')}`);
    expect(existsSync(join(missing, '..'))).toBe(false);
  });

  it('reads a store through a connection that cannot write, leaving the file as it was', () => {
    const dir = storeWithOneTrial();
    const before = readFileSync(join(dir, 'hpo.db'));
    const store = openDatabaseForReading(dir);
    try {
      expect(store.listTrials('e').map((t) => t.name)).toEqual(['e-t0']);
      const e = caught(() => store.addEvent({ experiment: 'e', type: 'Normal', reason: 'R', message: 'm', time: 't' }));
      expect(e.message).toContain('readonly');
    } finally {
      store.close();
    }
    expect(readFileSync(join(dir, 'hpo.db')).equals(before)).toBe(true);
  });

  it('reads a store an older version wrote (schema 3) as it is, without a change feed and without upgrading it', () => {
    const dir = tempDir();
    const file = writeOldStore(dir, 3);
    const before = readFileSync(file);
    const store = openDatabaseForReading(dir);
    try {
      expect(store.listTrials('old').map((t) => t.name)).toEqual(['old-a']);
      expect(store.getObservationsOf('old').map((o) => o.value)).toEqual(['0.5', '0.25']);
      expect(store.hasChangeFeed).toBe(false);
      const e = caught(() => store.changesSince('old', 0));
      expect(e.code).toBe(ErrorCode.unsupported);
      expect(e.message).toContain('has no change feed');
      expect(e.message).toContain('hpo resume');
    } finally {
      store.close();
    }
    expect(readFileSync(file).equals(before)).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    db.close();
  });

  it('reads the change feed of a current store', () => {
    const dir = storeWithOneTrial();
    const store = openDatabaseForReading(dir);
    try {
      expect(store.hasChangeFeed).toBe(true);
      expect(store.changesSince('e', 0).changes.map((c) => c.kind)).toEqual(['experiment', 'trial']);
    } finally {
      store.close();
    }
  });

  it('refuses a store too old to read, saying how to upgrade it', () => {
    const dir = tempDir();
    writeOldStore(dir, 2);
    const e = caught(() => openDatabaseForReading(dir));
    expect(e.code).toBe(ErrorCode.storeFailed);
    expect(e.message).toContain('has the older schema 2');
    expect(e.message).toContain('hpo resume');
  });

  it('says an empty database file is not a store', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'hpo.db'), '');
    const e = caught(() => openDatabaseForReading(dir));
    expect(e.code).toBe(ErrorCode.invalidArgument);
    expect(e.message).toContain('is not an hpo store');
  });
});

describe('connectToSnapshot', () => {
  it('reads a private copy including commits still in the WAL, and removes it on release', () => {
    const dir = tempDir();
    const writer = tempStore(dir);
    writer.createExperiment(experiment('live'));
    // The writer stays open, so its commit is in hpo.db-wal, not yet in hpo.db.
    expect(existsSync(join(dir, 'hpo.db-wal'))).toBe(true);
    const snapshotsBefore = readdirSync(tmpdir()).filter((f) => f.startsWith('hpo-store-snapshot-')).length;
    const { db, release } = connectToSnapshot(join(dir, 'hpo.db'));
    expect(db.prepare('SELECT name FROM experiments').all()).toEqual([{ name: 'live' }]);
    expect(() => db.prepare('DELETE FROM experiments').run()).toThrow(Database.SqliteError);
    db.close();
    release();
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('hpo-store-snapshot-')).length).toBe(snapshotsBefore);
  });
});
