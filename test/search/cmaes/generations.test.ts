import { describe, expect, it } from 'vitest';
import { CmaesSearch, type CmaesState, memberLabel } from '../../../src/search/cmaes/index.ts';
import type { SuggestResult, TrialState, TrialView } from '../../../src/search/types.ts';
import { makeRequest, runAskTell } from '../../../src/testing/askTell.ts';
import { branin } from '../../../src/testing/benchmarks.ts';

const space = branin.space;
const cmaes = new CmaesSearch();

/** A controller-like history: trials keep the labels of their suggestions and get names in creation order. */
class History {
  readonly trials: TrialView[] = [];
  state: unknown;

  ask(count: number, seed = 1): SuggestResult {
    const result = cmaes.suggest(makeRequest({ space, trials: this.trials, count, seed, state: this.state }));
    this.state = JSON.parse(JSON.stringify(result.state));
    for (const s of result.suggestions) {
      const labels = s.labels ?? {};
      this.trials.push({ name: `t${this.trials.length}`, params: s.params, state: 'Running', labels });
    }
    return result;
  }

  finish(name: string, state: TrialState, objective?: number): void {
    const i = this.trials.findIndex((t) => t.name === name);
    const { objective: _, ...t } = this.trials[i]!;
    this.trials[i] = objective === undefined ? { ...t, state } : { ...t, state, objective };
  }

  finishAll(): void {
    for (const t of this.trials) if (t.state === 'Running') this.finish(t.name, 'Succeeded', branin.f(t.params));
  }
}

const generationOf = (r: SuggestResult): unknown[] => r.suggestions.map((s) => s.explain?.generation);
const runState = (h: History): CmaesState => h.state as CmaesState;

