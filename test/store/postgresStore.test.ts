// Store v2's contract (contract.ts) over PostgreSQL, on a throwaway cluster (postgresServer.ts): a fresh database
// per test. Then what only a database server has: commit order across concurrent writers, migrations raced by
// several processes, read-only opening, connection failures and lease expiry.
import { hostname } from 'node:os';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { claimTrials } from '../../src/experiment/sharedTrials.ts';
import { openStore, openStoreForReading } from '../../src/store/open.ts';
import { PgLockTable } from '../../src/store/postgres/locks.ts';
import { openPostgresStore } from '../../src/store/postgres/open.ts';
import { pgSchemaVersion } from '../../src/store/postgres/schema.ts';
import { redactUrl } from '../../src/store/postgres/url.ts';
import type { ChangeRow, Store } from '../../src/store/types.ts';
import { caught, rejected } from '../helpers.ts';
import { describeStoreContract, gate } from './contract.ts';
import { experiment, trial } from './fixtures-data.ts';
import { type PostgresServer, startPostgres } from './postgresServer.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

describeStoreContract('PostgresStore', async () => {
  const url = await server.createDatabase();
  return { store: openStore(url), reopen: () => openStore(url) };
});

/** A store on `url`, closed after the test. */
function opened(url: string): Store {
  const store = openStore(url);
  onTestFinished(() => store.close());
  return store;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the feed as a dashboard does, collecting every change it is handed. */
async function poll(store: Store, state: { since: number; seen: ChangeRow[] }): Promise<void> {
  for (;;) {
    const page = await store.changesSince(undefined, state.since, 50);
    state.seen.push(...page.changes);
    state.since = page.seq;
    if (page.changes.length < 50) return;
  }
}

describe('PostgresStore change feed under concurrent writers', () => {
  it('does not hand a later seq to a poller while an earlier one is still uncommitted', async () => {
    const url = await server.createDatabase();
    const [a, b, reader] = [opened(url), opened(url), opened(url)];
    await a.createExperiment(experiment('e'));
    const state = { since: 0, seen: [] as ChangeRow[] };
    await poll(reader, state);
    const hold = gate();
    const inserted = gate();
    // Writer a draws a seq and keeps its transaction open; writer b writes after it on another connection.
    const slow = a.transaction(async (tx) => {
      await tx.insertTrial(trial('e', 0));
      inserted.open();
      await hold.opened;
    });
    await inserted.opened;
    const fast = b.insertTrial(trial('e', 1));
    await sleep(100);
    await poll(reader, state);
    hold.open();
    await Promise.all([slow, fast]);
    await poll(reader, state);
    const all = (await reader.changesSince(undefined, 0)).changes;
    expect(state.seen.map((c) => c.seq)).toEqual(all.map((c) => c.seq));
    expect(state.seen.map((c) => c.trial ?? '')).toEqual(['', 'e-t0', 'e-t1']);
  });

  it('hands every change exactly once to a poller while 4 processes write at random', async () => {
    const url = await server.createDatabase();
    const writers = [0, 1, 2, 3].map(() => opened(url));
    const reader = opened(url);
    await writers[0]!.createExperiment(experiment('e'));
    const state = { since: 0, seen: [] as ChangeRow[] };
    let writing = true;
    const polling = (async () => {
      while (writing) {
        await poll(reader, state);
        await sleep(1);
      }
    })();
    await Promise.all(
      writers.map(async (w, i) => {
        for (let n = 0; n < 25; n++) {
          const seq = i * 100 + n;
          // Some writes inside transactions that pause, so commits overtake each other.
          if (n % 3 === 0) {
            await w.transaction(async (tx) => {
              await tx.insertTrial(trial('e', seq));
              await sleep(Math.floor(((seq * 7919) % 5) + 1));
              await tx.updateTrial('e', `e-t${seq}`, { state: 'Running' });
            });
          } else {
            await w.insertTrial(trial('e', seq));
          }
        }
      }),
    );
    writing = false;
    await polling;
    await poll(reader, state);
    const all = (await reader.changesSince(undefined, 0, 1000)).changes;
    expect(all).toHaveLength(1 + 100 + 9 * 4);
    const seqs = state.seen.map((c) => c.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual(all.map((c) => c.seq));
  });
});

describe('opening a PostgreSQL store', () => {
  it('migrates a fresh database once when several processes open it at the same moment', async () => {
    const url = await server.createDatabase();
    const stores = [0, 1, 2, 3, 4].map(() => opened(url));
    await Promise.all(stores.map((s, i) => s.createExperiment(experiment(`e${i}`))));
    expect((await stores[0]!.listExperiments()).map((e) => e.name)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query('SELECT version FROM hpo_schema')).rows).toEqual([{ version: pgSchemaVersion }]);
    } finally {
      await client.end();
    }
  });

  it('reads without creating: no tables is notFound, and a read-only store never writes', async () => {
    const url = await server.createDatabase();
    const reader = openStoreForReading(url);
    onTestFinished(() => reader.close());
    const missing = await rejected(reader.listExperiments());
    expect([missing.code, missing.message]).toEqual([ErrorCode.notFound, expect.stringContaining('no store at')]);
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      expect((await check.query("SELECT to_regclass('hpo_schema') AS t")).rows).toEqual([{ t: null }]);
    } finally {
      await check.end();
    }
    await opened(url).createExperiment(experiment('e'));
    const again = openStoreForReading(url);
    onTestFinished(() => again.close());
    expect((await again.listExperiments()).map((e) => e.name)).toEqual(['e']);
    expect((await rejected(again.deleteExperiment('e'))).code).toBe(ErrorCode.storeFailed);
    expect(await again.getExperiment('e')).toBeDefined();
  });

  it('reports an unreachable server as storeFailed (retryable) without the password', async () => {
    const url = `postgresql://hpo:s3cr%40t@127.0.0.1:1/hpo?password=other`;
    const store = openStore(url);
    onTestFinished(() => store.close());
    const e = await rejected(store.listExperiments());
    expect(e.code).toBe(ErrorCode.storeFailed);
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('postgresql://hpo:***@127.0.0.1:1/hpo?password=***');
    expect(e.message).not.toMatch(/s3cr|other/);
    const noDb = openStore(server.url('no_such_db'));
    onTestFinished(() => noDb.close());
    expect((await rejected(noDb.listExperiments())).code).toBe(ErrorCode.notFound);
  });

  it('refuses a malformed URL as bad input when it opens, without the password', () => {
    for (const url of ['postgresql://u:pw1@host:99999/db', 'postgresql://u:pw2@[bad/db']) {
      const e = caught(() => openStore(url));
      expect(e.code).toBe(ErrorCode.invalidArgument);
      expect(e.message).toContain('is not a valid PostgreSQL URL');
      expect(e.message).not.toMatch(/pw\d/);
    }
  });

  it('masks passwords however the URL spells them', () => {
    expect(redactUrl('postgres://u:p@ss/w@h:5/d')).toBe('postgres://u:***@h:5/d');
    expect(redactUrl('postgresql://u@h/d?sslmode=require&password=x')).toBe(
      'postgresql://u@h/d?sslmode=require&password=***',
    );
    expect(redactUrl('postgresql:///d?host=/tmp/s')).toBe('postgresql:///d?host=/tmp/s');
  });

  it('puts trial folders under HPO_STORE_ROOT, else .hpo in the working directory', () => {
    const url = server.url('x');
    expect(openPostgresStore(url, { root: '/srv/runs' }).root).toBe('/srv/runs');
    expect(openPostgresStore(url).root).toBe(`${process.cwd()}/.hpo`);
  });
});

