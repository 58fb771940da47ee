// A running controller renews its lease, and is told once when it no longer holds the lock.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keepLease } from '../../src/experiment/lease.ts';
import type { Store } from '../../src/store/types.ts';

afterEach(() => vi.useRealTimers());

/** A store whose renewals answer from `answers` in turn (a throw stands for a busy store). */
function renewingStore(answers: (boolean | Error)[]): { store: Store; calls: () => number } {
  let calls = 0;
  const store = {
    renewExperimentLock: () => {
      const a = answers[calls++];
      if (a instanceof Error) throw a;
      return a ?? true;
    },
  } as unknown as Store;
  return { store, calls: () => calls };
}

describe('keepLease', () => {
  it('renews every beat, shrugs off a busy store, and reports a lost lock once, then stops renewing', async () => {
    vi.useFakeTimers();
    const { store, calls } = renewingStore([true, new Error('SQLITE_BUSY'), true, false]);
    const onLost = vi.fn();
    keepLease({ store, experiment: 'e', onLost, everyMs: 1000 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls()).toBe(3);
    expect(onLost).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(onLost).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls()).toBe(4);
  });

  it('stop() ends the renewals', async () => {
    vi.useFakeTimers();
    const { store, calls } = renewingStore([]);
    const lease = keepLease({ store, experiment: 'e', onLost: () => {}, everyMs: 1000 });
    await vi.advanceTimersByTimeAsync(2000);
    lease.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls()).toBe(2);
  });
});
