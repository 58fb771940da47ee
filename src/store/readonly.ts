import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { sqliteDriver } from './driver.ts';
import { isSqliteError, storeFailure } from './failure.ts';
import { migrate, oldestReadableSchema, readSchemaVersion, schemaVersion } from './migrations.ts';

/** A connection that never writes to the store, and what to do after closing it. */
export interface ReadOnlyConnection {
  readonly db: Database.Database;
  /** The schema of the store as it lies on disk (the connection itself always has the current one). */
  readonly storedSchema: number;
  /** Removes the private snapshot when one was needed; a no-op otherwise. */
  readonly release: () => void;
}

// SQLite reads a WAL-mode database through its `-shm` file, which it must be able to create next to the
// database. In a folder the user may not write (a store shared read-only, a mounted volume) that fails with
// SQLITE_READONLY_DIRECTORY or SQLITE_CANTOPEN, and better-sqlite3 offers no `immutable` URI to avoid it.
const needsSnapshot: ReadonlySet<string> = new Set(['SQLITE_READONLY_DIRECTORY', 'SQLITE_CANTOPEN']);

// `shownAs` is the store's own path, which messages name even when `file` is a snapshot of it.
function open(file: string, shownAs: string): Database.Database {
  const db = new (sqliteDriver())(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    checkSchema(db, shownAs);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

// Reading the schema version is the first read, so it also surfaces a WAL that cannot be shared (see above).
// A slightly older schema is read as it is (reading must not migrate): what it lacks, such as the change feed,
// the store reports as unavailable.
function checkSchema(db: Database.Database, file: string): void {
  const found = readSchemaVersion(db);
  if (found >= oldestReadableSchema && found <= schemaVersion) return;
  if (found > schemaVersion) {
    throw new WorkbenchError(
      ErrorCode.storeFailed,
      `store at ${file} was written by a newer hpo-workbench (schema ${found} > ${schemaVersion}); upgrade hpo-workbench to read it`,
    );
  }
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  throw new WorkbenchError(
    found === 0 && tables.n === 0 ? ErrorCode.invalidArgument : ErrorCode.storeFailed,
    found === 0 && tables.n === 0
      ? `${file} is not an hpo store (an empty database); pass --store the folder or .db file an \`hpo run\` wrote`
      : `store at ${file} has the older schema ${found} (current ${schemaVersion}); run a command that writes (\`hpo resume\`) once to upgrade it`,
  );
}

/**
 * A store of an older schema is read through a copy in memory migrated to the current one, so that one set of
 * statements reads every readable schema; the file itself is never written. The copy costs memory of the size
 * of the database (a read command of a store an older version wrote, until a writing command upgrades it).
 */
function upgradedInMemory(c: { db: Database.Database; release: () => void }, shownAs: string): ReadOnlyConnection {
  const storedSchema = readSchemaVersion(c.db);
  if (storedSchema === schemaVersion) return { ...c, storedSchema };
  try {
    const image = c.db.serialize();
    // Bytes 18-19 of the header say the file is in WAL mode (2), which a database in memory cannot be: mark the
    // image as a rollback-journal database (1) so SQLite opens it. The pages themselves are unchanged.
    image[18] = 1;
    image[19] = 1;
    const copy = new (sqliteDriver())(image);
    try {
      migrate(copy, shownAs);
      return { db: copy, release: c.release, storedSchema };
    } catch (e) {
      copy.close();
      throw e;
    }
  } finally {
    if (storedSchema !== schemaVersion) c.db.close();
  }
}

/**
 * Opens the existing database `file` read-only: no schema migration, no journal-mode change, nothing created.
 * Its schema may be older than the current one, down to `oldestReadableSchema`.
 * When SQLite cannot share the WAL from where the store lies (see above), reads a private copy of the database
 * (and its WAL) instead; the copy is removed by `release`.
 */
export function connectReadOnly(file: string): ReadOnlyConnection {
  try {
    return upgradedInMemory({ db: open(file, file), release: () => {} }, file);
  } catch (e) {
    if (!(isSqliteError(e) && needsSnapshot.has(e.code))) throw storeFailure(file, 'open the store for reading', e);
  }
  return connectToSnapshot(file);
}

/**
 * Reads a private copy of the database `file` (and its WAL, so the latest commits are in it); `release` removes
 * the copy. {@link connectReadOnly} falls back to this where SQLite cannot share the store's WAL.
 */
export function connectToSnapshot(file: string): ReadOnlyConnection {
  const dir = mkdtempSync(join(tmpdir(), 'hpo-store-snapshot-'));
  const release = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const copy = join(dir, 'hpo.db');
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    return upgradedInMemory({ db: open(copy, file), release }, file);
  } catch (e) {
    release();
    throw storeFailure(file, 'open the store for reading', e);
  }
}
