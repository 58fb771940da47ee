/**
 * The PostgreSQL driver (npm `pg`, an optional peer dependency), loaded on first use: `import 'hpo-workbench'` and
 * every SQLite store work without it, and only opening a `postgresql://` store requires it.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';

let driver: typeof pg | undefined;

/** The `pg` module, required the first time a PostgreSQL store opens; `unsupported` (naming the package) when absent. */
export function postgresDriver(): typeof pg {
  if (driver !== undefined) return driver;
  try {
    driver = createRequire(import.meta.url)('pg') as typeof pg;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    throw new WorkbenchError(
      ErrorCode.unsupported,
      "a postgresql:// store needs the npm package 'pg' (an optional dependency): run `npm install pg`",
      { cause: e },
    );
  }
  return driver;
}
