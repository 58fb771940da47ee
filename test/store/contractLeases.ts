// The shared-experiment part of the Store v2 contract (trial leases, the write lock, and the rules of
// src/experiment/sharedTrials.ts built on them), run against every store by contract.ts.
import { describe, expect, it, vi } from 'vitest';
import {
  claimTrials,
  reclaimExpired,
  type SlotClaim,
  writeUnderLease,
  writeUnderLeases,
} from '../../src/experiment/sharedTrials.ts';
import type { ExperimentKey, Store, TrialLease } from '../../src/store/types.ts';
import type { OpenStore } from './contract.ts';
import { fresh } from './contract.ts';
import { experiment, trial } from './fixtures-data.ts';

const key: ExperimentKey = { namespace: 'default', name: 'e' };
const t0 = new Date('2024-05-01T10:00:00.000Z');

function lease(trialName: string, worker: string, extra: Partial<TrialLease> = {}): TrialLease {
  return {
    experiment: 'e',
    trial: trialName,
    worker,
    token: `${worker}-${trialName}`,
    heartbeatAt: t0.toISOString(),
    expiresAt: new Date(t0.getTime() + 1000).toISOString(),
    ...extra,
  };
}

let tokens = 0;

/** A claim of `n` suggestions by `worker` within `max` trials and `parallel` at once. */
function claim(worker: string, n: number, over: Partial<SlotClaim> = {}): SlotClaim {
  return {
    experiment: key,
    worker,
    leaseMs: 1000,
    now: t0,
    maxTrialCount: 4,
    parallel: 3,
    stateBefore: undefined,
    stateAfter: undefined,
    trials: Array.from({ length: n }, () => (seq: number) => trial('e', seq)),
    token: () => `tok-${++tokens}`,
    ...over,
  };
}

async function claimedNames(store: Store, c: SlotClaim): Promise<string[]> {
  const r = await claimTrials(store, c);
  if (r.kind !== 'claimed') throw new Error('stale claim');
  return r.trials.map((t) => t.record.name);
}