describe('cmaes generations', () => {
  it('hands out a generation in parts, then fewer than count (not exhausted) while its members run', () => {
    const h = new History();
    const first = h.ask(3);
    const lambda = runState(h).run.lambda;
    expect(lambda).toBe(6); // the default 4 rounded up to a multiple of 3 parallel slots
    expect(first.suggestions).toHaveLength(3);
    const rest = h.ask(5);
    expect(rest.suggestions).toHaveLength(3);
    expect(rest.exhausted).toBeUndefined();
    expect(generationOf(rest)).toEqual([0, 0, 0]);
    // Five finished, one still running: the generation cannot be ranked yet, so nothing new.
    for (const t of h.trials.slice(0, 5)) h.finish(t.name, 'Succeeded', branin.f(t.params));
    const waiting = h.ask(2);
    expect(waiting.suggestions).toEqual([]);
    expect(waiting.exhausted).toBeUndefined();
    h.finishAll();
    const next = h.ask(2);
    expect(generationOf(next)).toEqual([1, 1]);
    expect(runState(h).run.generation).toBe(1);
  });

  it('labels each trial with its member and binds results by label whatever the history order', () => {
    const inOrder = new History();
    inOrder.ask(4);
    expect(inOrder.trials.map((t) => t.labels?.[memberLabel])).toEqual(['0.0.0', '0.1.0', '0.2.0', '0.3.0']);
    const shuffled = new History();
    shuffled.ask(4);
    shuffled.trials.reverse();
    shuffled.trials.forEach((t, i) => {
      shuffled.trials[i] = { ...t, name: `other-${i}` };
    });
    inOrder.finishAll();
    shuffled.finishAll();
    inOrder.ask(1);
    shuffled.ask(1);
    expect(runState(shuffled).run).toEqual(runState(inOrder).run);
    expect(runState(inOrder).run.generation).toBe(1);
  });

  it('without labels binds new trials in creation order (as Katib-style histories give them)', async () => {
    // A host that drops the algorithm's labels, as Katib's controller would.
    const unlabelled = {
      name: cmaes.name,
      validate: cmaes.validate.bind(cmaes),
      suggest: async (req: Parameters<typeof cmaes.suggest>[0]) => {
        const r = await cmaes.suggest(req);
        return { ...r, suggestions: r.suggestions.map(({ labels: _l, ...rest }) => rest) };
      },
    };
    const run = await runAskTell({ algorithm: unlabelled, space, evaluate: branin.f, trials: 16, seed: 3 });
    expect(run.trials.every((t) => t.labels === undefined)).toBe(true);
    const generations = run.results.flatMap((r) => r.suggestions.map((s) => s.explain?.generation));
    expect(generations).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  });

  it('draws a failed member again (twice at most), then ranks it worst and moves on', () => {
    const h = new History();
    h.ask(4);
    h.finishAll();
    h.ask(4);
    const failing = h.trials[4]!;
    for (const t of h.trials.slice(5)) h.finish(t.name, 'Succeeded', branin.f(t.params));
    h.finish(failing.name, 'Failed');
    const retry = h.ask(4);
    expect(retry.suggestions.map((s) => [s.explain?.member, s.explain?.attempt])).toEqual([[0, 1]]);
    expect(retry.suggestions[0]!.labels?.[memberLabel]).toBe('1.0.1');
    expect(retry.suggestions[0]!.params).not.toEqual(failing.params);
    h.finish(h.trials.at(-1)!.name, 'MetricsUnavailable');
    expect(h.ask(4).suggestions.map((s) => s.explain?.attempt)).toEqual([2]);
    h.finish(h.trials.at(-1)!.name, 'Failed');
    const next = h.ask(4);
    expect(generationOf(next)).toEqual([2, 2, 2, 2]);
    expect(runState(h).run.generation).toBe(2);
  });

  it('draws again a member whose trial vanished from the history (Killed trials are dropped from it)', () => {
    const h = new History();
    h.ask(4);
    h.trials.splice(2, 1);
    const again = h.ask(4);
    expect(again.suggestions.map((s) => [s.explain?.member, s.explain?.attempt])).toEqual([[2, 1]]);
  });

  it('counts an EarlyStopped trial with an objective as a result, one without as a failure', () => {
    const h = new History();
    h.ask(4);
    h.finishAll();
    h.finish('t1', 'EarlyStopped', 3);
    h.finish('t2', 'EarlyStopped');
    const r = h.ask(4);
    expect(r.suggestions.map((s) => [s.explain?.generation, s.explain?.member, s.explain?.attempt])).toEqual([
      [0, 2, 1],
    ]);
  });

  it('gives the same trials whatever the batch size, when the batch divides the population', async () => {
    const params = async (batch: number) =>
      (await runAskTell({ algorithm: cmaes, space, evaluate: branin.f, trials: 24, batch, seed: 9 })).trials.map(
        (t) => t.params,
      );
    const one = await params(1);
    expect(await params(2)).toEqual(one);
    expect(await params(4)).toEqual(one);
  });

  it('resumes from a JSON copy of the state exactly as from the original, and from no state by warm start', () => {
    const h = new History();
    h.ask(4);
    h.finishAll();
    const request = (state: unknown) => makeRequest({ space, trials: h.trials, count: 2, seed: 1, state });
    const original = cmaes.suggest(request(h.state));
    const copy = cmaes.suggest(request(JSON.parse(JSON.stringify(h.state))));
    expect(copy).toEqual(original);
    // Without the state (or with one from another space) the search starts over around the best trial so far.
    const best = h.trials.reduce((a, t) => (t.objective! < a.objective! ? t : a));
    for (const state of [undefined, { version: 1, signature: 'other' }]) {
      const fresh = cmaes.suggest(request(state)).state as CmaesState;
      expect(fresh.run.mean[0]).toBeCloseTo(((best.params.x1 as number) + 5) / 15, 12);
      expect(fresh.run.mean[1]).toBeCloseTo((best.params.x2 as number) / 15, 12);
      expect(fresh.generation).toBe(0);
    }
  });

  it('treats maximisation as minimising the negated objective', async () => {
    const min = await runAskTell({ algorithm: cmaes, space, evaluate: branin.f, trials: 20, seed: 2 });
    const max = await runAskTell({
      algorithm: cmaes,
      space,
      evaluate: (p) => -branin.f(p),
      type: 'maximize',
      trials: 20,
      seed: 2,
    });
    expect(max.trials.map((t) => t.params)).toEqual(min.trials.map((t) => t.params));
  });
});
