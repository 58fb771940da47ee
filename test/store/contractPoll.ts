// Store.pollExperiment, the one read of a shared-experiment worker's round (src/experiment/trialMirror.ts), run
// against every store by contract.ts: it must give what the separate reads give.
import { describe, expect, it } from 'vitest';
import type { ExperimentKey, ObservationRow } from '../../src/store/types.ts';
import type { OpenStore } from './contract.ts';
import { fresh } from './contract.ts';
import { experiment, fullTrial, trial } from './fixtures-data.ts';

const key: ExperimentKey = { namespace: 'default', name: 'e' };

function row(t: string, step: number, metric = 'loss'): ObservationRow {
  return { trial: t, metric, value: String(step / 10), step, time: '2024-05-01T10:00:00.000Z' };
}

/** Runs the poll contract against the stores `open` makes. */
export function describePollContract(name: string, open: OpenStore): void {
  describe(`${name}: pollExperiment`, () => {
    it('reads the experiment, the change page, the trials it names, new rows of one metric and the state at once', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.createExperiment(experiment('other'));
      await store.insertTrial(fullTrial('e', 0));
      await store.insertTrials([trial('e', 1), trial('e', 2)]);
      await store.insertTrial(trial('other', 0));
      await store.appendObservations('e', [row('e-t0', 1), row('e-t0', 1, 'accuracy'), row('e-t1', 1)]);
      await store.saveAlgorithmState('e', { round: 3, xs: [0.5, 1] });
      const first = await store.pollExperiment(key, { since: 0, metric: 'loss', afterId: 0 });
      expect(first.record).toEqual(await store.getExperiment(key));
      expect(first.changes).toEqual(await store.changesSince(key, 0));
      expect(first.trials).toEqual(await store.listTrials(key));
      expect(first.rows).toEqual(await store.getObservationsOf(key, { metric: 'loss' }));
      expect(first.state).toEqual({ round: 3, xs: [0.5, 1] });
      expect(first.leasesExpireAt).toBeUndefined();
      // Only what changed since: one trial ended, one added, new rows; the other experiment's writes are not here.
      const lastId = Math.max(...first.rows.map((r) => r.id));
      await store.updateTrial('e', 'e-t1', { state: 'Succeeded', objective: 0.25 });
      await store.insertTrial(trial('e', 3));
      await store.appendObservations('e', [row('e-t1', 2), row('e-t1', 2, 'accuracy')]);
      await store.updateTrial('other', 'other-t0', { state: 'Running' });
      const next = await store.pollExperiment(key, { since: first.changes.seq, metric: 'loss', afterId: lastId });
      expect(next.trials.map((t) => [t.name, t.state, t.objective])).toEqual([
        ['e-t1', 'Succeeded', 0.25],
        ['e-t3', 'Pending', undefined],
      ]);
      expect(next.rows.map((r) => [r.trial, r.step, r.metric])).toEqual([['e-t1', 2, 'loss']]);
      expect(next.changes).toEqual(await store.changesSince(key, first.changes.seq));
      // The earliest expiry of the experiment's leases (a worker looks for expired leases only once it has passed).
      const lease = (trialName: string, expiresAt: string) => ({
        experiment: 'e',
        trial: trialName,
        worker: 'w',
        token: trialName,
        heartbeatAt: '2024-05-01T10:00:00.000Z',
        expiresAt,
      });
      await store.putTrialLeases([
        lease('e-t0', '2024-05-01T10:00:09.000Z'),
        lease('e-t2', '2024-05-01T10:00:01.500Z'),
        lease('e-t3', '2024-05-01T10:00:05.000Z'),
      ]);
      await store.putTrialLeases([{ ...lease('other-t0', '2024-05-01T09:00:00.000Z'), experiment: 'other' }]);
      const leased = await store.pollExperiment(key, { since: next.changes.seq, metric: 'loss', afterId: lastId });
      expect(leased.leasesExpireAt).toBe('2024-05-01T10:00:01.500Z');
      // A page: at most `limit` changes, and the seq to continue from; nothing after the last.
      const page = await store.pollExperiment(key, { since: 0, limit: 2, metric: 'loss', afterId: 0 });
      expect(page.changes).toEqual(await store.changesSince(key, 0, 2));
      const named = page.changes.changes.flatMap((c) => (c.kind === 'trial' && c.trial ? [c.trial] : []));
      expect(page.trials.map((t) => t.name)).toEqual([...new Set(named)]);
      const idle = await store.pollExperiment(key, { since: next.changes.seq, metric: 'loss', afterId: lastId + 99 });
      expect([idle.changes.changes, idle.trials, idle.rows]).toEqual([[], [], []]);
    });

    it('reads no experiment and no state once the experiment is deleted, and refuses a bad position', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.insertTrial(trial('e', 0));
      expect((await store.pollExperiment(key, { since: 0, metric: 'loss', afterId: 0 })).state).toBeUndefined();
      await store.deleteExperiment(key);
      const gone = await store.pollExperiment(key, { since: 0, metric: 'loss', afterId: 0 });
      expect([gone.record, gone.trials, gone.rows, gone.state]).toEqual([undefined, [], [], undefined]);
      await expect(store.pollExperiment(key, { since: -1, metric: 'loss', afterId: 0 })).rejects.toThrow();
    });
  });
}
