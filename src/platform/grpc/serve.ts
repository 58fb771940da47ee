import { resolve } from 'node:path';
import { type SuggestionServerOptions, startSuggestionServer } from './server.ts';

/** Options of {@link serveUntilAborted}. */
export interface ServeOptions extends SuggestionServerOptions {
  /** Stops the server when aborted (the CLI aborts it on SIGINT/SIGTERM). */
  readonly signal: AbortSignal;
  /** Receives one line once the server listens. */
  readonly log?: (line: string) => void;
}

/**
 * What `hpo suggestion-server` runs: starts the server, reports the address, and resolves after `signal` aborts and
 * the server has shut down (letting calls in flight finish, as Kubernetes' SIGTERM grace period allows).
 */
export async function serveUntilAborted(options: ServeOptions): Promise<void> {
  const server = await startSuggestionServer(options);
  options.log?.(
    `Katib suggestion service (Suggestion, EarlyStopping) listening on ${options.host ?? '0.0.0.0'}:${server.port}`,
  );
  if (options.dataDir !== undefined) {
    const keep = options.keepGenerations ?? 2;
    options.log?.(
      `PBT checkpoint folders: ${resolve(options.dataDir)}/<experiment>/<trial> (${
        Number.isFinite(keep) ? `the newest ${keep} generations and the best trial kept` : 'all kept'
      })`,
    );
  }
  if (!options.signal.aborted) {
    await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  await server.close();
}
