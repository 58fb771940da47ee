/**
 * Follows one container's log through `pods/{name}/log?follow=true&timestamps=true`. Timestamps make the
 * stream resumable: after a dropped connection or a container restart the log is requested again from
 * `sinceTime` (whole seconds) and lines already delivered are skipped by their nanosecond timestamp, so
 * every line reaches the collector exactly once.
 */
import { Writable } from 'node:stream';
import { LineSplitter } from '../../metrics/lineSplitter.ts';
import { apiFailure, failureError, isRetryable } from './apiError.ts';
import type { KubeClients } from './clients.ts';
import { backoffMs, pause, type RetryPolicy, StoppedError } from './retry.ts';

/** Options of {@link followPodLog}. */
export interface PodLogOptions {
  readonly clients: KubeClients;
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly onLine: (text: string) => void;
  /** True once the container cannot write more (pod finished): a clean end of stream is then final. */
  readonly isFinished: () => boolean;
  readonly onRecover?: (detail: string) => void;
}

type StreamEnd = 'ended' | 'dropped' | 'stopped' | { readonly error: unknown };

/** Nanoseconds since the epoch of an RFC3339(Nano) timestamp, or undefined. */
export function timestampNs(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** `sinceTime` for a resume: the whole second containing `ns` (the API takes second precision). */
function sinceTime(ns: bigint): string {
  const seconds = Number(ns / 1_000_000_000n);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/** Delivers a container's log lines until it has finished (or the signal aborts). Throws for 403 and similar. */
export async function followPodLog(o: PodLogOptions): Promise<void> {
  // The newest timestamp delivered and how many lines carried exactly it.
  let last: { ns: bigint; count: number } | undefined;
  let failures = 0;
  const op = {
    verb: 'get',
    resource: { group: '', plural: 'pods' },
    namespace: o.namespace,
    name: o.pod,
    subresource: 'log',
  };

  const streamOnce = (): Promise<{ end: StreamEnd; lines: number }> =>
    new Promise((resolve) => {
      let settled = false;
      let lines = 0;
      let controller: AbortController | undefined;
      let skip = last?.count ?? 0;
      const finish = (end: StreamEnd): void => {
        if (settled) return;
        settled = true;
        o.signal.removeEventListener('abort', onAbort);
        controller?.abort();
        resolve({ end, lines });
      };
      const onAbort = (): void => finish('stopped');
      const splitter = new LineSplitter({
        onLine: (line) => {
          if (settled) return;
          const sp = line.indexOf(' ');
          const ns = sp > 0 ? timestampNs(line.slice(0, sp)) : undefined;
          if (ns === undefined) {
            lines++;
            o.onLine(line);
            return;
          }
          if (last !== undefined && ns < last.ns) return;
          if (last !== undefined && ns === last.ns && skip > 0) {
            skip--;
            return;
          }
          last = last !== undefined && ns === last.ns ? { ns, count: last.count + 1 } : { ns, count: 1 };
          lines++;
          o.onLine(line.slice(sp + 1));
        },
      });
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          splitter.push(chunk);
          cb();
        },
        final(cb) {
          splitter.end();
          cb();
        },
      });
      // The client pipes the response into `sink`; a pipe does not forward errors, so listen on the source.
      sink.on('pipe', (src: NodeJS.ReadableStream) => src.on('error', () => finish('dropped')));
      sink.on('finish', () => finish('ended'));
      o.signal.addEventListener('abort', onAbort, { once: true });
      o.clients.log
        .log(o.namespace, o.pod, o.container, sink, {
          follow: true,
          timestamps: true,
          ...(last === undefined ? {} : { sinceTime: sinceTime(last.ns) }),
        })
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        })
        .catch((error: unknown) => finish({ error }));
      if (o.signal.aborted) onAbort();
    });

  try {
    while (!o.signal.aborted) {
      const { end, lines } = await streamOnce();
      if (lines > 0) failures = 0;
      if (end === 'stopped') return;
      if (end === 'ended') {
        if (o.isFinished()) return;
        // Still running by the pod's last known status: the container restarted or its status lags.
        await pause(o.policy, backoffMs(o.policy, failures++), o.signal);
        continue;
      }
      if (end === 'dropped') {
        o.onRecover?.(`log stream of pod ${o.pod} dropped; resuming`);
        await pause(o.policy, backoffMs(o.policy, failures++), o.signal);
        continue;
      }
      const f = apiFailure(end.error);
      if (f.status === 404) return; // the pod is gone
      // 400 = the container is not running yet (ContainerCreating); retryable = overload or outage.
      if (f.status !== 400 && !isRetryable(f)) throw failureError(op, end.error);
      if (f.status === 400 && o.isFinished()) return;
      await pause(o.policy, backoffMs(o.policy, failures++, f), o.signal);
    }
  } catch (err) {
    if (err instanceof StoppedError) return;
    throw err;
  }
}
