// Round trips of PostgreSQL transactions (src/store/postgres/connection.ts): every shared-experiment rule is one
// transaction under the writers' lock that all workers share, so what it sends while holding the lock is what caps
// how many trials per second one database completes (bench storeThroughput). Counted at pg.Client.query.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { rejected } from '../helpers.ts';
import { experiment, trial } from './fixtures-data.ts';
import { type PostgresServer, startPostgres } from './postgresServer.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

async function fresh(): Promise<Store> {
  const store = openStore(await server.createDatabase());
  onTestFinished(() => store.close());
  await store.createExperiment(experiment('e'));
  return store;
}

/** The statements `fn` sends, by their first word (`lock` for the writers' advisory lock taken on its own). */
async function statements(fn: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = (typeof first === 'string' ? first : (first.text ?? '')).trim();
    sent.push(/^SELECT pg_advisory_xact_lock/.test(text) ? 'lock' : (text.split(/\s+/)[0] ?? ''));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query);
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return sent;
}

describe('PostgreSQL transactions', () => {
  it('take the writers lock once per transaction, not again for each write', async () => {
    const store = await fresh();
    await store.insertTrial(trial('e', 0));
    const sent = await statements(() =>
      store.transaction(async (tx) => {
        await tx.lockForWrite();
        await tx.putTrialLease(leaseOf('e-t0'));
        await tx.deleteTrialLease('e', 'e-t0');
      }),
    );
    expect(sent.filter((s) => s === 'lock')).toEqual(['lock']);
  });

  it('all-or-nothing: no savepoint per write, and a failed write fails (and undoes) the whole transaction', async () => {
    const store = await fresh();
    const two = (seq: number) => (tx: Store) =>
      Promise.all([tx.insertTrial(trial('e', seq)), tx.insertTrial(trial('e', seq + 1))]);
    const other = await fresh();
    const plain = await statements(() => other.transaction(two(0)));
    expect(plain.filter((s) => s === 'SAVEPOINT')).toHaveLength(2);
    const lean = await statements(() => store.transaction(two(0), { allOrNothing: true }));
    expect(lean.filter((s) => s === 'SAVEPOINT' || s === 'RELEASE')).toEqual([]);
    expect((await store.listTrials('e')).map((t) => t.name)).toEqual(['e-t0', 'e-t1']);
    const err = await rejected(
      store.transaction(
        async (tx) => {
          await tx.insertTrial(trial('e', 2));
          await tx.insertTrial(trial('e', 0));
        },
        { allOrNothing: true },
      ),
    );
    expect(err.code).toBe(ErrorCode.conflict);
    expect((await store.listTrials('e')).map((t) => t.name)).toEqual(['e-t0', 'e-t1']);
    // The client went back to the pool usable: the next transaction commits.
    await store.transaction((tx) => tx.insertTrial(trial('e', 3)), { allOrNothing: true });
    expect((await store.listTrials('e')).map((t) => t.name)).toEqual(['e-t0', 'e-t1', 'e-t3']);
  });

  it('a write whose savepoint was rolled back does not count as holding the lock', async () => {
    const store = await fresh();
    await store.insertTrial(trial('e', 0));
    const sent = await statements(() =>
      store.transaction(async (tx) => {
        // Fails inside its savepoint: the lock it took is released with it (PostgreSQL releases locks taken after
        // a savepoint that is rolled back), so the next write must take it again.
        expect((await rejected(tx.putTrialLease({ ...leaseOf('e-missing') }))).code).toBeDefined();
        await tx.putTrialLease(leaseOf('e-t0'));
      }),
    );
    expect(sent.filter((s) => s === 'lock')).toEqual(['lock', 'lock']);
  });
});

function leaseOf(t: string) {
  return {
    experiment: 'e',
    trial: t,
    worker: 'w',
    token: 'k',
    heartbeatAt: '2024-05-01T10:00:00.000Z',
    expiresAt: '2024-05-01T10:00:01.000Z',
  };
}
