// Ask/tell with intermediate values: `report()` hands a trial's curve to the controller, which runs the same
// early-stopping rules as for optimize(); a stopped trial is recorded EarlyStopped and `tell()` returns it as stored.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest, rejected, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

describe('ask/tell with report()', () => {
  it('stops trials worse than the median as optimize() does: report() returns true, tell() returns the stored record', async () => {
    const exp = Experiment.create({
      ...sequenceExperiment('median-ask', { maxTrialCount: 8, parallelTrialCount: 1 }),
      earlyStopping: { algorithmName: 'medianstop', algorithmSettings: { min_trials_required: 2, start_step: 2 } },
      store,
    });
    const epochsRun: number[] = [];
    const told: { x: unknown; state: string; objective: number | undefined }[] = [];
    try {
      for (let t = await exp.ask(); t !== undefined; t = await exp.ask()) {
        // Trials 0..2 are good; later ones are worse by 1 at every epoch.
        const offset = Number(t.params.x) < 3 ? 0 : 1;
        let e = 1;
        for (; e <= 10; e++) if (await exp.report(t.name, offset + 1 / e, { step: e })) break;
        epochsRun.push(Math.min(e, 10));
        // Once stopped, report() keeps saying so and tell()'s value changes nothing.
        if (e <= 10) expect(await exp.report(t.name, 0)).toBe(true);
        const rec = await exp.tell(t.name, offset + 1 / Math.min(e, 10));
        told.push({ x: rec.params.x, state: rec.state, objective: rec.objective });
      }
    } finally {
      await exp.close();
    }
    expect(epochsRun).toEqual([10, 10, 10, 2, 2, 2, 2, 3]);
    expect(told.filter((t) => t.state === 'EarlyStopped').map((t) => t.x)).toEqual([3, 4, 5, 6, 7]);
    expect(told.map((t) => Number(t.objective?.toFixed(4)))).toEqual([0.1, 0.1, 0.1, 1.5, 1.5, 1.5, 1.5, 1.3333]);
    const stored = await store.listTrials('median-ask');
    expect(stored.map((t) => t.state)).toEqual(told.map((t) => t.state));
    const steps = (await store.getObservations('median-ask', stored[3]!.name, 'loss')).map((o) => o.step);
    expect(steps).toEqual([1, 2]);
  });

  it('refuses a trial it did not hand out and a step that is not a whole number', async () => {
    const exp = Experiment.create({ ...sequenceExperiment('refusals', { maxTrialCount: 2 }), store });
    try {
      const t = await exp.ask();
      expect((await rejected(exp.report('no-such-trial', 1))).code).toBe(ErrorCode.invalidArgument);
      expect((await rejected(exp.report(t!.name, 1, { step: 1.5 }))).code).toBe(ErrorCode.invalidArgument);
      expect(await exp.report(t!.name, 3, { step: 1 })).toBe(false);
      expect((await exp.tell(t!.name, 2)).objective).toBe(2);
      expect((await rejected(exp.report(t!.name, 1))).message).toContain('already told');
    } finally {
      await exp.close();
    }
  });
});