/** Runs the trial-lease contract against the stores `open` makes. */
export function describeLeaseContract(name: string, open: OpenStore): void {
  describe(`${name}: trial leases (shared experiments)`, () => {
    it('stores, lists, renews per worker and deletes leases; a trial deleted takes its lease with it', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      for (let seq = 0; seq < 3; seq++) await store.insertTrial(trial('e', seq));
      await store.putTrialLease(lease('e-t0', 'a'));
      await store.putTrialLease(lease('e-t1', 'b'));
      await store.putTrialLease(lease('e-t2', 'a'));
      expect((await store.listTrialLeases('e')).map((l) => [l.trial, l.worker])).toEqual([
        ['e-t0', 'a'],
        ['e-t1', 'b'],
        ['e-t2', 'a'],
      ]);
      expect(await store.renewTrialLeases('e', 'a', '2024-05-01T10:00:05.000Z', '2024-05-01T10:00:06.000Z')).toEqual([
        'e-t0',
        'e-t2',
      ]);
      const after = await store.listTrialLeases('e');
      expect(after.find((l) => l.trial === 'e-t0')).toEqual(
        lease('e-t0', 'a', { heartbeatAt: '2024-05-01T10:00:05.000Z', expiresAt: '2024-05-01T10:00:06.000Z' }),
      );
      expect(after.find((l) => l.trial === 'e-t1')?.expiresAt).toBe(lease('e-t1', 'b').expiresAt);
      await store.deleteTrialLease('e', 'e-t0');
      expect(await store.renewTrialLeases('e', 'a', t0.toISOString(), t0.toISOString())).toEqual(['e-t2']);
      await store.deleteExperiment('e');
      await store.createExperiment(experiment('e'));
      expect(await store.listTrialLeases('e')).toEqual([]);
    });

    it('claims never pass maxTrialCount nor the worker parallelism; Killed trials give their slot back', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      // Racing on one handle (a second SQLite handle in one thread would wait on its own lock; processes racing
      // on one file are in test/experiment/sharedWorkers.test.ts, connections racing on PostgreSQL in
      // postgresStore.test.ts).
      const [a, b] = await Promise.all([claimedNames(store, claim('a', 3)), claimedNames(store, claim('b', 3))]);
      // Two workers racing for 3 slots each out of 4: exactly 4 trials, no seq or name twice.
      expect(a.length + b.length).toBe(4);
      const all = await store.listTrials('e');
      expect(new Set(all.map((t) => t.seq)).size).toBe(4);
      expect((await store.listTrialLeases('e')).length).toBe(4);
      expect(await claimedNames(store, claim('a', 1))).toEqual([]);
      const killed = all[0]!.name;
      await store.updateTrial('e', killed, { state: 'Killed' });
      await store.deleteTrialLease('e', killed);
      const holder = a.includes(killed) ? 'a' : 'b';
      expect(await claimedNames(store, claim(holder, 2))).toEqual(['e-t4']);
      // Parallelism: a worker holding 3 leases gets none, whatever the budget says.
      const wide = claim('c', 3, { maxTrialCount: 10 });
      expect(await claimedNames(store, wide)).toHaveLength(3);
      expect(await claimedNames(store, wide)).toEqual([]);
    });

    it('writes and removes several leases at once, each as putTrialLease and deleteTrialLease would', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      for (let seq = 0; seq < 3; seq++) await store.insertTrial(trial('e', seq));
      await store.putTrialLease(lease('e-t0', 'old'));
      await store.putTrialLeases([
        lease('e-t0', 'a'),
        lease('e-t1', 'b', { namespace: 'default' }),
        lease('e-t2', 'a'),
      ]);
      await store.putTrialLeases([]);
      expect(await store.listTrialLeases('e')).toEqual([lease('e-t0', 'a'), lease('e-t1', 'b'), lease('e-t2', 'a')]);
      await store.deleteTrialLeases('e', ['e-t0', 'e-t2', 'missing']);
      await store.deleteTrialLeases('e', []);
      expect(await store.listTrialLeases('e')).toEqual([lease('e-t1', 'b')]);
      // All or nothing: a lease of a trial that does not exist fails the batch.
      await expect(store.putTrialLeases([lease('e-t0', 'a'), lease('nope', 'a')])).rejects.toThrow();
      expect(await store.listTrialLeases('e')).toEqual([lease('e-t1', 'b')]);
    });

    it('inserts several trials at once, each as insertTrial would, with a change each; all or none', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const since = (await store.changesSince('e', 0)).seq;
      const batch = [trial('e', 0), trial('e', 1, { state: 'Running', objective: 0.5, budget: 3 }), trial('e', 2)];
      await store.insertTrials(batch);
      await store.insertTrials([]);
      expect(await store.listTrials('e')).toEqual(batch);
      expect((await store.getTrial('e', 'e-t1'))?.objective).toBe(0.5);
      const changes = (await store.changesSince('e', since)).changes;
      expect(changes.map((c) => [c.kind, c.trial])).toEqual(batch.map((t) => ['trial', t.name]));
      // A seq already used fails the whole batch: e-t3 is not stored either.
      await expect(store.insertTrials([trial('e', 3), trial('e', 2, { name: 'other' })])).rejects.toThrow(/already/);
      expect(await store.countTrials('e')).toBe(3);
      await expect(store.insertTrials([trial('missing', 0), trial('missing', 1)])).rejects.toThrow(/missing/);
    });

    it('tallies the next seq and the trials holding a slot, and reads trials by name, in one query each', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      expect(await store.tallyTrials('e')).toEqual({ nextSeq: 0, holding: 0 });
      for (const seq of [0, 1, 2, 5]) await store.insertTrial(trial('e', seq));
      await store.updateTrial('e', 'e-t1', { state: 'Killed' });
      await store.updateTrial('e', 'e-t2', { state: 'Failed' });
      // Killed gives its slot back; Failed (like every other state) holds one. The seq follows the largest.
      expect(await store.tallyTrials('e')).toEqual({ nextSeq: 6, holding: 3 });
      const named = await store.getTrials('e', ['e-t5', 'missing', 'e-t0']);
      expect(named.map((t) => [t.name, t.seq])).toEqual([
        ['e-t0', 0],
        ['e-t5', 5],
      ]);
      expect(named[0]).toEqual(await store.getTrial('e', 'e-t0'));
      expect(await store.getTrials('e', [])).toEqual([]);
      expect(await store.getTrials('other', ['e-t0'])).toEqual([]);
    });

    it('a claim that knows the history (nextSeqSeen) names its trials apart from the names it was given', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.insertTrial(trial('e', 0));
      const seen: boolean[] = [];
      const known = new Set(['e-t0', 'taken-elsewhere']);
      const r = await claimTrials(
        store,
        claim('a', 2, {
          nextSeqSeen: 1,
          known,
          trials: [0, 1].map(() => (seq: number, taken: { has(name: string): boolean }) => {
            seen.push(taken.has('taken-elsewhere'), taken.has('e-t0'), taken.has(`e-t${seq - 1}`));
            return trial('e', seq);
          }),
        }),
      );
      expect(r.kind === 'claimed' ? r.trials.map((t) => t.record.name) : r).toEqual(['e-t1', 'e-t2']);
      // The second builder also sees the first one's trial as taken.
      expect(seen).toEqual([true, true, true, true, true, true]);
    });

    it('a claim made from an algorithm state another worker replaced is stale and writes nothing', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.saveAlgorithmState('e', { round: 1 });
      const first = await claimTrials(store, claim('a', 1, { stateBefore: { round: 1 }, stateAfter: { round: 2 } }));
      expect(first.kind).toBe('claimed');
      const late = await claimTrials(store, claim('b', 1, { stateBefore: { round: 1 }, stateAfter: { round: 9 } }));
      expect(late).toEqual({ kind: 'stale' });
      expect(await store.loadAlgorithmState('e')).toEqual({ round: 2 });
      expect(await store.countTrials('e')).toBe(1);
      // Suggestions made from a history that has grown since (another worker claimed) are stale too.
      const blind = await claimTrials(store, claim('b', 1, { stateBefore: { round: 2 }, nextSeqSeen: 0 }));
      expect(blind).toEqual({ kind: 'stale' });
      expect(await claimedNames(store, claim('b', 1, { stateBefore: { round: 2 }, nextSeqSeen: 1 }))).toEqual(['e-t1']);
    });

    it('reclaims expired leases (trial Killed, LeaseExpired) and refuses the late writes of their holder', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const r = await claimTrials(store, claim('a', 2));
      if (r.kind !== 'claimed') throw new Error('stale');
      const [mine, other] = r.trials;
      await store.renewTrialLeases('e', 'a', t0.toISOString(), new Date(t0.getTime() + 5000).toISOString());
      // Only leases that ran out are reclaimed: nothing at +4 s, both at +6 s.
      expect(await reclaimExpired(store, key, new Date(t0.getTime() + 4000))).toEqual([]);
      const ok = await writeUnderLease(store, key, { trial: mine!.record.name, token: mine!.token }, (tx) =>
        tx.updateTrial(key, mine!.record.name, { state: 'Running' }),
      );
      expect(ok).toBe(true);
      const reclaimed = await reclaimExpired(store, key, new Date(t0.getTime() + 6000));
      expect(reclaimed.map((x) => x.trial).sort()).toEqual([mine!.record.name, other!.record.name].sort());
      const stored = await store.getTrial(key, mine!.record.name);
      expect([stored?.state, stored?.reason]).toEqual(['Killed', 'LeaseExpired']);
      // The fenced worker comes back with its result: refused, and the Killed record stays.
      const late = await writeUnderLease(store, key, { trial: mine!.record.name, token: mine!.token }, (tx) =>
        tx.updateTrial(key, mine!.record.name, { state: 'Succeeded', objective: 1 }),
      );
      expect(late).toBe(false);
      expect((await store.getTrial(key, mine!.record.name))?.state).toBe('Killed');
      // A wrong token is refused as well, even while the lease exists.
      const fresh2 = await claimTrials(store, claim('b', 1));
      if (fresh2.kind !== 'claimed') throw new Error('stale');
      const name2 = fresh2.trials[0]!.record.name;
      expect(await writeUnderLease(store, key, { trial: name2, token: 'forged' }, async () => {})).toBe(false);
      expect((await store.listEvents('e')).filter((e) => e.reason === 'LeaseExpired')).toHaveLength(2);
    });

    it('writes for several leased trials in one transaction, only for those whose tokens still hold', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const r = await claimTrials(store, claim('a', 3));
      if (r.kind !== 'claimed') throw new Error('stale');
      const [one, two, three] = r.trials.map((t) => ({ trial: t.record.name, token: t.token }));
      const transactions = vi.spyOn(store, 'transaction');
      const wrote: string[] = [];
      const held = await writeUnderLeases(
        store,
        key,
        [one!, { ...two!, token: 'forged' }, three!],
        async (tx, mine) => {
          for (const l of mine) {
            wrote.push(l.trial);
            await tx.updateTrial(key, l.trial, { state: 'Running' });
          }
        },
      );
      expect(transactions).toHaveBeenCalledTimes(1);
      expect([...held].sort()).toEqual([one!.trial, three!.trial].sort());
      expect(wrote.sort()).toEqual([one!.trial, three!.trial].sort());
      const states = new Map((await store.listTrials('e')).map((t) => [t.name, t.state]));
      expect([states.get(one!.trial), states.get(two!.trial), states.get(three!.trial)]).toEqual([
        'Running',
        'Pending',
        'Running',
      ]);
      // Nothing to write: no transaction at all.
      expect(await writeUnderLeases(store, key, [], async () => {})).toEqual(new Set());
      // Nothing expired: reclaimExpired only reads, and takes no write transaction (every worker calls it each round).
      expect(await reclaimExpired(store, key, t0)).toEqual([]);
      expect(transactions).toHaveBeenCalledTimes(1);
      transactions.mockRestore();
    });

    it('stores a round of ends in one call, only those whose tokens still hold their leases', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const r = await claimTrials(store, claim('a', 3));
      if (r.kind !== 'claimed') throw new Error('stale');
      const [one, two, three] = r.trials.map((t) => ({ trial: t.record.name, token: t.token }));
      await store.updateTrial(key, three!.trial, { state: 'Running', startedAt: t0.toISOString() });
      const row = (trial: string, value: string, step: number) => ({ trial, metric: 'loss', value, step });
      const before = (await store.changesSince('e', 0)).seq;
      const stored = await store.endLeasedTrials(key, [
        {
          ...three!,
          patch: { state: 'Succeeded', reason: 'Done', objective: 0.25, completedAt: t0.toISOString(), exitCode: 0 },
          rows: [row(three!.trial, '0.5', 1), row(three!.trial, '0.25', 2)],
        },
        { ...two!, token: 'forged', patch: { state: 'Succeeded', objective: 9 }, rows: [row(two!.trial, '9', 1)] },
        {
          ...one!,
          patch: { state: 'Failed', reason: 'TrialFailed', message: 'exit 3', exitCode: 3 },
          rows: [row(one!.trial, '7', 1)],
        },
      ]);
      expect(stored).toEqual([three!.trial, one!.trial]);
      const t3 = await store.getTrial(key, three!.trial);
      // Set fields are written, unset ones kept (startedAt, message).
      expect([t3?.state, t3?.reason, t3?.objective, t3?.exitCode, t3?.startedAt, t3?.message]).toEqual([
        'Succeeded',
        'Done',
        0.25,
        0,
        t0.toISOString(),
        '',
      ]);
      const t1 = await store.getTrial(key, one!.trial);
      expect([t1?.state, t1?.message, t1?.exitCode, t1?.objective]).toEqual(['Failed', 'exit 3', 3, undefined]);
      // The forged end wrote nothing: its trial, its rows and its lease are as they were.
      expect((await store.getTrial(key, two!.trial))?.state).toBe('Pending');
      expect(await store.getObservations(key, two!.trial)).toEqual([]);
      expect((await store.getObservations(key, three!.trial)).map((o) => [o.step, o.value])).toEqual([
        [1, '0.5'],
        [2, '0.25'],
      ]);
      expect((await store.listTrialLeases('e')).map((l) => l.trial)).toEqual([two!.trial]);
      // In the change feed: the two trials and their observations, nothing of the forged one.
      const changes = (await store.changesSince('e', before)).changes.map((c) => `${c.kind}:${c.trial}`);
      expect(changes.sort()).toEqual(
        [
          `observations:${three!.trial}`,
          `observations:${one!.trial}`,
          `trial:${three!.trial}`,
          `trial:${one!.trial}`,
        ].sort(),
      );
      // Stored once: the same ends again find no lease and write nothing.
      expect(await store.endLeasedTrials(key, [{ ...one!, patch: { state: 'Killed' }, rows: [] }])).toEqual([]);
      expect((await store.getTrial(key, one!.trial))?.state).toBe('Failed');
      expect(await store.endLeasedTrials(key, [])).toEqual([]);
    });
  });
}
