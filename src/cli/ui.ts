/**
 * `hpo ui [--port N] [--host H] [--store S]`: serves the dashboard (`hpo-workbench/ui`) over the store, opened
 * read-only, until Ctrl-C. Binding another address than loopback is the user's explicit choice, and said on stderr.
 */

import { ErrorCode, openStoreForReading, WorkbenchError } from '../index.ts';
import { err, out } from './output.ts';

/** Options of `hpo ui`. */
export interface UiOptions {
  store?: string;
  port: number;
  host: string;
}

/** Runs the dashboard until SIGINT or SIGTERM (then exit 0); the store is opened read-only and closed at the end. */
export async function uiCommand(opts: UiOptions): Promise<number> {
  const { startDashboard } = await import('../ui/index.ts');
  const store = openStoreForReading(opts.store);
  try {
    const dashboard = await startDashboard({ store, host: opts.host, port: opts.port }).catch((e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new WorkbenchError(
          ErrorCode.invalidArgument,
          `cannot listen on ${opts.host}:${opts.port} (${code}); pick another with --port or --host`,
          { cause: e },
        );
      }
      throw e;
    });
    out(`hpo ui: serving ${store.root} read-only at ${dashboard.url} (Ctrl-C to stop)`);
    if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) {
      err(
        `hpo ui: listening on ${opts.host}: anyone who can reach this address can read every experiment in the store`,
      );
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await dashboard.close();
    return 0;
  } finally {
    await store.close();
  }
}
