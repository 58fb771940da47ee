import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, WorkbenchError } from '../../src/common/errors.ts';
import type { SuggestRequest, TrialView } from '../../src/search/types.ts';
import { SuggestionHost } from '../../src/suggestion/host.ts';

const moduleUrl = new URL('../fixtures/algorithms/sequence.ts', import.meta.url).href;

function request(trials: readonly TrialView[], count: number): SuggestRequest {
  return {
    experiment: 'e',
    space: [{ name: 'x', domain: { kind: 'int', min: 0, max: 100, step: 1, scale: 'uniform' } }],
    objectives: [{ type: 'minimize', metricName: 'loss' }],
    objective: { type: 'minimize', metricName: 'loss' },
    trials,
    count,
    seed: 1,
    settings: {},
    parallelTrialCount: 1,
  };
}

describe('SuggestionHost', () => {
  let host: SuggestionHost | undefined;
  afterEach(async () => {
    await host?.close();
  });

  it('runs a user module in a worker and sees the full history although only changes cross', async () => {
    host = new SuggestionHost({ name: 'sequence', moduleUrl });
    const trials: TrialView[] = [];
    for (let round = 0; round < 3; round++) {
      const r = await host.suggest(request(trials, 2));
      expect(r.suggestions.map((s) => s.params.x)).toEqual([trials.length, trials.length + 1]);
      expect(r.state).toEqual({ seen: trials.length });
      for (const s of r.suggestions) trials.push({ name: `t${trials.length}`, params: s.params, state: 'Running' });
    }
    // A changed trial (new object) replaces its old view instead of being appended.
    trials[0] = { ...trials[0]!, state: 'Succeeded', objective: 1 };
    const r = await host.suggest(request(trials, 1));
    expect(r.state).toEqual({ seen: 6 });
  });

  it('validates settings in the worker', async () => {
    host = new SuggestionHost({ name: 'sequence', moduleUrl });
    const ctx = { space: request([], 1).space, objective: request([], 1).objective, parallelTrialCount: 1 };
    expect(await host.validate({ limit: 'x' }, ctx)).toEqual([
      { path: 'spec.algorithm.algorithmSettings.limit', message: 'limit must be a whole number' },
    ]);
    expect(await host.validate({ limit: '3' }, ctx)).toEqual([]);
  });

  it('an error thrown in the worker keeps its code and issues on this side', async () => {
    host = new SuggestionHost({
      name: 'refusing',
      moduleUrl: new URL('../fixtures/algorithms/refusing.ts', import.meta.url).href,
    });
    const err = await host.suggest(request([], 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect(err).toMatchObject({
      code: ErrorCode.invalidSpec,
      message: 'the space is too large for this algorithm',
      issues: [{ path: 'spec.parameters[0].feasibleSpace.max', message: 'at most 10 values' }],
    });
    // A module that cannot be loaded is the user's input too, not a crash.
    const missing = new SuggestionHost({ name: 'gone', moduleUrl: 'file:///nonexistent/algorithm.mjs' });
    await expect(missing.suggest(request([], 1))).rejects.toMatchObject({ code: ErrorCode.invalidSpec });
    await missing.close();
  });

  it('restarts a crashed worker, resends the full history and answers the same', async () => {
    host = new SuggestionHost({ name: 'sequence', moduleUrl });
    const trials: TrialView[] = [{ name: 'a', params: { x: 0 }, state: 'Succeeded', objective: 3 }];
    const before = await host.suggest(request(trials, 1));
    await host.crashWorkerForTest();
    const after = await host.suggest(request(trials, 1));
    expect(host.restarts).toBe(1);
    expect(after).toEqual(before);
  });

  it('cancel() ends a call stuck in a spinning algorithm at once, and the next call gets a fresh worker', async () => {
    host = new SuggestionHost({ name: 'sequence', moduleUrl });
    const stuck = host.suggest({ ...request([], 1), settings: { spinAt: '0' } });
    await new Promise((r) => setTimeout(r, 200));
    await host.cancel();
    await expect(stuck).rejects.toThrow(/was cancelled/);
    expect((await host.suggest(request([], 1))).suggestions).toEqual([{ params: { x: 0 }, explain: { seen: 0 } }]);
  });

  it('names a user module that cannot be loaded', async () => {
    const missing = new URL('../fixtures/algorithms/does-not-exist.ts', import.meta.url).href;
    host = new SuggestionHost({ name: 'nope', moduleUrl: missing });
    await expect(host.suggest(request([], 1))).rejects.toThrow(/cannot load algorithm module .*does-not-exist/);
    expect(fileURLToPath(missing)).toContain('does-not-exist');
  });
});

describe('SuggestionHost removals', () => {
  it('drops trials that left the history from the worker mirror', async () => {
    const host = new SuggestionHost({ name: 'sequence', moduleUrl });
    try {
      const a: TrialView = { name: 'a', params: { x: 0 }, state: 'Succeeded', objective: 1 };
      const b: TrialView = { name: 'b', params: { x: 1 }, state: 'Running' };
      expect((await host.suggest(request([a, b], 1))).state).toEqual({ seen: 2 });
      // b was killed: the controller leaves it out, and the worker must stop seeing it.
      expect((await host.suggest(request([a], 1))).state).toEqual({ seen: 1 });
    } finally {
      await host.close();
    }
  });
});
