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
