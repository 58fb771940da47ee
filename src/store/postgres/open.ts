import { resolve } from 'node:path';
import type { PoolConfig } from 'pg';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { DamageSink } from '../codec.ts';
import { Connection } from './connection.ts';
import { postgresDriver } from './driver.ts';
import { pgFailure } from './failure.ts';
import { checkPostgresSchema, migratePostgres } from './schema.ts';
import { PostgresStore } from './store.ts';
import { redactUrl } from './url.ts';

/** Options of {@link openPostgresStore}. */
export interface OpenPostgresOptions {
  /** Read only: nothing is created or written (every transaction is READ ONLY); a database without the tables is `notFound`. */
  readonly readonly?: boolean;
  readonly onDamage?: DamageSink;
  /** The folder for trial working directories; default `$HPO_STORE_ROOT`, else `.hpo` in the working directory. */
  readonly root?: string;
  /** Connections the pool may open (default 10). */
  readonly max?: number;
}

// int8 (bigint: ids, seqs, seeds, count(*)) arrives as a string by default so that no digit is lost beyond 2^53;
// the store's numbers are all far below that, and its records hold numbers, so it parses them as such.
const int8 = 20;

/**
 * Opens the PostgreSQL store at `url` (`postgresql://…` or `postgres://…`). Synchronous like `openStore`: the pool
 * connects on the first call, which also creates or migrates the tables (under an advisory lock, so two processes
 * opening a fresh database migrate once) or, read-only, checks that they exist.
 */
export function openPostgresStore(url: string, options: OpenPostgresOptions = {}): PostgresStore {
  const pg = postgresDriver();
  const shown = redactUrl(url);
  try {
    // The driver parses the URL when a client is made, without connecting: a malformed URL is the user's input
    // (exit 2), found now rather than as a connection failure at the first call.
    new pg.Client({ connectionString: url });
  } catch (e) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `store ${shown} is not a valid PostgreSQL URL (${(e as Error).message}); expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE`,
    );
  }
  const config: PoolConfig = {
    connectionString: url,
    max: options.max ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === int8 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
    ...(options.readonly === true ? { options: '-c default_transaction_read_only=on' } : {}),
  };
  const pool = new pg.Pool(config);
  // An idle client that loses its server emits 'error' on the pool; without a listener Node would crash the
  // process. The next call gets a fresh client and reports its own failure.
  pool.on('error', () => {});
  let ready: Promise<void> | undefined;
  const prepare = async (): Promise<void> => {
    const client = await pool.connect();
    try {
      if (options.readonly === true) await checkPostgresSchema(client, shown);
      else await migratePostgres(client, shown);
    } finally {
      client.release();
    }
  };
  const once = (): Promise<void> => {
    ready ??= prepare().catch((e: unknown) => {
      // Not cached: a server that was down at the first call may be up at the next.
      ready = undefined;
      throw pgFailure(shown, options.readonly === true ? 'open the store for reading' : 'open the store', e);
    });
    return ready;
  };
  const root = resolve(options.root ?? (process.env.HPO_STORE_ROOT || '.hpo'));
  return new PostgresStore({
    connection: new Connection(pool, shown, once),
    shown,
    root,
    ...(options.onDamage === undefined ? {} : { onDamage: options.onDamage }),
  });
}
