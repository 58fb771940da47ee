// One controller per experiment inside one process too: the store's lock is held by a process, so without the
// in-process claim of lease.ts a second Experiment object (or deleteExperiment) of the same process would be let in
// while the first runs, and both would create trials with the same seq.
import { describe, expect, it, onTestFinished } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { deleteExperiment } from '../../src/experiment/deleteExperiment.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import { openStore } from '../../src/store/open.ts';
import type { Objective } from '../../src/trial/inProcess.ts';
import { rejected, sequenceExperiment, tempDir } from '../helpers.ts';

/** An objective that holds every trial until `release` is called, so the run stays live while the test acts. */
function held(): { objective: Objective; started: Promise<void>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started!: () => void;
  const first = new Promise<void>((resolve) => {
    started = resolve;
  });
  return {
    objective: async (p, report) => {
      started();
      await gate;
      report({ loss: Number(p.x) });
    },
    started: first,
    release,
  };
}

describe('one controller per experiment within a process', () => {
  it('refuses a second Experiment object on the same store folder while the first runs, and lets it in after', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const storeA = openStore(dir);
    const storeB = openStore(dir);
    onTestFinished(async () => {
      await storeA.close();
      await storeB.close();
    });
    const definition = sequenceExperiment('once', {
      maxTrialCount: 3,
      parallelTrialCount: 1,
      resumePolicy: 'LongRunning',
    });
    const first = Experiment.create({ ...definition, store: storeA });
    const second = Experiment.create({ ...definition, store: storeB });
    const gate = held();
    const running = first.optimize(gate.objective);
    await gate.started;
    const err = await rejected(second.optimize(async (p, report) => report({ loss: Number(p.x) })));
    expect(err.code).toBe(ErrorCode.conflict);
    expect(err.message).toContain('already run by another controller of this process');
    // The same store object is refused too, and deleteExperiment does not delete under a running controller.
    const third = Experiment.create({ ...definition, store: storeA });
    expect((await rejected(third.optimize(gate.objective))).code).toBe(ErrorCode.conflict);
    expect((await rejected(deleteExperiment(storeA, 'once'))).code).toBe(ErrorCode.conflict);
    expect(await storeA.getExperiment('once')).toBeDefined();
    gate.release();
    await running;
    const trials = await storeA.listTrials('once');
    expect(trials.map((t) => t.seq)).toEqual([0, 1, 2]);
    expect(trials.every((t) => t.state === 'Succeeded')).toBe(true);
    // Once the first ended, the experiment is free again: a resume with more budget runs, then delete works.
    await second.optimize(async (p, report) => report({ loss: Number(p.x) }), { budget: { maxTrialCount: 4 } });
    expect((await storeB.listTrials('once')).map((t) => t.seq)).toEqual([0, 1, 2, 3]);
    expect(await deleteExperiment(storeB, 'once')).toBe(true);
  }, 60_000);

  it('lets experiments of one name run at once in separate in-memory stores', async () => {
    const definition = sequenceExperiment('same-name', { maxTrialCount: 2, parallelTrialCount: 1 });
    const a = Experiment.create({ ...definition, store: ':memory:' });
    const b = Experiment.create({ ...definition, store: ':memory:' });
    onTestFinished(async () => {
      await a.close();
      await b.close();
    });
    const gate = held();
    const runningA = a.optimize(gate.objective);
    await gate.started;
    await b.optimize(async (p, report) => report({ loss: Number(p.x) }));
    gate.release();
    await runningA;
    expect((await a.result()).trials).toHaveLength(2);
    expect((await b.result()).trials).toHaveLength(2);
  }, 60_000);
});
