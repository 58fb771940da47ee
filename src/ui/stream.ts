import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChangeRow, ExperimentKey, Store } from '../store/types.ts';
import { copyLogRange, logSize } from '../trial/logFile.ts';

/** What the `change` events of `GET /api/events` carry: the feed's new seq and what changed since the last one. */
export interface ChangeMessage {
  readonly seq: number;
  /** The experiments changed, as `[namespace, name]`, each once. */
  readonly experiments: readonly (readonly [string, string])[];
  /** The kinds of change seen (`experiment`, `trial`, `observations`, `event`). */
  readonly kinds: readonly string[];
  /** The trials named by the changes, each once. */
  readonly trials: readonly string[];
}

function summarise(changes: readonly ChangeRow[], seq: number): ChangeMessage {
  const experiments = new Map<string, readonly [string, string]>();
  for (const c of changes) {
    const ns = c.namespace ?? 'default';
    experiments.set(JSON.stringify([ns, c.experiment]), [ns, c.experiment]);
  }
  return {
    seq,
    experiments: [...experiments.values()],
    kinds: [...new Set(changes.map((c) => c.kind))],
    trials: [...new Set(changes.flatMap((c) => (c.trial === undefined ? [] : [c.trial])))],
  };
}

/**
 * Serves the change feed as server-sent events until the client goes: `ready` with the seq it starts from, then one
 * `change` event per poll that found changes (see {@link ChangeMessage}), polling every `pollMs`. A store without a
 * feed sends one `unavailable` event saying why; the page then reloads by hand. `since` = 0 starts at the latest seq.
 */
export async function serveChanges(
  res: ServerResponse,
  options: { store: Store; experiment?: ExperimentKey; since: number; pollMs: number; signal: AbortSignal },
): Promise<void> {
  const { store, experiment, pollMs, signal } = options;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  const send = (event: string, data: unknown): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  if (!store.hasChangeFeed) {
    send('unavailable', {
      message: `the store at ${store.location} has no change feed; reload the page to see changes`,
    });
    res.end();
    return;
  }
  let seq = options.since > 0 ? options.since : (await store.changesSince(experiment, Number.MAX_SAFE_INTEGER, 1)).seq;
  send('ready', { seq });
  let idle = 0;
  while (!signal.aborted) {
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) break;
    const page = await store.changesSince(experiment, seq, 1000);
    if (page.changes.length > 0 || page.seq < seq) {
      // A seq below ours means the store was replaced: say so as a change of everything.
      send('change', summarise(page.changes, page.seq));
      idle = 0;
    } else if (++idle * pollMs >= 15_000) {
      // A comment now and then keeps proxies from closing a quiet stream.
      res.write(': idle\n\n');
      idle = 0;
    }
    seq = page.seq;
  }
  res.end();
}

/**
 * Streams a trial's log from byte `offset` as chunked text, never holding it whole: what it holds now, then, while
 * `going()` says the trial may still write, what it appends, every `pollMs`. A log that shrinks (the trial was
 * resumed and started its log anew) is sent again from the start after a marker line. Returns false, sending
 * nothing, when there is no log and the trial will write none.
 */
export async function serveLog(
  res: ServerResponse,
  options: { path: string; offset: number; going: () => Promise<boolean>; pollMs: number; signal: AbortSignal },
): Promise<boolean> {
  const { path, going, pollMs, signal } = options;
  let offset = options.offset;
  let started = false;
  while (!signal.aborted) {
    // Asked before the copy: once the store says the trial ended, its output is all in the file.
    const more = await going();
    const size = await logSize(path);
    if (!started) {
      if (size === undefined && !more) return false;
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      started = true;
    }
    if (size !== undefined && size < offset) {
      res.write('\n--- the log started again (the trial was restarted) ---\n');
      offset = 0;
    }
    if (size !== undefined) {
      await copyLogRange(path, offset, size, res);
      offset = size;
    }
    if (!more) break;
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
  res.end();
  return true;
}
