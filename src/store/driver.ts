/**
 * The SQLite driver, loaded on first use: `import 'hpo-workbench'` loads no native module, so a notebook or a
 * script that only builds manifests or runs the pure search code never loads better-sqlite3's addon.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

let driver: typeof BetterSqlite3 | undefined;

/** better-sqlite3's `Database` constructor (with `SqliteError`), required the first time a store opens. */
export function sqliteDriver(): typeof BetterSqlite3 {
  driver ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  return driver;
}
