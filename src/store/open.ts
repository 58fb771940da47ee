import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { DamageSink } from './codec.ts';
import { openPostgresStore } from './postgres/open.ts';
import { isPostgresUrl } from './postgres/url.ts';
import { openInMemoryDatabase, openSqliteDatabaseFile, SqliteDatabase, storeFileName } from './sqlite.ts';
import { SqliteStore } from './sqliteStore.ts';
import type { Store } from './types.ts';

/** Folder of the default store, relative to the working directory. */
export const defaultStoreDir = '.hpo';

/** Where a store lives: its folder (trial folders go under it) and its database file. */
export interface StoreLocation {
  readonly root: string;
  readonly dbPath: string;
}

// The given path, else `$HPO_STORE`, else `.hpo`; an empty string counts as not given. A store URL's scheme is
// read here: `sqlite:PATH` (the default driver) is PATH; other schemes are not served by this version.
function chosenLocation(location: string | undefined, env: NodeJS.ProcessEnv): string {
  const chosen = [location, env.HPO_STORE].find((p) => p !== undefined && p !== '') ?? defaultStoreDir;
  if (chosen.startsWith('sqlite:')) return chosen.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') || defaultStoreDir;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(chosen)?.[1];
  if (scheme !== undefined) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `store ${scheme}://…: '${scheme}' stores are not available in this version; use a SQLite store (a folder, a FILE.db, sqlite:PATH or ':memory:') or postgresql://…`,
    );
  }
  return chosen;
}

// The PostgreSQL URL the location (else `$HPO_STORE`) names, if it names one; its trial folders go under
// `$HPO_STORE_ROOT`, else `.hpo` in the working directory (see openPostgresStore).
function postgresUrl(location: string | undefined): string | undefined {
  const chosen = [location, process.env.HPO_STORE].find((p) => p !== undefined && p !== '');
  return chosen !== undefined && isPostgresUrl(chosen) ? chosen : undefined;
}

/**
 * Resolves a store location: the given path or URL, else `$HPO_STORE`, else `.hpo` in `cwd`. `sqlite:PATH` (or
 * `sqlite:///abs/path`) is PATH. A path ending in `.db` names the database file itself (its folder is the root);
 * any other path is a folder holding `hpo.db`.
 */
export function resolveStoreLocation(
  location?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): StoreLocation {
  const chosen = chosenLocation(location, env);
  const absolute = resolve(cwd, chosen);
  if (absolute.endsWith('.db')) return { root: dirname(absolute), dbPath: absolute };
  return { root: absolute, dbPath: join(absolute, storeFileName) };
}

/** The location that names a throw-away store in memory (notebooks, tests): `store: ':memory:'`. */
export const memoryStoreLocation = ':memory:';

/**
 * Opens (creating if needed) the store the CLI and library use by default; see {@link resolveStoreLocation}.
 * `':memory:'` (as the location or `$HPO_STORE`) opens a fresh in-memory store whose trial folders go under the system's temporary folder.
 */
export function openStore(location?: string): Store {
  const url = postgresUrl(location);
  if (url !== undefined) return openPostgresStore(url);
  return new SqliteStore(openDatabase(location));
}

/**
 * Opens an existing store for reading only (`hpo list`, `status`, `trials`, ...): it never creates a store nor
 * writes to one, so a mistyped `--store` is an error (`notFound`, exit 2) rather than a new empty store, and a
 * store the user may not write stays readable. `onDamage` receives undecodable columns instead of failing.
 */
export function openStoreForReading(location?: string, options: { onDamage?: DamageSink } = {}): Store {
  const url = postgresUrl(location);
  if (url !== undefined) return openPostgresStore(url, { readonly: true, ...options });
  return new SqliteStore(openDatabaseForReading(location, options));
}

/** {@link openStore}'s SQLite tables with synchronous calls (the store's own tests, tools that need no await). */
export function openDatabase(location?: string): SqliteDatabase {
  if (chosenLocation(location, process.env) === memoryStoreLocation)
    return openInMemoryDatabase(join(tmpdir(), `hpo-memory-${process.pid}`));
  return openSqliteDatabaseFile(resolveStoreLocation(location).dbPath);
}

/** {@link openStoreForReading}'s SQLite tables with synchronous calls. */
export function openDatabaseForReading(location?: string, options: { onDamage?: DamageSink } = {}): SqliteDatabase {
  const { root, dbPath } = resolveStoreLocation(location);
  if (!existsSync(dbPath)) {
    throw new WorkbenchError(
      ErrorCode.notFound,
      `no store at ${dbPath}; pass --store (or set HPO_STORE) to the folder or .db file an \`hpo run\` wrote`,
    );
  }
  return new SqliteDatabase({
    file: dbPath,
    root,
    readonly: true,
    ...(options.onDamage === undefined ? {} : { onDamage: options.onDamage }),
  });
}
