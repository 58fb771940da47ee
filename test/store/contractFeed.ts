// The Store v2 contract, second half: the change feed, bulk observation reads and the lock lease, as every store
// serves them (see contract.ts).
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { isProcessAlive } from '../../src/store/lockStatus.ts';
import type { ChangeRow, ObservationRow, StoredObservation } from '../../src/store/types.ts';
import { rejected } from '../helpers.ts';
import { fresh, type OpenStore } from './contract.ts';
import { experiment, trial } from './fixtures-data.ts';

/** What changed, without the seq and time. */
const what = (changes: readonly ChangeRow[]): string[] =>
  changes.map((c) => `${c.experiment}:${c.kind}${c.trial === undefined ? '' : `:${c.trial}`}`);

const obs = (t: string, metric: string, step: number, time?: string): ObservationRow => ({
  trial: t,
  metric,
  value: `${t}/${metric}/${step}`,
  step,
  ...(time === undefined ? {} : { time }),
});

const strip = (rows: readonly StoredObservation[]): ObservationRow[] => rows.map(({ id: _id, ...r }) => r);

/** The pid of a process that has exited. */
function deadPid(): number {
  const res = spawnSync(process.execPath, ['-e', '']);
  return res.pid ?? 0;
}

/** The change feed, observation pages and locks of the contract; called by `describeStoreContract`. */
export function describeFeedContract(name: string, open: OpenStore): void {
  describe(`${name}: change feed`, () => {
    it('records one change per write, in commit order, and nothing for writes that change nothing', async () => {
      const { store } = await fresh(open);
      expect(store.hasChangeFeed).toBe(true);
      expect(await store.changesSince(undefined, 0)).toEqual({ changes: [], seq: 0 });
      await store.createExperiment(experiment('e'));
      await store.insertTrial(trial('e', 0));
      await store.insertTrial(trial('e', 1));
      await store.updateTrial('e', 'e-t0', { state: 'Running' });
      await store.appendObservations('e', [obs('e-t0', 'loss', 1), obs('e-t1', 'loss', 1), obs('e-t0', 'loss', 2)]);
      await store.addEvent({ experiment: 'e', trial: 'e-t0', type: 'Normal', reason: 'R', message: 'm', time: 't' });
      await store.addEvent({ experiment: 'e', type: 'Normal', reason: 'R', message: 'm', time: 't' });
      await store.updateExperiment('e', { phase: 'Running' });
      await store.saveAlgorithmState('e', { n: 1 });
      await store.updateTrial('e', 'e-t0', {});
      await store.appendObservations('e', []);
      await rejected(store.updateTrial('e', 'nope', { state: 'Failed' }));
      const { changes, seq } = await store.changesSince(undefined, 0);
      expect(what(changes)).toEqual([
        'e:experiment',
        'e:trial:e-t0',
        'e:trial:e-t1',
        'e:trial:e-t0',
        'e:observations:e-t0',
        'e:observations:e-t1',
        'e:event:e-t0',
        'e:event',
        'e:experiment',
      ]);
      const seqs = changes.map((c) => c.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(9);
      expect(seq).toBe(seqs.at(-1));
      for (const c of changes) expect(c.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(await store.changesSince(undefined, seq)).toEqual({ changes: [], seq });
    });

    it('filters by experiment, pages with limit, and hands back where to continue', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('a'));
      await store.createExperiment(experiment('b'));
      for (let i = 0; i < 5; i++) await store.insertTrial(trial('a', i));
      await store.insertTrial(trial('b', 0));
      const first = await store.changesSince('a', 0, 2);
      expect(what(first.changes)).toEqual(['a:experiment', 'a:trial:a-t0']);
      expect(first.seq).toBe(first.changes[1]?.seq);
      const second = await store.changesSince('a', first.seq, 10);
      expect(what(second.changes)).toEqual(['a:trial:a-t1', 'a:trial:a-t2', 'a:trial:a-t3', 'a:trial:a-t4']);
      const latest = (await store.changesSince(undefined, 0)).seq;
      expect(second.seq).toBe(latest);
      expect(await store.changesSince('a', second.seq)).toEqual({ changes: [], seq: latest });
      expect(what((await store.changesSince('b', 0)).changes)).toEqual(['b:experiment', 'b:trial:b-t0']);
    });

    it('rolls a change back with its write, and shows it to another connection only once committed', async () => {
      const { store, reopen } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await expect(
        store.transaction(async (tx) => {
          await tx.insertTrial(trial('e', 0));
          throw new Error('abandon');
        }),
      ).rejects.toThrow('abandon');
      const before = await store.changesSince('e', 0);
      expect(what(before.changes)).toEqual(['e:experiment']);
      const reader = reopen();
      await store.transaction(async (tx) => {
        await tx.insertTrial(trial('e', 1));
        await tx.updateTrial('e', 'e-t1', { state: 'Running' });
        expect((await reader.changesSince('e', before.seq)).changes).toEqual([]);
      });
      const seen = await reader.changesSince('e', before.seq);
      expect(what(seen.changes)).toEqual(['e:trial:e-t1', 'e:trial:e-t1']);
    });

    it('drops a deleted experiment\u2019s changes but says that it changed, and never reuses a seq', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.insertTrial(trial('e', 0));
      await store.createExperiment(experiment('keep'));
      await store.deleteExperiment('e');
      const after = await store.changesSince(undefined, 0);
      expect(what(after.changes)).toEqual(['keep:experiment', 'e:experiment']);
      await store.createExperiment(experiment('e'));
      const again = (await store.changesSince('e', 0)).changes;
      expect(again.map((c) => c.kind)).toEqual(['experiment', 'experiment']);
      expect(again[1]!.seq).toBeGreaterThan(after.seq);
    });

    it('refuses a position or limit that is not a whole number', async () => {
      const { store } = await fresh(open);
      for (const [since, limit] of [
        [-1, 10],
        [1.5, 10],
        [Number.NaN, 10],
        [0, 0],
        [0, 2.5],
      ] as const) {
        const e = await rejected(store.changesSince(undefined, since, limit));
        expect([e.code, e.message]).toEqual([
          ErrorCode.invalidArgument,
          expect.stringMatching(/must be a whole number/),
        ]);
      }
    });
  });

  describe(`${name}: observation pages`, () => {
    async function filled() {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.createExperiment(experiment('other'));
      for (let i = 0; i < 3; i++) await store.insertTrial(trial('e', i));
      await store.insertTrial(trial('other', 0));
      const written = [obs('e-t1', 'loss', 1, '2024-05-01T10:00:00Z'), obs('e-t0', 'loss', 1), obs('e-t0', 'acc', 1)];
      await store.appendObservations('e', written);
      await store.appendObservations('other', [obs('other-t0', 'loss', 1)]);
      const more = [obs('e-t2', 'loss', 1), obs('e-t0', 'loss', 2), obs('e-t1', 'acc', 1)];
      await store.appendObservations('e', more);
      return { store, written: [...written, ...more] };
    }

    it('reads every trial in insertion order, narrows by metric and trials, and pages by id', async () => {
      const { store, written } = await filled();
      const all = await store.getObservationsOf('e');
      expect(strip(all)).toStrictEqual(written);
      const ids = all.map((r) => r.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(await store.getObservationsOf('nope')).toEqual([]);
      expect(strip(await store.getObservationsOf('e', { metric: 'acc' }))).toStrictEqual(
        written.filter((r) => r.metric === 'acc'),
      );
      expect(strip(await store.getObservationsOf('e', { trials: ['e-t0', 'e-t2', 'no-such'] }))).toStrictEqual(
        written.filter((r) => r.trial === 'e-t0' || r.trial === 'e-t2'),
      );
      expect(strip(await store.getObservationsOf('e', { trials: ['e-t0'], metric: 'loss' }))).toStrictEqual(
        await store.getObservations('e', 'e-t0', 'loss'),
      );
      expect(await store.getObservationsOf('e', { trials: [] })).toEqual([]);
      expect(await store.getObservationsOf('e', { trials: ["e-t0') OR 1=1 --", '"]'] })).toEqual([]);
      const pages: StoredObservation[][] = [];
      let afterId = 0;
      for (;;) {
        const page = await store.getObservationsOf('e', { afterId, limit: 2 });
        if (page.length === 0) break;
        pages.push(page);
        afterId = page.at(-1)?.id ?? afterId;
        if (pages.length === 1) await store.appendObservations('e', [obs('e-t2', 'loss', 2)]);
      }
      expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
      expect(strip(pages.flat())).toStrictEqual([...written, obs('e-t2', 'loss', 2)]);
    });

    it('refuses a bad position, limit or trial list', async () => {
      const { store } = await filled();
      for (const query of [{ afterId: -1 }, { afterId: 0.5 }, { limit: 0 }, { limit: Number.POSITIVE_INFINITY }]) {
        const e = await rejected(store.getObservationsOf('e', query));
        expect([e.code, e.message]).toEqual([
          ErrorCode.invalidArgument,
          expect.stringMatching(/must be a whole number/),
        ]);
      }
      const e = await rejected(store.getObservationsOf('e', { trials: 'e-t0' as unknown as string[] }));
      expect(e.code).toBe(ErrorCode.invalidArgument);
    });

    it('reads 200 trials \u00d7 10 observations in one call', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('big'));
      await store.transaction(async (tx) => {
        for (let i = 0; i < 200; i++) {
          await tx.insertTrial(trial('big', i));
          await tx.appendObservations(
            'big',
            Array.from({ length: 10 }, (_, s) => obs(`big-t${i}`, 'loss', s + 1)),
          );
        }
      });
      const all = await store.getObservationsOf('big', { metric: 'loss' });
      expect(all).toHaveLength(2000);
      expect(all[0]).toMatchObject({ trial: 'big-t0', step: 1 });
      expect(all.at(-1)).toMatchObject({ trial: 'big-t199', step: 10 });
    });
  });

  describe(`${name}: locks`, () => {
    it('grants a free lock, re-grants it to its owner, refuses a live other owner, and releases only its own', async () => {
      const { store } = await fresh(open);
      const other = process.ppid;
      expect(await store.acquireExperimentLock('e', other)).toBe(true);
      expect(await store.acquireExperimentLock('e', other)).toBe(true);
      expect(await store.acquireExperimentLock('e', process.pid)).toBe(false);
      expect(await store.getExperimentLock('e')).toMatchObject({ experiment: 'e', pid: other, host: hostname() });
      const lock = await store.getExperimentLock('e');
      expect(Date.parse(lock?.expiresAt ?? '')).toBeGreaterThan(Date.parse(lock?.heartbeatAt ?? ''));
      await store.releaseExperimentLock('e', process.pid);
      expect((await store.getExperimentLock('e'))?.pid).toBe(other);
      expect(await store.renewExperimentLock('e', other)).toBe(true);
      expect(await store.renewExperimentLock('e', process.pid)).toBe(false);
      await store.releaseExperimentLock('e', other);
      expect(await store.getExperimentLock('e')).toBeUndefined();
      expect(await store.acquireExperimentLock('e')).toBe(true);
      expect((await store.getExperimentLock('e'))?.pid).toBe(process.pid);
    });

    it('takes over a lock whose owner is dead, and force-release removes anyone\u2019s lock', async () => {
      const { store } = await fresh(open);
      const dead = deadPid();
      expect(isProcessAlive(dead)).toBe(false);
      expect(await store.acquireExperimentLock('e', dead)).toBe(true);
      expect(await store.acquireExperimentLock('e', process.pid)).toBe(true);
      expect((await store.getExperimentLock('e'))?.pid).toBe(process.pid);
      expect(await store.forceReleaseExperimentLock('e')).toMatchObject({ pid: process.pid, host: hostname() });
      expect(await store.forceReleaseExperimentLock('e')).toBeUndefined();
      expect(await store.renewExperimentLock('e')).toBe(false);
    });
  });
}
