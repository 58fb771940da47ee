// kill -9 at seeded random moments across the workers of a shared experiment on PostgreSQL (the loop of
// bench/scale/killRandom.ts, which `npm run bench` runs for more iterations): every iteration ends with exactly
// the budget of Succeeded trials, none stored twice, none lost, no lease left.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killRandomly } from '../../bench/scale/killRandom.ts';
import { type PostgresServer, startPostgres } from '../store/postgresServer.ts';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());

describe('workers killed with -9 at random moments (PostgreSQL)', () => {
  it('lose and duplicate nothing, and the killed workers trials are reclaimed', async () => {
    const url = await server.createDatabase();
    // 48 trials of 200 ms (6 waves of 3 workers × 3): the first kill (within 4 trial times of the first trial) always
    // finds the experiment running; on a loaded machine a second one may find it over (the loop then stops killing).
    const runs = await killRandomly({ url, iterations: 2, seed: 7, workers: 3, kills: 2, maxTrialCount: 48 });
    for (const r of runs) {
      expect(r.problems).toEqual([]);
      expect([r.succeeded, r.lost, r.duplicated]).toEqual([48, 0, 0]);
      expect(r.kills).toBeGreaterThanOrEqual(1);
    }
    // The kills hit workers that ran trials: some of their trials were reclaimed and their slots run again.
    expect(runs.reduce((n, r) => n + r.reclaimed, 0)).toBeGreaterThan(0);
  }, 120_000);
});
