// Early stopping and live observations in a shared experiment (src/experiment/worker.ts) over one SQLite store, each
// worker with its own connection. PostgreSQL runs the same scenario in sharedWorkersPostgres.test.ts.
import { describe, expect, it, onTestFinished } from 'vitest';
import { joinExperiment } from '../../src/experiment/join.ts';
import { buildManifest } from '../../src/spec/create.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { sequenceExperiment, tempDir } from '../helpers.ts';
import { curveExecutor } from './curveExecutor.ts';
import { expectStoppedByOthers, waitFor } from './sharedEarlyStop.ts';

function storeIn(dir: string): Store {
  const store = openStore(dir);
  onTestFinished(() => store.close());
  return store;
}

describe('early stopping in a shared experiment', () => {
  it("stops a worker's trial by medianstop over another worker's trials", async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    await expectStoppedByOthers(storeIn(dir), storeIn(dir), 'shared-median');
  }, 60_000);
});

describe('observations of a shared experiment', () => {
  it('are in the store while the trial runs (each heartbeat), and written once', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const store = storeIn(dir);
    const reader = storeIn(dir);
    const manifest = buildManifest(sequenceExperiment('live-obs', { maxTrialCount: 1, parallelTrialCount: 1 }));
    const stop = new AbortController();
    const working = joinExperiment({
      store,
      manifest,
      worker: 'w',
      heartbeatMs: 100,
      signal: stop.signal,
      executor: curveExecutor({ loss: (_, step) => 1 / step, steps: () => 100_000, stepMs: 10 }),
    });
    let seen = 0;
    await waitFor('the running trial has observations in the store', async () => {
      const [t] = await reader.listTrials('live-obs');
      if (t?.state !== 'Running') return false;
      seen = (await reader.getObservations('live-obs', t.name, 'loss')).length;
      return seen >= 3;
    });
    const [running] = await reader.listTrials('live-obs');
    expect(running?.state).toBe('Running');
    stop.abort();
    await working;
    const [t] = await reader.listTrials('live-obs');
    expect([t?.state, t?.reason]).toEqual(['Killed', 'Interrupted']);
    // The heartbeat's flushes and the trial's end together wrote each step once, in order.
    const steps = (await reader.getObservations('live-obs', t!.name, 'loss')).map((o) => o.step);
    expect(steps.length).toBeGreaterThanOrEqual(seen);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
  }, 60_000);
});

/** `store`, whose transactions' `appendObservations` fail while `failures.left` is above 0 (a store out of reach). */
function failingAppends(store: Store, failures: { left: number }): Store {
  const pass = <T extends object>(target: T, prop: string | symbol): unknown => {
    const v = Reflect.get(target, prop, target);
    return typeof v === 'function' ? v.bind(target) : v;
  };
  const tx = (inner: Store): Store =>
    new Proxy(inner, {
      get: (target, prop) =>
        prop !== 'appendObservations'
          ? pass(target, prop)
          : async (...args: Parameters<Store['appendObservations']>) => {
              if (failures.left > 0) {
                failures.left--;
                throw new Error('the store is out of reach');
              }
              return target.appendObservations(...args);
            },
    });
  return new Proxy(store, {
    get: (target, prop) =>
      prop === 'transaction'
        ? <T>(fn: (t: Store) => Promise<T>) => target.transaction((inner) => fn(tx(inner)))
        : pass(target, prop),
  });
}

describe('a flush the store refuses', () => {
  it('puts the rows back: the next beat writes them, and every step is stored once, from step 1', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const failures = { left: 2 };
    const store = failingAppends(storeIn(dir), failures);
    const reader = storeIn(dir);
    const manifest = buildManifest(sequenceExperiment('flaky-obs', { maxTrialCount: 1, parallelTrialCount: 1 }));
    const stop = new AbortController();
    const working = joinExperiment({
      store,
      manifest,
      worker: 'w',
      heartbeatMs: 100,
      signal: stop.signal,
      executor: curveExecutor({ loss: (_, step) => 1 / step, steps: () => 100_000, stepMs: 10 }),
    });
    await waitFor('the flushes after the two failed ones wrote rows', async () => {
      const [t] = await reader.listTrials('flaky-obs');
      return t !== undefined && failures.left === 0 && (await reader.getObservations('flaky-obs', t.name)).length > 0;
    });
    const [t] = await reader.listTrials('flaky-obs');
    // The rows of the two failed beats were written by a later one, before the trial ended.
    expect(t?.state).toBe('Running');
    expect((await reader.getObservations('flaky-obs', t!.name, 'loss'))[0]?.step).toBe(1);
    stop.abort();
    await working;
    const steps = (await reader.getObservations('flaky-obs', t!.name, 'loss')).map((o) => o.step);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
  }, 60_000);
});
