// DashboardData's trial cache over a real store: kept per experiment until the change feed moves, and capped, so a
// dashboard over a store of many experiments holds only the most recently read ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, openStoreForReading } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { DashboardData, defaultCachedExperiments } from '../../src/ui/data.ts';
import { tempDir } from '../helpers.ts';
import { writeTradeoffExperiment } from './fixture.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
const names = ['e1', 'e2', 'e3'];

beforeAll(async () => {
  tmp = tempDir('hpo-ui-data-');
  const writer = openStore(tmp.dir);
  try {
    for (const name of names) await writeTradeoffExperiment(writer, name);
  } finally {
    await writer.close();
  }
  store = openStoreForReading(tmp.dir);
}, 60_000);
afterAll(async () => {
  await store?.close();
  tmp?.cleanup();
});

const key = (name: string) => ({ namespace: 'default', name });

describe('DashboardData trial cache', () => {
  it('reuses the trials it read while the store has not changed', async () => {
    const data = new DashboardData(store);
    const first = await data.trials(key('e1'));
    expect(first).toHaveLength(5);
    expect(await data.trials(key('e1'))).toBe(first);
    expect(defaultCachedExperiments).toBeGreaterThan(1);
  });

  it('keeps only the most recently read experiments, reading an evicted one again', async () => {
    const data = new DashboardData(store, { cachedExperiments: 2 });
    const e1 = await data.trials(key('e1'));
    await data.trials(key('e2'));
    await data.trials(key('e3'));
    expect(data.cachedExperiments()).toEqual(['["default","e2"]', '["default","e3"]']);
    // e1 was dropped: read again (a new list), and now e2 is the oldest and goes.
    const again = await data.trials(key('e1'));
    expect(again).not.toBe(e1);
    expect(again).toEqual(e1);
    expect(data.cachedExperiments()).toEqual(['["default","e3"]', '["default","e1"]']);
  });

  it('computes the objective columns once per list of trials', async () => {
    const data = new DashboardData(store);
    const e = (await store.getExperiment(key('e1')))!;
    const trials = await data.trials(e);
    const columns = data.objectiveColumns(e, trials)!;
    expect(data.objectiveColumns(e, trials)).toBe(columns);
    expect(trials.map((t) => columns.pareto(t))).toEqual([true, true, false, true, false]);
  });
});
