import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, openStoreForReading } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { ExperimentWorkspace } from '../../src/trial/workspace.ts';
import { type Dashboard, startDashboard } from '../../src/ui/index.ts';
import { tempDir } from '../helpers.ts';
import { hostile, writeDemoStore, writeLargeExperiment } from './fixture.ts';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
let dashboard: Dashboard;
const enc = encodeURIComponent;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, which the assertions check
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, dashboard.url));
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** A raw request, for what fetch will not send: other methods with no body, a forged Host header. */
function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const url = new URL(dashboard.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  tmp = tempDir('hpo-ui-');
  await writeDemoStore(tmp.dir);
  store = openStoreForReading(tmp.dir);
  dashboard = await startDashboard({ store, pollMs: 50 });
}, 60_000);
afterAll(async () => {
  await dashboard?.close();
  await store?.close();
  tmp?.cleanup();
});

describe('dashboard JSON API', () => {
  it('lists experiments with status, counts and the best trial', async () => {
    const { status, body } = await get('/api/experiments');
    expect(status).toBe(200);
    const demo = body.find((e: { name: string }) => e.name === 'demo');
    const trials = await store.listTrials('demo');
    const best = [...trials].sort((a, b) => a.objective! - b.objective!)[0]!;
    expect(demo).toMatchObject({ namespace: 'default', status: 'Succeeded', algorithm: 'random' });
    expect(demo.counts).toMatchObject({ total: 12, succeeded: 12 });
    expect(demo.best).toEqual({ trial: best.name, objective: best.objective });
  });

  it('gives an experiment with its parameters, metrics, controller and events', async () => {
    const { status, body } = await get('/api/experiments/default/demo');
    expect(status).toBe(200);
    expect(body.parameters).toEqual(['x', 'y', 'kernel']);
    expect(body.metrics).toEqual(['loss']);
    expect(body.controller.running).toBe(false);
    expect(body.events.map((e: { reason: string }) => e.reason)).toContain('ExperimentMaxTrialsReached');
  });

  it('sorts, filters and pages trials on the server', async () => {
    const asc = (await get('/api/experiments/default/demo/trials?sort=objective')).body;
    const values = asc.rows.map((r: { objective: number }) => r.objective);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(asc).toMatchObject({ total: 12, matched: 12 });
    const desc = (await get('/api/experiments/default/demo/trials?sort=param:x&order=desc&limit=5&offset=2')).body;
    const xs = (await store.listTrials('demo')).map((t) => Number(t.params.x)).sort((a, b) => b - a);
    expect(desc.rows.map((r: { params: { x: number } }) => r.params.x)).toEqual(xs.slice(2, 7));
    const byName = (await get(`/api/experiments/default/demo/trials?q=${enc(asc.rows[3].name.toUpperCase())}`)).body;
    expect(byName.rows.map((r: { name: string }) => r.name)).toEqual([asc.rows[3].name]);
    expect((await get('/api/experiments/default/demo/trials?state=Failed')).body).toMatchObject({ matched: 0 });
    expect((await get('/api/experiments/default/demo/trials?sort=bogus')).status).toBe(400);
    expect((await get('/api/experiments/default/demo/trials?limit=-1')).status).toBe(400);
  });

  it('gives a trial with parameters, metrics, observations, events and the explanation', async () => {
    const [t] = await store.listTrials('demo');
    const { status, body } = await get(`/api/experiments/default/demo/trials/${enc(t!.name)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: t!.name, params: t!.params, objective: t!.objective, algorithm: 'random' });
    // Three reports of `loss` and the objective the function returned.
    expect(body.observations).toEqual(await store.getObservations('demo', t!.name));
    expect(body.observations.length).toBeGreaterThanOrEqual(3);
    expect(body).toHaveProperty('explain');
    expect(Array.isArray(body.events)).toBe(true);
  });

  it('serves every plot kind the experiment can have as a Vega-Lite spec, and says why for the others', async () => {
    const history = (await get('/api/experiments/default/demo/plots/history')).body;
    expect(history.data).toHaveLength(12);
    expect(history.spec.$schema).toContain('vega-lite');
    expect((await get('/api/experiments/default/demo/plots/history?part=spec')).body).toEqual(history.spec);
    for (const kind of ['parallel', 'slice', 'contour', 'curves', 'importance']) {
      expect((await get(`/api/experiments/default/demo/plots/${kind}`)).status, kind).toBe(200);
    }
    const rungs = await get('/api/experiments/default/demo/plots/rungs');
    expect(rungs.status).toBe(400);
    expect(rungs.body.error).toContain('budget');
    expect((await get('/api/experiments/default/demo/plots/pie')).status).toBe(404);
    expect((await get('/api/experiments/default/demo/plots/contour?params=nope,x')).status).toBe(400);
  });

  it('reads hostile names as data: found when they exist, 404 otherwise, never a path', async () => {
    const base = `/api/experiments/${enc(hostile.namespace)}/${enc(hostile.name)}`;
    expect((await get(base)).body).toMatchObject({ namespace: hostile.namespace, name: hostile.name });
    expect((await get(`${base}/trials/${enc(hostile.trial)}`)).body).toMatchObject({ name: hostile.trial });
    expect((await get(`${base}/logs/${enc(hostile.trial)}`)).status).toBe(404);
    expect((await get(`/api/experiments/default/${enc('../demo')}`)).status).toBe(404);
    expect((await get('/api/experiments/default/demo/trials/..%2F..%2Fhpo.db')).status).toBe(404);
    expect((await get('/api/experiments/default/demo/logs/..%2F..%2F..%2Fhpo.db')).status).toBe(404);
    expect((await get('/static/../../../../etc/passwd')).status).toBe(404);
    expect((await get('/api/experiments/%zz/demo')).status).toBe(400);
    expect((await get('/api/experiments/default/demo/trials/x/y')).status).toBe(404);
  });

  it('is read-only and answers only requests addressed to localhost', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect(await raw(method, '/api/experiments/default/demo'), method).toBe(405);
    }
    expect(await raw('GET', '/api/experiments', { host: 'evil.example:80' })).toBe(403);
    expect(await raw('GET', '/api/experiments', { host: `localhost:${new URL(dashboard.url).port}` })).toBe(200);
    expect((await get('/api/experiments')).body.length).toBe(2);
  });

  it('pushes the change feed as server-sent events', async () => {
    const abort = new AbortController();
    const res = await fetch(new URL('/api/events', dashboard.url), { signal: abort.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const until = async (what: string): Promise<void> => {
      while (!text.includes(what)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await until('event: ready');
    const writer = openStore(tmp.dir);
    try {
      await writer.addEvent({
        experiment: 'demo',
        type: 'Normal',
        reason: 'Poked',
        message: 'a test event',
        time: new Date().toISOString(),
      });
    } finally {
      await writer.close();
    }
    await until('event: change');
    const data = JSON.parse(text.slice(text.indexOf('event: change')).split('\n')[1]!.slice('data: '.length));
    expect(data.experiments).toEqual([['default', 'demo']]);
    expect(data.kinds).toEqual(['event']);
    abort.abort();
  });

  it("streams a running trial's log until the trial ends", async () => {
    const writer = openStore(tmp.dir);
    try {
      const demo = (await writer.getExperiment('demo'))!;
      const [first] = await writer.listTrials('demo');
      expect(await writer.acquireExperimentLock('demo')).toBe(true);
      await writer.insertTrial({ ...first!, name: 'demo-live', seq: 99, state: 'Running' });
      const log = new ExperimentWorkspace(tmp.dir, demo).logPath('demo-live');
      mkdirSync(dirname(log), { recursive: true });
      writeFileSync(log, 'epoch 1\n');
      const res = await fetch(new URL('/api/experiments/default/demo/logs/demo-live?follow=1', dashboard.url));
      const reader = res.body!.getReader();
      let text = new TextDecoder().decode((await reader.read()).value);
      expect(text).toBe('epoch 1\n');
      appendFileSync(log, 'epoch 2\n');
      await writer.updateTrial('demo', 'demo-live', { state: 'Succeeded' });
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toBe('epoch 1\nepoch 2\n');
      const once = await get('/api/experiments/default/demo/logs/demo-live?offset=8');
      expect(once.body).toBe('epoch 2\n');
    } finally {
      await writer.releaseExperimentLock('demo');
      await writer.close();
    }
  });

  it('answers a sorted page of 10,000 trials in under 200 ms', async () => {
    const writer = openStore(tmp.dir);
    try {
      await writeLargeExperiment(writer, 'big', 10_000);
    } finally {
      await writer.close();
    }
    const first = await get('/api/experiments/default/big/trials?sort=objective&limit=100');
    expect(first.body).toMatchObject({ total: 10_000, matched: 10_000 });
    const times: number[] = [];
    for (const sort of ['objective', 'param:x', 'metric:loss', 'name']) {
      const t = performance.now();
      const { body } = await get(`/api/experiments/default/big/trials?sort=${sort}&order=desc&limit=100`);
      times.push(performance.now() - t);
      expect(body.rows).toHaveLength(100);
    }
    expect(Math.min(...times)).toBeLessThan(200);
  }, 120_000);
});
