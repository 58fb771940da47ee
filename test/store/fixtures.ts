import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { openSqliteDatabase, type SqliteDatabase } from '../../src/store/sqlite.ts';

/** A fresh temporary folder, removed after the current test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hpo-store-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A store in a fresh temporary folder, closed after the current test. */
export function tempStore(dir: string = tempDir()): SqliteDatabase {
  const store = openSqliteDatabase(dir);
  onTestFinished(() => store.close());
  return store;
}

export { experiment, fullTrial, manifest, trial } from './fixtures-data.ts';
