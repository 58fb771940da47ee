// Store v2's asynchronous contract over SQLite: transactions that span awaits, isolation from calls outside them,
// nesting, and errors that keep their codes.
import { describe, expect, it, onTestFinished } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { rejected } from '../helpers.ts';
import { experiment, tempDir, trial } from './fixtures.ts';

function asyncStore(): Store {
  const store = openStore(tempDir());
  onTestFinished(() => store.close());
  return store;
}

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const names = async (store: Store, exp = 'e'): Promise<string[]> => (await store.listTrials(exp)).map((t) => t.name);

describe('SqliteStore (Store v2)', () => {
  it('commits every write of a transaction together, across awaits, and returns what fn returned', async () => {
    const store = asyncStore();
    await store.createExperiment(experiment('e'));
    const result = await store.transaction(async (tx) => {
      await tx.insertTrial(trial('e', 0));
      await new Promise((resolve) => setTimeout(resolve, 5));
      await tx.insertTrial(trial('e', 1));
      await tx.saveAlgorithmState('e', { round: 2 });
      return 'done';
    });
    expect(result).toBe('done');
    expect(await names(store)).toEqual(['e-t0', 'e-t1']);
    expect(await store.loadAlgorithmState('e')).toEqual({ round: 2 });
  });

  it('undoes every write of a transaction whose fn rejects, and passes the rejection on', async () => {
    const store = asyncStore();
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
    // The connection is usable again, outside any transaction.
    await store.insertTrial(trial('e', 5));
    expect(await names(store)).toEqual(['e-t5']);
  });

  it('makes calls from outside wait until an open transaction ended, so they never see half of it', async () => {
    const store = asyncStore();
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
    await new Promise((resolve) => setTimeout(resolve, 10));
    order.push('commit');
    hold.open();
    await tx;
    expect(await outside).toEqual(['e-t0', 'e-t1']);
    expect(order).toEqual(['commit', 'read']);
  });

  it('lets calls on the store itself from inside fn join the transaction (no deadlock), and undoes them too', async () => {
    const store = asyncStore();
    await store.createExperiment(experiment('e'));
    const nestedCall = async (): Promise<void> => {
      // Code deep inside the transaction that only knows the store, not `tx`.
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
    const store = asyncStore();
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

  it('runs two transactions started at once one after the other', async () => {
    const store = asyncStore();
    await store.createExperiment(experiment('e'));
    const log: string[] = [];
    const run = (seq: number) =>
      store.transaction(async (tx) => {
        log.push(`begin ${seq}`);
        await tx.insertTrial(trial('e', seq));
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`end ${seq}`);
      });
    await Promise.all([run(0), run(1)]);
    expect(log).toEqual(['begin 0', 'end 0', 'begin 1', 'end 1']);
    expect(await names(store)).toEqual(['e-t0', 'e-t1']);
  });

  it('does not let a callback scheduled inside an ended transaction join a later one', async () => {
    const store = asyncStore();
    await store.createExperiment(experiment('e'));
    let late: Promise<void> | undefined;
    const fire = gate();
    await store.transaction(async (tx) => {
      await tx.insertTrial(trial('e', 0));
      // Inherits the transaction's async context, but runs after it committed.
      late = fire.opened.then(() => store.insertTrial(trial('e', 9)));
    });
    await expect(
      store.transaction(async (tx) => {
        await tx.insertTrial(trial('e', 1));
        fire.open();
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error('second transaction fails');
      }),
    ).rejects.toThrow('second transaction fails');
    await late;
    // The late insert waited for the failed transaction instead of joining it, so its rollback did not take it.
    expect(await names(store)).toEqual(['e-t0', 'e-t9']);
  });

  it('rejects with the store error and its code (a conflict, a missing row), never a raw SQLite error', async () => {
    const store = asyncStore();
    await store.createExperiment(experiment('e'));
    const again = await rejected(store.createExperiment(experiment('e')));
    expect(again.code).toBe(ErrorCode.conflict);
    expect(again.message).toContain('hpo resume e');
    const missing = await rejected(store.updateTrial('e', 'nope', { state: 'Running' }));
    expect(missing.code).toBe(ErrorCode.notFound);
  });

  it('closes only after an open transaction ended', async () => {
    const dir = tempDir();
    const store = openStore(dir);
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
    const reopened = openStore(dir);
    onTestFinished(() => reopened.close());
    expect(await names(reopened)).toEqual(['e-t0']);
  });
});
