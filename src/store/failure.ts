import type BetterSqlite3 from 'better-sqlite3';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { sqliteDriver } from './driver.ts';

/** True for an error raised by SQLite itself (as opposed to a bad argument or a caller's own exception). */
export function isSqliteError(e: unknown): e is InstanceType<typeof BetterSqlite3.SqliteError> {
  return e instanceof sqliteDriver().SqliteError;
}

/** The SQLite extended result code of `e` (`SQLITE_CONSTRAINT_PRIMARYKEY`, …), or undefined. */
export function sqliteCode(e: unknown): string | undefined {
  return isSqliteError(e) ? e.code : undefined;
}

// Another connection holds the write lock past busy_timeout: trying again later can succeed.
const transient: ReadonlySet<string> = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_BUSY_SNAPSHOT']);

/**
 * Wraps any failure of a store operation into a `storeFailed` WorkbenchError naming the database file,
 * so the user can tell which store broke. WorkbenchErrors pass through unchanged.
 */
export function storeFailure(dbPath: string, action: string, cause: unknown): WorkbenchError {
  if (cause instanceof WorkbenchError) return cause;
  const code = sqliteCode(cause);
  const detail = cause instanceof Error ? cause.message : String(cause);
  const retryable = code !== undefined && transient.has(code);
  return new WorkbenchError(ErrorCode.storeFailed, `store at ${dbPath}: cannot ${action}: ${detail}`, {
    cause,
    retryable,
  });
}
