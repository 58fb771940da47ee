// Ask/tell drives an experiment like a run: it takes the lock before writing anything and holds it until
// close(), so a controller in another process is refused, and a refused ask leaves the store as it was.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

describe('ask/tell and the experiment lock', () => {
  it('holds the lock from the first ask() to close()', async () => {
    const a = Experiment.create({ ...sequenceExperiment('asked', { maxTrialCount: 4, parallelTrialCount: 1 }), store });
    const t = await a.ask();
    expect(t).toBeDefined();
    expect((await store.getExperimentLock('asked'))?.pid).toBe(process.pid);

    // Another process would now be refused (the lock is this pid's, see the next test for a foreign holder).
    expect(await store.acquireExperimentLock('asked', 1)).toBe(false);
    await a.tell(t!.name, 0.5);
    await a.close();
    expect(await store.getExperimentLock('asked')).toBeUndefined();
    const c = Experiment.create({ ...sequenceExperiment('asked', { maxTrialCount: 4, parallelTrialCount: 1 }), store });
    const r = await c.optimize(() => 1);
    expect(r.trials).toHaveLength(4);
    await c.close();
  });

  it('a refused ask() writes nothing: a new experiment is not created under a foreign lock', async () => {
    expect(await store.acquireExperimentLock('fresh', 1)).toBe(true); // pid 1 stands in for another live controller
    const e = Experiment.create({ ...sequenceExperiment('fresh', { maxTrialCount: 2, parallelTrialCount: 1 }), store });
    await expect(e.ask()).rejects.toMatchObject({ code: ErrorCode.conflict });
    await e.close();
    expect(await store.getExperiment('fresh')).toBeUndefined();
  });
});
