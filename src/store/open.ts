import { dirname, join, resolve } from 'node:path';
import { openSqliteFile, storeFileName } from './sqlite.ts';
import type { Store } from './types.ts';

/** Folder of the default store, relative to the working directory. */
export const defaultStoreDir = '.hpo';

/** Where a store lives: its folder (trial folders go under it) and its database file. */
export interface StoreLocation {
  readonly root: string;
  readonly dbPath: string;
}

/**
 * Resolves a store location: the given path, else `$HPO_STORE`, else `.hpo` in `cwd`. A path ending in `.db`
 * names the database file itself (its folder is the root); any other path is a folder holding `hpo.db`.
 */
export function resolveStoreLocation(
  location?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): StoreLocation {
  const chosen = [location, env.HPO_STORE].find((p) => p !== undefined && p !== '') ?? defaultStoreDir;
  const absolute = resolve(cwd, chosen);
  if (absolute.endsWith('.db')) return { root: dirname(absolute), dbPath: absolute };
  return { root: absolute, dbPath: join(absolute, storeFileName) };
}

/** Opens (creating if needed) the store the CLI and library use by default; see {@link resolveStoreLocation}. */
export function openStore(location?: string): Store {
  return openSqliteFile(resolveStoreLocation(location).dbPath);
}
