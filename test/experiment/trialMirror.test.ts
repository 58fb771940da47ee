// The worker's copy of a shared experiment's trials (src/experiment/trialMirror.ts): each refresh reads only what the
// change feed says changed, and ends with the same trials and objective rows as a full read.
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { TrialMirror } from '../../src/experiment/trialMirror.ts';
import { openStore } from '../../src/store/open.ts';
import type { ExperimentKey, ObservationRow, Store } from '../../src/store/types.ts';
import { tempDir } from '../helpers.ts';
import { experiment, trial } from '../store/fixtures-data.ts';

const key: ExperimentKey = { namespace: 'default', name: 'e' };

function row(t: string, step: number, metric = 'loss'): ObservationRow {
  return { trial: t, metric, value: String(step / 10), step, time: '2024-05-01T10:00:00.000Z' };
}

async function storeWithTrials(): Promise<Store> {
  const { dir, cleanup } = tempDir();
  onTestFinished(cleanup);
  const store = openStore(dir);
  onTestFinished(() => store.close());
  await store.createExperiment(experiment('e'));
  await store.createExperiment(experiment('other'));
  for (let seq = 0; seq < 3; seq++) await store.insertTrial(trial('e', seq));
  await store.appendObservations('e', [row('e-t0', 1), row('e-t0', 1, 'accuracy')]);
  return store;
}

/** What a full read gives, to compare the mirror with. */
async function fullRead(store: Store): Promise<unknown> {
  const rows = await store.getObservationsOf(key, { metric: 'loss' });
  return { trials: await store.listTrials(key), rows: rows.map(({ id: _, ...r }) => r) };
}

/** The mirror's answer without row ids (which a full read's comparison leaves out too). */
function plain(m: { trials: unknown; rows: readonly (ObservationRow & { id?: number })[] }): unknown {
  return { trials: m.trials, rows: m.rows.map(({ id: _, ...r }) => r) };
}

describe('TrialMirror', () => {
  it('reads the trials the feed names and the rows after the last one, and matches a full read', async () => {
    const store = await storeWithTrials();
    const mirror = new TrialMirror(key, 'loss');
    expect(plain(await mirror.refresh(store))).toEqual(await fullRead(store));
    const getTrials = vi.spyOn(store, 'getTrials');
    const rows = vi.spyOn(store, 'getObservationsOf');
    // Another worker ends e-t1, claims e-t3 and writes rows; writes to another experiment are not its business.
    await store.updateTrial('e', 'e-t1', { state: 'Succeeded', objective: 0.5 });
    await store.insertTrial(trial('e', 3));
    await store.appendObservations('e', [row('e-t1', 1), row('e-t1', 2)]);
    await store.insertTrial(trial('other', 0));
    const now = await mirror.refresh(store);
    expect(getTrials.mock.calls.map((c) => [...c[1]].sort())).toEqual([['e-t1', 'e-t3']]);
    expect(rows.mock.calls[0]?.[1]?.afterId).toBeGreaterThan(0);
    expect(plain(now)).toEqual(await fullRead(store));
    // Nothing changed: nothing read again.
    getTrials.mockClear();
    await mirror.refresh(store);
    expect(getTrials.mock.calls.flatMap((c) => c[1])).toEqual([]);
  });

  it('pages through more changes than one page holds', async () => {
    const store = await storeWithTrials();
    const mirror = new TrialMirror(key, 'loss');
    await mirror.refresh(store);
    for (let seq = 3; seq < 1203; seq++) await store.insertTrial(trial('e', seq));
    const m = await mirror.refresh(store);
    expect(m.trials).toHaveLength(1203);
    expect(m.trials.map((t) => t.seq)).toEqual([...Array(1203).keys()]);
  });
});