describe('PostgreSQL lock leases', () => {
  it('lets exactly one of several racing processes take a free lock', async () => {
    const url = await server.createDatabase();
    const stores = [0, 1, 2].map(() => opened(url));
    // Three live pids on this host: none may take another's lock.
    const pids = [process.pid, process.ppid, 1];
    const won = await Promise.all(stores.map((s, i) => s.acquireExperimentLock('e', pids[i])));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('refuses another host while the lease runs, then lets it take over once it expired', async () => {
    const url = await server.createDatabase();
    await opened(url).listExperiments();
    let t = Date.parse('2026-01-01T00:00:00Z');
    const now = (): Date => new Date(t);
    const a = new PgLockTable({ host: 'host-a', now, leaseMs: 30_000 });
    const b = new PgLockTable({ host: 'host-b', now, leaseMs: 30_000 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    onTestFinished(() => client.end());
    const k = { namespace: 'default', name: 'e' };
    expect(await a.acquire(client, k, 1111)).toBe(true);
    t += 29_999;
    expect(await b.acquire(client, k, 2222)).toBe(false);
    t += 1;
    expect(await b.acquire(client, k, 2222)).toBe(true);
    expect(await b.get(client, k)).toMatchObject({ host: 'host-b', pid: 2222, expiresAt: '2026-01-01T00:01:00.000Z' });
    expect(await a.renew(client, k, 1111)).toBe(false);
    expect(hostname()).not.toBe('host-b');
  });
});

describe('PostgresStore: shared experiments across connections', () => {
  it('workers claiming on separate connections at once never pass the budget nor reuse a seq', async () => {
    const url = await server.createDatabase();
    const stores = [opened(url), opened(url), opened(url)];
    let n = 0;
    // Several rounds: a claim that did not hold the turn would now and then be checked against a snapshot taken
    // before another claim committed, and fail on the trials' unique seq.
    for (const name of ['e0', 'e1', 'e2', 'e3', 'e4']) {
      await stores[0]!.createExperiment(experiment(name));
      const key = { namespace: 'default', name };
      const results = await Promise.all(
        stores.map((s, i) =>
          claimTrials(s, {
            experiment: key,
            worker: `w${i}`,
            leaseMs: 1000,
            now: new Date(),
            maxTrialCount: 7,
            parallel: 4,
            stateBefore: undefined,
            stateAfter: undefined,
            trials: Array.from({ length: 4 }, () => (seq: number) => trial(name, seq)),
            token: () => `t${++n}`,
          }),
        ),
      );
      const claimed = results.flatMap((r) => (r.kind === 'claimed' ? r.trials : []));
      expect(claimed).toHaveLength(7);
      const seqs = (await stores[1]!.listTrials(name)).map((t) => t.seq);
      expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(await stores[2]!.listTrialLeases(name)).toHaveLength(7);
    }
  });
});

describe("PostgresStore: an experiment's turn (Store.lockTurn)", () => {
  it('holds the next turn of the experiment until the transaction ends, and holds up no write nor other experiment', async () => {
    const url = await server.createDatabase();
    const [a, b, c] = [opened(url), opened(url), opened(url)];
    await a.createExperiment(experiment('e'));
    await a.createExperiment(experiment('f'));
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let taken!: () => void;
    const inTurn = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const first = a.transaction(async (tx) => {
      await tx.lockTurn('e');
      taken();
      await held;
      order.push('a ends');
    });
    await inTurn;
    const second = b.transaction(async (tx) => {
      await tx.lockTurn('e');
      order.push('b has the turn');
    });
    // Another experiment's turn, and a write to the same experiment, go on while the turn is held.
    await c.transaction(async (tx) => {
      await tx.lockTurn('f');
      order.push('c has f');
    });
    await c.insertTrial(trial('e', 0));
    order.push('c wrote');
    await sleep(200);
    const whileHeld = [...order];
    release();
    await Promise.all([first, second]);
    expect(whileHeld).toEqual(['c has f', 'c wrote']);
    expect(order).toEqual(['c has f', 'c wrote', 'a ends', 'b has the turn']);
  });
});
