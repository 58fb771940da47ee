// The Store v2 contract every store serves, written once and run against each: SQLite (sqliteStore.test.ts) and
// PostgreSQL (postgresStore.test.ts). Transactions that span awaits, records that round-trip, errors with codes,
// namespaces; the change feed, observation pages and locks are in contractFeed.ts.
import { describe, expect, it, onTestFinished } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import type { Store, TrialPatch } from '../../src/store/types.ts';
import { rejected } from '../helpers.ts';
import { describeFeedContract } from './contractFeed.ts';
import { describeLeaseContract } from './contractLeases.ts';
import { describePollContract } from './contractPoll.ts';
import { experiment, fullTrial, trial } from './fixtures-data.ts';

/** A fresh, empty store and how to open a second handle (another connection) on the same one. */
export interface StoreUnderTest {
  readonly store: Store;
  readonly reopen: () => Store;
}

/** Opens what a test needs: a fresh store per call. */
export type OpenStore = () => Promise<StoreUnderTest>;

/** Opens a fresh store, closed after the current test; `reopen`ed handles are closed too. */
export async function fresh(open: OpenStore): Promise<StoreUnderTest> {
  const { store, reopen } = await open();
  onTestFinished(() => store.close());
  return {
    store,
    reopen: () => {
      const again = reopen();
      onTestFinished(() => again.close());
      return again;
    },
  };
}

/** A promise and the function that resolves it. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

export const names = async (store: Store, exp = 'e'): Promise<string[]> =>
  (await store.listTrials(exp)).map((t) => t.name);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the whole Store v2 contract against the stores `open` makes. */
