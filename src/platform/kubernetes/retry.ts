/**
 * Exponential backoff for API calls: 429 and 5xx answers and network failures are retried, waiting
 * `Retry-After` when the server names a time and `baseMs·2^attempt` (capped) otherwise. Everything waits on
 * an AbortSignal so a stopped trial never sits in a backoff.
 */
import { type ApiFailure, apiFailure, isRetryable } from './apiError.ts';

/** How often and how long to retry. */
export interface RetryPolicy {
  /** Tries in all (first call included). */
  readonly attempts: number;
  readonly baseMs: number;
  /** Cap on one wait, Retry-After included. */
  readonly maxMs: number;
  /** Replaces the timer (tests record the waits); must resolve early when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** 8 tries, 0.25 s doubling to at most 30 s: about a minute of outage rides through. */
export const defaultRetryPolicy: RetryPolicy = { attempts: 8, baseMs: 250, maxMs: 30_000 };

/** Raised when the caller's signal aborted while a call or a wait was in progress. */
export class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'StoppedError';
  }
}

/** Waits `ms`, resolving early (not rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The wait before retry number `attempt` (0-based): Retry-After when given, else exponential; both capped. */
export function backoffMs(policy: RetryPolicy, attempt: number, failure?: ApiFailure): number {
  if (failure?.retryAfterMs !== undefined) return Math.min(policy.maxMs, failure.retryAfterMs);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
}

/** Waits with the policy's sleep, then throws {@link StoppedError} if the signal aborted meanwhile. */
export async function pause(policy: RetryPolicy, ms: number, signal?: AbortSignal): Promise<void> {
  await (policy.sleep ?? sleep)(ms, signal);
  if (signal?.aborted) throw new StoppedError();
}

/** Options of {@link withRetry}. */
export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly signal?: AbortSignal;
  /** Told about each retry (for trial warnings). */
  readonly onRetry?: (failure: ApiFailure, delayMs: number) => void;
}

/** Calls `op` until it succeeds, fails with a non-retryable error, or the tries run out (then rethrows). */
export async function withRetry<T>(op: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (o.signal?.aborted) throw new StoppedError();
    try {
      return await op();
    } catch (err) {
      if (o.signal?.aborted) throw new StoppedError();
      const f = apiFailure(err);
      if (!isRetryable(f) || attempt + 1 >= o.policy.attempts) throw err;
      const delay = backoffMs(o.policy, attempt, f);
      o.onRetry?.(f, delay);
      await pause(o.policy, delay, o.signal);
    }
  }
}
