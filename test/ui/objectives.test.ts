// The dashboard's JSON API over an experiment with several objectives: the detail names them, the trial table gives
// each objective's value and the Pareto mark (sortable), the pareto plot has a point per trial; a single-objective
// experiment's table is unchanged and its pareto plot says why not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { openStore, openStoreForReading } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { type Dashboard, startDashboard } from '../../src/ui/index.ts';
import { tempDir } from '../helpers.ts';
import { demoExperiment, demoObjective, tradeoffLatency, writeTradeoffExperiment } from './fixture.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
let dashboard: Dashboard;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, which the assertions check
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, dashboard.url));
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  tmp = tempDir('hpo-ui-objectives-');
  const writer = openStore(tmp.dir);
  try {
    await writeTradeoffExperiment(writer, 'tradeoff');
    await Experiment.create({ ...demoExperiment('single', { maxTrialCount: 3 }), store: writer }).optimize(
      demoObjective,
    );
  } finally {
    await writer.close();
  }
  store = openStoreForReading(tmp.dir);
  dashboard = await startDashboard({ store, pollMs: 50 });
}, 60_000);
afterAll(async () => {
  await dashboard?.close();
  await store?.close();
  tmp?.cleanup();
});

describe('dashboard API with several objectives', () => {
  it('names every objective in the experiment detail', async () => {
    expect((await get('/api/experiments/default/tradeoff')).body.objectives).toEqual([
      { type: 'minimize', metric: 'loss' },
      { type: 'minimize', metric: 'latency_ms' },
    ]);
    expect((await get('/api/experiments/default/single')).body.objectives).toEqual([
      { type: 'minimize', metric: 'loss' },
    ]);
  });

  it("gives each trial's objective values and Pareto mark", async () => {
    const { body } = await get('/api/experiments/default/tradeoff/trials');
    expect(body.rows.map((r: { params: { x: unknown } }) => Number(r.params.x))).toEqual([0, 1, 2, 3, 4]);
    expect(body.rows.map((r: { values: unknown }) => r.values)).toEqual(
      tradeoffLatency.map((latency, x) => ({ loss: x, latency_ms: latency })),
    );
    expect(body.rows.map((r: { pareto: unknown }) => r.pareto)).toEqual([true, true, false, true, false]);
  });

  it('sorts by the Pareto mark (front first) and by an objective value', async () => {
    const x = async (query: string): Promise<number[]> =>
      (await get(`/api/experiments/default/tradeoff/trials?${query}`)).body.rows.map((r: { params: { x: unknown } }) =>
        Number(r.params.x),
      );
    expect(await x('sort=pareto')).toEqual([0, 1, 3, 2, 4]);
    expect(await x('sort=pareto&order=desc')).toEqual([2, 4, 0, 1, 3]);
    // Ties (latency 1 for x = 3 and 4) keep creation order.
    expect(await x('sort=value:latency_ms')).toEqual([3, 4, 1, 2, 0]);
    expect((await get('/api/experiments/default/tradeoff/trials?sort=value:')).status).toBe(400);
  });

  it('leaves a single-objective table as it was', async () => {
    const row = (await get('/api/experiments/default/single/trials')).body.rows[0];
    expect(row).not.toHaveProperty('values');
    expect(row).not.toHaveProperty('pareto');
  });

  it('serves the pareto plot with a point per trial, and says why not with one objective', async () => {
    const plot = (await get('/api/experiments/default/tradeoff/plots/pareto')).body;
    expect(plot.kind).toBe('pareto');
    expect(plot.data).toHaveLength(5);
    expect(plot.data.filter((r: { front: boolean }) => r.front)).toHaveLength(3);
    expect((await get('/api/experiments/default/tradeoff/plots/pareto?part=spec')).body).toEqual(plot.spec);
    const single = await get('/api/experiments/default/single/plots/pareto');
    expect(single.status).toBe(400);
    expect(single.body.error).toContain('needs several objectives');
  });
});