export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`${name}: transactions`, () => {
    it('commits every write of a transaction together, across awaits, and returns what fn returned', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const result = await store.transaction(async (tx) => {
        await tx.insertTrial(trial('e', 0));
        await sleep(5);
        await tx.insertTrial(trial('e', 1));
        await tx.saveAlgorithmState('e', { round: 2 });
        return 'done';
      });
      expect(result).toBe('done');
      expect(await names(store)).toEqual(['e-t0', 'e-t1']);
      expect(await store.loadAlgorithmState('e')).toEqual({ round: 2 });
    });

    it('undoes every write of a transaction whose fn rejects, and passes the rejection on', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const boom = new Error('algorithm state could not be encoded');
      await expect(
        store.transaction(async (tx) => {
          await tx.insertTrial(trial('e', 0));
          await tx.addEvent({ experiment: 'e', type: 'Normal', reason: 'R', message: 'm', time: 'now' });
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await names(store)).toEqual([]);
      expect(await store.listEvents('e')).toEqual([]);
      await store.insertTrial(trial('e', 5));
      expect(await names(store)).toEqual(['e-t5']);
    });

    it('makes calls from outside wait until an open transaction ended, so they never see half of it', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const hold = gate();
      const inserted = gate();
      const tx = store.transaction(async (t) => {
        await t.insertTrial(trial('e', 0));
        inserted.open();
        await hold.opened;
        await t.insertTrial(trial('e', 1));
      });
      await inserted.opened;
      const order: string[] = [];
      const outside = names(store).then((n) => {
        order.push('read');
        return n;
      });
      await sleep(10);
      order.push('commit');
      hold.open();
      await tx;
      expect(await outside).toEqual(['e-t0', 'e-t1']);
      expect(order).toEqual(['commit', 'read']);
    });

    it('lets calls on the store itself from inside fn join the transaction, and undoes them too', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const nestedCall = async (): Promise<void> => {
        await store.insertTrial(trial('e', 0));
        expect(await names(store)).toEqual(['e-t0']);
      };
      await expect(
        store.transaction(async () => {
          await nestedCall();
          throw new Error('stop');
        }),
      ).rejects.toThrow('stop');
      expect(await names(store)).toEqual([]);
    });

    it('nests a transaction as a savepoint: its failure undoes only its own writes', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.transaction(async (tx) => {
        await tx.insertTrial(trial('e', 0));
        await expect(
          tx.transaction(async (inner) => {
            await inner.insertTrial(trial('e', 1));
            throw new Error('inner');
          }),
        ).rejects.toThrow('inner');
        await tx.transaction(async (inner) => inner.insertTrial(trial('e', 2)));
      });
      expect(await names(store)).toEqual(['e-t0', 'e-t2']);
    });

    it('keeps a transaction usable after one of its writes failed (a conflict), and commits the rest', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.transaction(async (tx) => {
        await tx.insertTrial(trial('e', 0));
        expect((await rejected(tx.insertTrial(trial('e', 0)))).code).toBe(ErrorCode.conflict);
        // Started together: the calls take turns on the transaction's connection.
        await Promise.all([tx.insertTrial(trial('e', 1)), tx.insertTrial(trial('e', 2)), names(tx)]);
      });
      expect(await names(store)).toEqual(['e-t0', 'e-t1', 'e-t2']);
    });

    it('runs two transactions started at once one after the other', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const log: string[] = [];
      const run = (seq: number) =>
        store.transaction(async (tx) => {
          log.push(`begin ${seq}`);
          await tx.insertTrial(trial('e', seq));
          await sleep(5);
          log.push(`end ${seq}`);
        });
      await Promise.all([run(0), run(1)]);
      expect(log).toEqual(['begin 0', 'end 0', 'begin 1', 'end 1']);
      expect(await names(store)).toEqual(['e-t0', 'e-t1']);
    });

    it('does not let a callback scheduled inside an ended transaction join a later one', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      let late: Promise<void> | undefined;
      const fire = gate();
      await store.transaction(async (tx) => {
        await tx.insertTrial(trial('e', 0));
        late = fire.opened.then(() => store.insertTrial(trial('e', 9)));
      });
      await expect(
        store.transaction(async (tx) => {
          await tx.insertTrial(trial('e', 1));
          fire.open();
          await sleep(10);
          throw new Error('second transaction fails');
        }),
      ).rejects.toThrow('second transaction fails');
      await late;
      expect(await names(store)).toEqual(['e-t0', 'e-t9']);
    });

    it('closes only after an open transaction ended', async () => {
      const { store, reopen } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const hold = gate();
      const tx = store.transaction(async (t) => {
        await hold.opened;
        await t.insertTrial(trial('e', 0));
      });
      const closed = store.close();
      hold.open();
      await tx;
      await closed;
      expect(await names(reopen())).toEqual(['e-t0']);
      // Closed: calls fail with a store error, and close again is fine.
      expect((await rejected(store.listExperiments())).code).toBe(ErrorCode.storeFailed);
      await store.close();
    });
  });

  describe(`${name}: records and errors`, () => {
    it('round-trips experiments and trials with every field, lists in order, and counts', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('b', { createdAt: '2024-05-02T00:00:00.000Z', sourcePath: '/x.yaml' }));
      await store.createExperiment(experiment('a', { completedAt: '2024-05-03T00:00:00.000Z', seed: 4_294_967_295 }));
      expect((await store.listExperiments()).map((e) => e.name)).toEqual(['a', 'b']);
      expect(await store.getExperiment('b')).toEqual(
        experiment('b', { createdAt: '2024-05-02T00:00:00.000Z', sourcePath: '/x.yaml' }),
      );
      expect((await store.getExperiment('a'))?.seed).toBe(4_294_967_295);
      expect(await store.getExperiment('nope')).toBeUndefined();
      for (const seq of [2, 0, 1]) await store.insertTrial(seq === 1 ? fullTrial('a', 1) : trial('a', seq));
      expect((await store.listTrials('a')).map((t) => t.seq)).toEqual([0, 1, 2]);
      expect(await store.getTrial('a', 'a-t1')).toStrictEqual(fullTrial('a', 1));
      expect(await store.countTrials('a')).toBe(3);
      expect(await store.countTrials('b')).toBe(0);
    });

    it('patches only the given fields, and refuses a field that is not updatable', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.insertTrial(trial('e', 0));
      await store.updateTrial('e', 'e-t0', {
        state: 'Succeeded',
        objective: 0.5,
        labels: { k: 'v' },
        // An explicit undefined means "not provided".
        ...({ reason: undefined } as object),
      });
      expect(await store.getTrial('e', 'e-t0')).toEqual({
        ...trial('e', 0),
        state: 'Succeeded',
        objective: 0.5,
        labels: { k: 'v' },
      });
      await store.updateExperiment('e', { phase: 'Running', message: 'going' });
      expect(await store.getExperiment('e')).toEqual(experiment('e', { phase: 'Running', message: 'going' }));
      const hostile = { 'name; DROP TABLE trials': 'x' } as TrialPatch;
      const bad = await rejected(store.updateTrial('e', 'e-t0', hostile));
      expect(bad.code).toBe(ErrorCode.invalidArgument);
      expect(await names(store)).toEqual(['e-t0']);
    });

    it('rejects with the store error and its code, never a raw driver error', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      const again = await rejected(store.createExperiment(experiment('e')));
      expect(again.code).toBe(ErrorCode.conflict);
      expect(again.message).toContain('experiment e already exists');
      expect(again.message).toContain('hpo resume e');
      await store.insertTrial(trial('e', 0));
      const dupName = await rejected(store.insertTrial(trial('e', 0, { seq: 7 })));
      expect([dupName.code, dupName.message]).toEqual([ErrorCode.conflict, expect.stringContaining('already exists')]);
      const dupSeq = await rejected(store.insertTrial(trial('e', 0, { name: 'other' })));
      expect([dupSeq.code, dupSeq.message]).toEqual([
        ErrorCode.conflict,
        expect.stringContaining('seq 0 is already used'),
      ]);
      const cases: [() => Promise<unknown>, string][] = [
        [() => store.updateTrial('e', 'nope', { state: 'Running' }), 'trial nope of experiment e not found'],
        [() => store.updateExperiment('nope', { phase: 'Failed' }), 'experiment nope not found'],
        [() => store.updateExperiment('nope', {}), 'experiment nope not found'],
        [() => store.deleteExperiment('nope'), 'experiment nope not found'],
        [() => store.insertTrial(trial('nope', 0)), 'experiment nope not found'],
        [() => store.saveAlgorithmState('nope', { a: 1 }), 'experiment nope not found'],
        [
          () => store.addEvent({ experiment: 'nope', type: 'Normal', reason: 'R', message: 'm', time: 't' }),
          'experiment nope',
        ],
        [() => store.appendObservations('e', [{ trial: 'ghost', metric: 'm', value: '1', step: 1 }]), 'ghost'],
      ];
      for (const [call, message] of cases) {
        const e = await rejected(call());
        expect([e.code, e.message]).toEqual([ErrorCode.notFound, expect.stringContaining(message)]);
      }
      const nan = await rejected(store.saveAlgorithmState('e', { x: Number.NaN }));
      expect(nan.code).toBe(ErrorCode.invalidArgument);
      const limit = await rejected(store.listEvents('e', -1));
      expect(limit.code).toBe(ErrorCode.invalidArgument);
    });

    it('appends a batch of observations whole or not at all, and reads them per trial in order', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.insertTrial(trial('e', 0));
      const rows = [
        { trial: 'e-t0', metric: 'loss', value: '0.9', step: 1, time: '2024-05-01T10:00:00Z' },
        { trial: 'e-t0', metric: 'acc', value: '0.1', step: 1 },
        { trial: 'e-t0', metric: 'loss', value: '0.5', step: 2 },
      ];
      await store.appendObservations('e', rows);
      await rejected(store.appendObservations('e', [rows[0]!, { ...rows[1]!, trial: 'ghost' }]));
      expect(await store.getObservations('e', 'e-t0')).toEqual(rows);
      expect(await store.getObservations('e', 'e-t0', 'loss')).toEqual([rows[0], rows[2]]);
      await store.appendObservations('e', []);
    });

    it('keeps the latest events oldest first, round-trips algorithm state, and deletes everything of one experiment', async () => {
      const { store } = await fresh(open);
      await store.createExperiment(experiment('e'));
      await store.createExperiment(experiment('keep'));
      for (const i of [1, 2, 3]) {
        await store.addEvent({
          experiment: 'e',
          trial: 'e-t0',
          type: 'Normal',
          reason: `R${i}`,
          message: 'm',
          time: 't',
        });
      }
      expect((await store.listEvents('e', 2)).map((e) => e.reason)).toEqual(['R2', 'R3']);
      expect((await store.listEvents('e')).map((e) => e.reason)).toEqual(['R1', 'R2', 'R3']);
      expect(await store.listEvents('e', 0)).toEqual([]);
      const big = { weights: Array.from({ length: 50_000 }, (_, i) => i / 7), text: 'ü"\\\n' };
      await store.saveAlgorithmState('e', big);
      expect(await store.loadAlgorithmState('e')).toEqual(big);
      await store.saveAlgorithmState('e', undefined);
      expect(await store.loadAlgorithmState('e')).toBeUndefined();
      await store.saveAlgorithmState('e', { n: 1 });
      await store.insertTrial(trial('e', 0));
      await store.insertTrial(trial('keep', 0));
      await store.appendObservations('e', [{ trial: 'e-t0', metric: 'm', value: '1', step: 1 }]);
      await store.deleteExperiment('e');
      expect(await store.getExperiment('e')).toBeUndefined();
      expect(await store.listTrials('e')).toEqual([]);
      expect(await store.getObservationsOf('e')).toEqual([]);
      expect(await store.listEvents('e')).toEqual([]);
      expect(await store.loadAlgorithmState('e')).toBeUndefined();
      expect(await names(store, 'keep')).toEqual(['keep-t0']);
      // The name is free again.
      await store.createExperiment(experiment('e'));
    });

    it('keeps two experiments of one name in two namespaces apart in every table', async () => {
      const { store } = await fresh(open);
      const a = { namespace: 'team-a', name: 'tune' };
      const b = { namespace: 'team-b', name: 'tune' };
      await store.createExperiment(experiment('tune', { namespace: 'team-a', seed: 1 }));
      await store.createExperiment(experiment('tune', { namespace: 'team-b', seed: 2 }));
      await store.insertTrial(trial('tune', 0, { namespace: 'team-a' }));
      await store.insertTrial(trial('tune', 0, { namespace: 'team-b', state: 'Running' }));
      await store.appendObservations(a, [{ trial: 'tune-t0', metric: 'loss', value: '1', step: 1 }]);
      await store.appendObservations(b, [{ trial: 'tune-t0', metric: 'loss', value: '2', step: 1 }]);
      await store.saveAlgorithmState(a, { of: 'a' });
      await store.saveAlgorithmState(b, { of: 'b' });
      const ev = {
        experiment: 'tune',
        namespace: 'team-b',
        type: 'Normal',
        reason: 'R',
        message: 'b',
        time: 't',
      } as const;
      await store.addEvent(ev);
      expect(await store.acquireExperimentLock(a, process.pid)).toBe(true);

      expect((await store.getExperiment(a))?.seed).toBe(1);
      expect((await store.getExperiment(b))?.seed).toBe(2);
      expect(await store.getExperiment('tune')).toBeUndefined();
      expect(await store.listTrials(a)).toEqual([{ ...trial('tune', 0), namespace: 'team-a' }]);
      expect((await store.getTrial(b, 'tune-t0'))?.state).toBe('Running');
      expect((await store.getObservations(a, 'tune-t0')).map((o) => o.value)).toEqual(['1']);
      expect((await store.getObservationsOf(b)).map((o) => o.value)).toEqual(['2']);
      expect(await store.loadAlgorithmState(b)).toEqual({ of: 'b' });
      expect(await store.listEvents(a)).toEqual([]);
      expect(await store.listEvents(b)).toEqual([ev]);
      expect(await store.getExperimentLock(a)).toMatchObject({ experiment: 'tune', namespace: 'team-a' });
      expect(await store.getExperimentLock(b)).toBeUndefined();
      expect((await store.listExperiments('team-b')).map((e) => e.seed)).toEqual([2]);
      expect((await store.listExperiments()).map((e) => `${e.namespace}/${e.name}`)).toEqual([
        'team-a/tune',
        'team-b/tune',
      ]);
      const feed = (await store.changesSince(b, 0)).changes;
      expect(feed.length).toBeGreaterThan(0);
      expect(feed.every((c) => c.namespace === 'team-b' && c.experiment === 'tune')).toBe(true);
      const dup = await rejected(store.createExperiment(experiment('tune', { namespace: 'team-a' })));
      expect(dup.message).toContain('experiment team-a/tune already exists');
      await store.deleteExperiment(a);
      expect(await store.listTrials(b)).toHaveLength(1);
      expect(await store.getObservationsOf(b)).toHaveLength(1);
    });
  });

  describeFeedContract(name, open);
  describeLeaseContract(name, open);
  describePollContract(name, open);
}
