/**
 * `hpo status` and `hpo trials`, once or with `-w/--watch`: re-rendered every interval (kubectl's `get -w`,
 * optuna-dashboard's refresh) until the experiment has finished or no live `hpo run` drives it any more.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../index.ts';
import { inProgress, type ReadOptions, renderStatus, renderTrials } from './inspect.ts';
import { isDocumentFormat, out } from './output.ts';
import { requireExperiment, withReadStore } from './readStore.ts';

/** Options of the watchable commands. */
export interface WatchOptions extends ReadOptions {
  watch?: boolean;
  /** Seconds between renders (default 2). */
  interval?: number;
}

/** Default seconds between two renders of `--watch`. */
export const defaultWatchInterval = 2;

async function watchOrOnce(
  name: string,
  opts: WatchOptions,
  render: (store: Store, compact: boolean) => Promise<void>,
): Promise<number> {
  if (opts.watch !== true) {
    await withReadStore(opts.store, (store) => render(store, false));
    return 0;
  }
  const ms = (opts.interval ?? defaultWatchInterval) * 1000;
  // Documents become one line each (JSON Lines), YAML documents are separated by `---`; a terminal is cleared
  // before each table, a pipe gets the tables one after another.
  const documents = isDocumentFormat(opts.output);
  const clear = !documents && process.stdout.isTTY === true;
  for (let first = true; ; first = false) {
    // Each render opens the store afresh: a reader holding one long transaction would stop the WAL's checkpoints.
    const going = await withReadStore(opts.store, async (store) => {
      if (clear) process.stdout.write('\x1b[2J\x1b[H');
      else if (!first && !documents) out('');
      else if (!first && opts.output === 'yaml') out('---');
      // Decided before rendering: the experiment only moves forward, so the render shows at least the state
      // that ended the watch (checked after, a finish between render and check would never be shown).
      const more = await inProgress(store, await requireExperiment(store, name, opts.namespace));
      await render(store, true);
      return more;
    });
    if (!going) return 0;
    await sleep(ms);
  }
}

/** `hpo status NAME [--watch]`. */
export function statusCommand(name: string, opts: WatchOptions): Promise<number> {
  return watchOrOnce(name, opts, (store, compact) => renderStatus(store, name, opts, Date.now(), compact));
}

/** `hpo trials NAME [--watch]`. */
export function trialsCommand(name: string, opts: WatchOptions): Promise<number> {
  return watchOrOnce(name, opts, (store, compact) => renderTrials(store, name, opts, compact));
}
