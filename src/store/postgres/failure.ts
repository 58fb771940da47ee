import { ErrorCode, WorkbenchError } from '../../common/errors.ts';

/** The fields of an error the `pg` driver raises for a server-side failure (a `DatabaseError`). */
export interface PgErrorFields {
  readonly code?: string;
  readonly constraint?: string;
}

/** The SQLSTATE of a server error (`23505`, …), or undefined for anything else (a socket error, a caller's own). */
export function pgCode(e: unknown): string | undefined {
  const code = (e as PgErrorFields | undefined)?.code;
  // Node's socket errors carry codes too (ECONNREFUSED); SQLSTATEs are five digits or capitals.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The constraint a server error names (`trials_pkey`, `trials_by_seq`), if any. */
export function pgConstraint(e: unknown): string | undefined {
  const c = (e as PgErrorFields | undefined)?.constraint;
  return typeof c === 'string' ? c : undefined;
}

// Serialization failure, deadlock, lock not available, admin shutdown, cannot connect now, too many connections:
// trying again later can succeed. Socket errors (the server restarting, a network blip) too.
const transient: ReadonlySet<string> = new Set([
  '40001',
  '40P01',
  '55P03',
  '57P01',
  '57P03',
  '53300',
  '08000',
  '08006',
]);
const socketErrors: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * Wraps a failure of a PostgreSQL store operation into a `storeFailed` WorkbenchError naming the database by its
 * redacted URL `shown` (never its password); WorkbenchErrors pass through unchanged. A database that does not exist
 * is `notFound`: the user mistyped the URL or has not created it yet.
 */
export function pgFailure(shown: string, action: string, cause: unknown): WorkbenchError {
  if (cause instanceof WorkbenchError) return cause;
  const code = pgCode(cause);
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (code === '3D000') {
    return new WorkbenchError(
      ErrorCode.notFound,
      `store at ${shown}: ${detail}; create the database first (\`createdb\`, or CREATE DATABASE as a superuser)`,
      { cause },
    );
  }
  const errno = (cause as NodeJS.ErrnoException | undefined)?.code;
  const retryable = (code !== undefined && transient.has(code)) || (errno !== undefined && socketErrors.has(errno));
  return new WorkbenchError(ErrorCode.storeFailed, `store at ${shown}: cannot ${action}: ${detail}`, {
    cause,
    retryable,
  });
}
