// `hpo suggestion-server` runs every algorithm in the worker host `hpo run` uses, and serves user algorithms
// registered at its start (never a module an Experiment names), through a real gRPC client from Katib's proto.
import { isMainThread } from 'node:worker_threads';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SuggestionServer, startSuggestionServer } from '../../../src/platform/grpc/server.ts';
import { call, experiment, katibClients, param } from './helpers.ts';

let server: SuggestionServer;
let clients: ReturnType<typeof katibClients>;
beforeAll(async () => {
  server = await startSuggestionServer({
    port: 0,
    host: '127.0.0.1',
    algorithms: { 'thread-label': new URL('../../fixtures/algorithms/threadLabel.mjs', import.meta.url).href },
  });
  clients = katibClients(server.port);
});
afterAll(async () => {
  clients.close();
  await server.close();
});

interface Reply {
  parameter_assignments: { assignments: { name: string; value: string }[]; labels: Record<string, string> }[];
}

const parameters = [param('x', 'DOUBLE', { min: '0', max: '4' })];
const suggest = (exp: Record<string, unknown>) =>
  call<Reply>(clients.suggestion, 'GetSuggestions', {
    experiment: exp,
    trials: [],
    current_request_number: 2,
    total_request_number: 2,
  });

describe('hpo suggestion-server algorithms', { timeout: 30_000 }, () => {
  it('serves a registered user algorithm, run in a worker thread, not the gRPC thread', async () => {
    expect(isMainThread).toBe(true);
    const r = await suggest(experiment({ name: 'user-1', algorithm: 'thread-label', parameters, parallel: 2 }));
    expect(r.ok).toBe(true);
    const reply = (r as { reply: Reply }).reply;
    expect(reply.parameter_assignments.map((a) => [a.assignments[0]?.value, a.labels.thread])).toEqual([
      ['2', 'worker'],
      ['2', 'worker'],
    ]);
  });

  it("runs the user algorithm's own settings check in ValidateAlgorithmSettings", async () => {
    const ok = await call<object>(clients.suggestion, 'ValidateAlgorithmSettings', {
      experiment: experiment({ name: 'user-2', algorithm: 'thread-label', parameters }),
    });
    expect(ok).toEqual({ ok: true, reply: {} });
    const bad = await call<object>(clients.suggestion, 'ValidateAlgorithmSettings', {
      experiment: experiment({ name: 'user-3', algorithm: 'thread-label', parameters, settings: { bad: '1' } }),
    });
    expect(bad).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
    expect((bad as { details: string }).details).toContain('spec.algorithm.algorithmSettings.bad: bad is refused');
  });

  it("refuses an Experiment's own module setting: the server loads only what it was started with", async () => {
    const exp = experiment({
      name: 'user-4',
      algorithm: 'mine',
      parameters,
      settings: { module: '/tmp/evil.mjs' },
    });
    for (const method of ['GetSuggestions', 'ValidateAlgorithmSettings']) {
      const r = await call<object>(clients.suggestion, method, {
        experiment: exp,
        trials: [],
        current_request_number: 1,
        total_request_number: 1,
      });
      expect(r).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
      expect((r as { details: string }).details).toContain('loads only algorithms registered at its start');
    }
  });

  it('lists the registered algorithm among those it runs when asked for an unknown one', async () => {
    const r = await suggest(experiment({ name: 'user-5', algorithm: 'no-such', parameters }));
    expect(r).toMatchObject({ ok: false, code: status.INVALID_ARGUMENT });
    expect((r as { details: string }).details).toMatch(/this suggestion server runs: .*thread-label/);
  });
});
