// Several workers on one shared experiment over PostgreSQL, each with its own connection pool (as workers on
// several machines would have), on a throwaway cluster (test/store/postgresServer.ts).
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { joinExperiment } from '../../src/experiment/join.ts';
import { buildManifest } from '../../src/spec/create.ts';
import { openStore } from '../../src/store/open.ts';
import { sequenceExperiment } from '../helpers.ts';
import { type PostgresServer, startPostgres } from '../store/postgresServer.ts';
import { expectCompleteAndUnique } from './sharedChecks.ts';
import { expectStoppedByOthers } from './sharedEarlyStop.ts';
import { sleepExecutor } from './sleepExecutor.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

describe('several workers on one PostgreSQL store', () => {
  it('share the budget over separate connections: exactly maxTrialCount trials, every point once', async () => {
    const url = await server.createDatabase();
    const manifest = buildManifest(sequenceExperiment('pg-shared', { maxTrialCount: 10, parallelTrialCount: 2 }));
    const stores = [0, 1, 2].map(() => {
      const s = openStore(url);
      onTestFinished(() => s.close());
      return s;
    });
    const turns = stores.map((s) => vi.spyOn(s, 'lockTurn'));
    const summaries = await Promise.all(
      stores.map((store, i) =>
        joinExperiment({
          store,
          manifest,
          worker: `pg${i}`,
          heartbeatMs: 500,
          executor: sleepExecutor((t) => 100 + ((t.charCodeAt(t.length - 1) * 7 + i * 13) % 100)),
        }),
      ),
    );
    const trials = await expectCompleteAndUnique(stores[0]!, 'pg-shared', 10);
    expect(trials.filter((t) => t.state === 'Killed')).toEqual([]);
    expect(trials.map((t) => Number(t.params.x)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(summaries.flatMap((s) => s.stored).sort()).toEqual(trials.map((t) => t.name).sort());
    expect(summaries.map((s) => s.record.phase)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    // After its first answer (asked outside, as it may load code) the quick algorithm is asked within turns.
    expect(turns.every((t) => t.mock.calls.every(([k]) => JSON.stringify(k).includes('pg-shared')))).toBe(true);
    expect(turns.reduce((n, t) => n + t.mock.calls.length, 0)).toBeGreaterThan(0);
  }, 60_000);

  it("stop a worker's trial by medianstop over another worker's trials, on separate connections", async () => {
    const url = await server.createDatabase();
    const [a, b] = [openStore(url), openStore(url)];
    onTestFinished(() => a.close());
    onTestFinished(() => b.close());
    await expectStoppedByOthers(a, b, 'pg-median');
  }, 60_000);
});
