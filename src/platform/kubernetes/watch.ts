/**
 * List-then-watch of a collection, the way client-go's reflector does it: list to get the current objects
 * and a resourceVersion, watch from that version, and on the way recover from what real clusters do to long
 * watches — an expired version (410 Gone, as an HTTP status or an ERROR event) re-lists, a closed or dropped
 * connection re-watches from the last version seen, 429/5xx/network errors back off and retry.
 */
import { type ApiOperation, apiFailure, failureError, isRetryable } from './apiError.ts';
import type { KubeClients } from './clients.ts';
import { backoffMs, pause, type RetryPolicy, StoppedError, withRetry } from './retry.ts';
import type { KubeObject } from './types.ts';

/** A change to one object, as {@link followObjects} reports it. */
export type FollowEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What the follower recovered from (for trial warnings and tests). */
export type FollowRecovery = 'expired' | 'closed' | 'error';

/** Options of {@link followObjects}. */
export interface FollowOptions {
  readonly clients: KubeClients;
  /** The collection's REST path (`/apis/kubeflow.org/v1/namespaces/ns/pytorchjobs`). */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Lists the collection with the same selectors. */
  readonly list: () => Promise<{ items: KubeObject[]; resourceVersion: string }>;
  /** Every state seen, in order; return true to stop following. */
  readonly onEvent: (type: FollowEventType, obj: KubeObject) => boolean | undefined;
  readonly signal: AbortSignal;
  readonly policy: RetryPolicy;
  /** Names the call in error messages. */
  readonly operation: ApiOperation;
  readonly onRecover?: (what: FollowRecovery, detail: string) => void;
  /** Server-side watch timeout, so a silently dead connection is replaced; default 300 s. */
  readonly watchTimeoutSeconds?: number;
}

type WatchEnd =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'closed'; readonly events: number }
  | { readonly kind: 'error'; readonly error: unknown };

function nameOf(o: KubeObject): string {
  return o.metadata?.name ?? '';
}

/** One watch request; resolves when it ends, however it ends. */
function watchOnce(
  o: FollowOptions,
  resourceVersion: string,
  onEvent: (type: string, obj: KubeObject) => boolean,
): Promise<WatchEnd> {
  return new Promise((resolve) => {
    let controller: AbortController | undefined;
    let settled = false;
    let events = 0;
    const finish = (end: WatchEnd): void => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(end);
    };
    const onAbort = (): void => finish({ kind: 'stopped' });
    o.signal.addEventListener('abort', onAbort, { once: true });
    const query: Record<string, string | number | boolean> = {
      resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: o.watchTimeoutSeconds ?? 300,
    };
    if (o.labelSelector !== undefined) query.labelSelector = o.labelSelector;
    if (o.fieldSelector !== undefined) query.fieldSelector = o.fieldSelector;
    o.clients.watch
      .watch(
        o.path,
        query,
        (type: string, obj: KubeObject) => {
          if (settled) return;
          if (type === 'ERROR') {
            const f = apiFailure(obj);
            finish(f.status === 410 ? { kind: 'expired' } : { kind: 'error', error: obj });
            return;
          }
          events++;
          if (onEvent(type, obj)) finish({ kind: 'stopped' });
        },
        (err: unknown) => {
          if (err === null || err === undefined) finish({ kind: 'closed', events });
          else if (apiFailure(err).status === 410) finish({ kind: 'expired' });
          else finish({ kind: 'error', error: err });
        },
      )
      .then((c) => {
        controller = c;
        if (settled) c.abort();
      })
      .catch((error: unknown) => finish({ kind: 'error', error }));
    if (o.signal.aborted) onAbort();
  });
}

/**
 * Follows the objects of a collection until `onEvent` returns true or the signal aborts. Objects that vanish
 * while no watch was open are reported DELETED after the next list. Throws a WorkbenchError only for a
 * failure retrying cannot fix (403, 404 of the resource type, 400).
 */
export async function followObjects(o: FollowOptions): Promise<void> {
  const known = new Map<string, KubeObject>();
  let stop = false;
  let resourceVersion: string | undefined;
  let failures = 0;
  let expiredInARow = 0;
  const deliver = (type: FollowEventType, obj: KubeObject): boolean => {
    if (type === 'DELETED') known.delete(nameOf(obj));
    else known.set(nameOf(obj), obj);
    if (o.onEvent(type, obj) === true) stop = true;
    return stop;
  };
  try {
    while (!stop && !o.signal.aborted) {
      if (resourceVersion === undefined) {
        let listed: { items: KubeObject[]; resourceVersion: string };
        try {
          listed = await withRetry(o.list, { policy: o.policy, signal: o.signal });
        } catch (err) {
          if (err instanceof StoppedError) return;
          throw failureError({ ...o.operation, verb: 'list' }, err);
        }
        const names = new Set(listed.items.map(nameOf));
        for (const [name, last] of [...known]) if (!names.has(name) && deliver('DELETED', last)) return;
        for (const item of listed.items) if (deliver(known.has(nameOf(item)) ? 'MODIFIED' : 'ADDED', item)) return;
        resourceVersion = listed.resourceVersion;
      }
      const end = await watchOnce(o, resourceVersion, (type, obj) => {
        resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return false; // BOOKMARK
        failures = 0;
        expiredInARow = 0;
        return deliver(type, obj);
      });
      if (end.kind === 'stopped') return;
      if (end.kind === 'expired') {
        // Our version fell out of the server's watch cache: everything since must be re-read.
        o.onRecover?.('expired', `resourceVersion ${resourceVersion} expired; re-listing`);
        resourceVersion = undefined;
        // A fresh list's version should be watchable; if it expires at once again, slow down.
        if (expiredInARow++ > 0) await pause(o.policy, backoffMs(o.policy, failures++), o.signal);
        continue;
      }
      if (end.kind === 'closed') {
        o.onRecover?.('closed', 'watch closed by the server; re-watching');
        // A server that closes at once again and again must not be hammered.
        if (end.events === 0) await pause(o.policy, backoffMs(o.policy, failures++), o.signal);
        continue;
      }
      const f = apiFailure(end.error);
      if (f.status !== undefined && !isRetryable(f)) throw failureError({ ...o.operation, verb: 'watch' }, end.error);
      o.onRecover?.('error', f.message);
      await pause(o.policy, backoffMs(o.policy, failures++, f), o.signal);
    }
  } catch (err) {
    if (err instanceof StoppedError) return;
    throw err;
  }
}
