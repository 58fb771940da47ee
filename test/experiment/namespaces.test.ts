// The library keys experiments by (namespace, name): two experiments of one name in two namespaces run, resume and
// read back apart in one store, through optimize(), ask/tell and ExperimentReader.
import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { ExperimentReader } from '../../src/index.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

describe('experiments of one name in two namespaces', () => {
  it('run apart in one store and read back by (namespace, name)', async () => {
    const a = Experiment.create({ ...sequenceExperiment('tune', { maxTrialCount: 2 }), namespace: 'team-a', store });
    const b = Experiment.create({ ...sequenceExperiment('tune', { maxTrialCount: 3 }), namespace: 'team-b', store });
    const ra = await a.optimize((p) => Number(p.x));
    const rb = await b.optimize((p) => 10 + Number(p.x));
    expect([ra.namespace, ra.trials.length, ra.bestTrial?.objective]).toEqual(['team-a', 2, 0]);
    expect([rb.namespace, rb.trials.length, rb.bestTrial?.objective]).toEqual(['team-b', 3, 10]);
    expect(await store.getExperiment('tune')).toBeUndefined();

    const reader = await ExperimentReader.open(store, { namespace: 'team-b', name: 'tune' });
    expect((await reader.trials()).map((t) => t.namespace)).toEqual(['team-b', 'team-b', 'team-b']);
    expect((await reader.events()).every((e) => e.namespace === 'team-b')).toBe(true);
    await reader.close();

    // Ask/tell on the finished team-a experiment hands out nothing more and leaves team-b as it was.
    const more = Experiment.create({
      ...sequenceExperiment('tune', { maxTrialCount: 2 }),
      namespace: 'team-a',
      store,
    });
    expect(await more.ask()).toBeUndefined();
    await more.close();
    expect(await store.countTrials({ namespace: 'team-a', name: 'tune' })).toBe(2);
    expect(await store.countTrials({ namespace: 'team-b', name: 'tune' })).toBe(3);
  });
});
