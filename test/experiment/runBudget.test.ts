// `Experiment.run/optimize({ budget })`: the budget edit of `hpo resume`, stored only once the run holds the
// experiment's lock, so a run refused because another controller drives the experiment writes nothing.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

/** Runs `name` until its third trial starts, then interrupts it: a Running experiment with 2 trials done. */
async function interrupted(name: string): Promise<void> {
  const abort = new AbortController();
  const exp = Experiment.create({ ...sequenceExperiment(name, { maxTrialCount: 4, parallelTrialCount: 1 }), store });
  await exp.optimize(
    async (p, _report, ctx) => {
      if (p.x === 2) {
        abort.abort();
        await new Promise((r) => ctx.signal.addEventListener('abort', r));
      }
      return Number(p.x);
    },
    { signal: abort.signal },
  );
  await exp.close();
}

describe('a run with a budget edit', () => {
  it('stores the new budget, runs to it, and keeps it for later runs of the same object', async () => {
    await interrupted('grown');
    const exp = Experiment.create({
      ...sequenceExperiment('grown', { maxTrialCount: 4, parallelTrialCount: 1 }),
      store,
    });
    const r = await exp.optimize((p) => Number(p.x), { budget: { maxTrialCount: 6 } });
    expect(r.reason).toBe('ExperimentMaxTrialsReached');
    expect(r.trials.filter((t) => t.state === 'Succeeded')).toHaveLength(6);
    expect((await store.getExperiment('grown'))?.manifest.spec.maxTrialCount).toBe(6);
    expect(exp.manifest.spec.maxTrialCount).toBe(6);
    // Running it again does not try to put back the old maximum (refused on a finished experiment).
    const again = await exp.optimize((p) => Number(p.x));
    expect(again.trials).toHaveLength(r.trials.length);
    expect((await store.getExperiment('grown'))?.manifest.spec.maxTrialCount).toBe(6);
    await exp.close();
  });

  it('is refused, writing nothing, while another live controller holds the lock', async () => {
    await interrupted('taken');
    const before = await store.getExperiment('taken');
    // The parent process (the test runner) is alive on this host: its lock is held.
    expect(await store.acquireExperimentLock('taken', process.ppid)).toBe(true);
    const exp = Experiment.create({
      ...sequenceExperiment('taken', { maxTrialCount: 4, parallelTrialCount: 1 }),
      store,
    });
    await expect(exp.optimize((p) => Number(p.x), { budget: { maxTrialCount: 9 } })).rejects.toMatchObject({
      code: ErrorCode.conflict,
    });
    expect(await store.getExperiment('taken')).toEqual(before);
    expect(exp.manifest.spec.maxTrialCount).toBe(4);
    expect((await store.getExperimentLock('taken'))?.pid).toBe(process.ppid);

    // A new experiment whose name is locked is not even created.
    expect(await store.acquireExperimentLock('fresh', process.ppid)).toBe(true);
    const fresh = Experiment.create({ ...sequenceExperiment('fresh'), store });
    await expect(fresh.optimize((p) => Number(p.x))).rejects.toMatchObject({ code: ErrorCode.conflict });
    expect(await store.getExperiment('fresh')).toBeUndefined();
    await exp.close();
    await fresh.close();
  });

  it('rejects an invalid edit and releases the lock it took', async () => {
    await interrupted('bad');
    const exp = Experiment.create({ ...sequenceExperiment('bad', { maxTrialCount: 4, parallelTrialCount: 1 }), store });
    // Two trials are already counted: a maximum of 2 would end the experiment before it resumes.
    await expect(exp.optimize((p) => Number(p.x), { budget: { maxTrialCount: 2 } })).rejects.toMatchObject({
      code: ErrorCode.invalidArgument,
    });
    expect((await store.getExperiment('bad'))?.manifest.spec.maxTrialCount).toBe(4);
    expect(await store.getExperimentLock('bad')).toBeUndefined();
    await exp.close();
  });
});
