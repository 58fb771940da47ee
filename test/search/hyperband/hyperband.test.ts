import { describe, expect, it } from 'vitest';
import { HyperbandSearch } from '../../../src/search/hyperband/hyperband.ts';
import type { SearchSpace } from '../../../src/search/space.ts';
import type { TrialView } from '../../../src/search/types.ts';
import { makeRequest } from '../../../src/testing/askTell.ts';
import { Driver, place, trialOf } from './driver.ts';

const space: SearchSpace = [
  { name: 'x', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
  { name: 'opt', domain: { kind: 'categorical', values: ['sgd', 'adam'] } },
  { name: 'epochs', domain: { kind: 'int', min: 1, max: 9, step: 1, scale: 'uniform' } },
];
// R = 9, η = 3: brackets s=2 (9@1, 3@3, 1@9), s=1 (5@3, 1@9), s=0 (3@9): 22 trials.
const settings = { resource_name: 'epochs', r_l: '9', eta: '3' };
const x = (t: TrialView) => t.params.x as number;

function driver(options: { type?: 'minimize' | 'maximize'; seed?: number; loops?: number } = {}): Driver {
  const extra = options.loops === undefined ? {} : { loops: String(options.loops) };
  return new Driver({ algorithm: new HyperbandSearch(), space, settings: { ...settings, ...extra }, ...options });
}

describe('hyperband', () => {
  it('starts with the first rung of the largest bracket, budget written into the resource', async () => {
    const d = driver();
    const { suggestions, exhausted } = await d.ask(20);
    expect(exhausted).toBeUndefined();
    expect(suggestions).toHaveLength(9);
    suggestions.forEach((s, k) => {
      expect(s.params.epochs).toBe(1);
      expect(s.budget).toBe(1);
      expect(s.parent).toBeUndefined();
      expect(s.labels).toEqual({
        'hyperband.hpo/loop': '0',
        'hyperband.hpo/bracket': '2',
        'hyperband.hpo/rung': '0',
        'hyperband.hpo/slot': String(k),
      });
    });
  });

  it('waits (short answers, never exhausted) until every trial of the rung has finished', async () => {
    const d = driver();
    await d.ask(9);
    expect((await d.ask(4)).suggestions).toEqual([]);
    for (const t of d.trials.slice(0, 8)) d.finish(t.name, 'Succeeded', x(t));
    const waiting = await d.ask(4);
    expect(waiting.suggestions).toEqual([]);
    expect(waiting.exhausted).toBeUndefined();
    d.finishAll(x);
    expect((await d.ask(4)).suggestions).toHaveLength(3);
  });

  it.each(['minimize', 'maximize'] as const)('promotes the best ⌊n/η⌋ of a rung (%s)', async (type) => {
    const d = driver({ type });
    await d.ask(9);
    d.finishAll(x);
    const rung = [...d.trials];
    const { suggestions } = await d.ask(9);
    const ranked = rung.sort((a, b) => (type === 'minimize' ? x(a) - x(b) : x(b) - x(a)));
    const best = ranked.slice(0, 3);
    expect(suggestions.map((s) => s.parent)).toEqual(best.map((t) => t.name));
    suggestions.forEach((s, k) => {
      const from = best[k] as TrialView;
      expect(s.params).toEqual({ ...from.params, epochs: 3 });
      expect(s.budget).toBe(3);
      expect(place(s)).toBe('2/1');
    });
  });

  it('ranks Failed and MetricsUnavailable trials last, and counts EarlyStopped ones by their objective', async () => {
    const d = driver();
    await d.ask(9);
    const byX = [...d.trials].sort((a, b) => x(a) - x(b));
    d.finishAll(x);
    d.finish((byX[0] as TrialView).name, 'Failed');
    d.finish((byX[1] as TrialView).name, 'MetricsUnavailable');
    d.finish((byX[8] as TrialView).name, 'EarlyStopped', -1);
    const { suggestions } = await d.ask(9);
    expect(suggestions.map((s) => s.parent)).toEqual([byX[8], byX[2], byX[3]].map((t) => t?.name));
  });

  it('runs every bracket s = s_max … 0 in order, then is exhausted', async () => {
    const d = driver();
    await d.runToEnd(x, 2);
    expect(d.trials).toHaveLength(22);
    const places = d.trials.map(place);
    const counts = new Map<string, number>();
    for (const p of places) counts.set(p, (counts.get(p) ?? 0) + 1);
    expect([...counts]).toEqual([
      ['2/0', 9],
      ['2/1', 3],
      ['2/2', 1],
      ['1/0', 5],
      ['1/1', 1],
      ['0/0', 3],
    ]);
    expect(d.trials.map((t) => t.budget)).toEqual(d.trials.map((t) => t.params.epochs));
    const end = await d.ask(3);
    expect(end).toMatchObject({ suggestions: [], exhausted: true });
  });

  it('runs the schedule `loops` times, each loop with new configurations', async () => {
    const d = driver({ loops: 2 });
    await d.runToEnd(x, 3);
    expect(d.trials).toHaveLength(44);
    const first = d.trials.slice(0, 9).map((t) => t.params);
    const second = d.trials.slice(22, 31);
    expect(second.every((t) => t.labels?.['hyperband.hpo/loop'] === '1' && place(t) === '2/0')).toBe(true);
    expect(second.map((t) => t.params)).not.toEqual(first);
  });

  it('queues a rung larger than the free slots (Katib would reject parallelTrialCount < η^s_max)', async () => {
    const d = driver();
    for (let k = 0; k < 4; k++) expect((await d.ask(2)).suggestions).toHaveLength(2);
    expect((await d.ask(2)).suggestions).toHaveLength(1);
    expect(new Set(d.trials.map((t) => t.labels?.['hyperband.hpo/slot'])).size).toBe(9);
  });

  it('proposes the same first rung whatever the batch sizes, and another one for another seed or random_state', async () => {
    const one = driver();
    for (let k = 0; k < 9; k++) await one.ask(1);
    const all = driver();
    await all.ask(9);
    expect(one.trials.map((t) => t.params)).toEqual(all.trials.map((t) => t.params));
    const other = driver({ seed: 2 });
    await other.ask(9);
    expect(other.trials.map((t) => t.params)).not.toEqual(all.trials.map((t) => t.params));
    const pinned = (seed: number) =>
      new HyperbandSearch().suggest(
        makeRequest({ space, trials: [], count: 3, seed, settings: { ...settings, random_state: '5' } }),
      );
    expect(pinned(1)).toEqual(pinned(2));
  });

  it('resumes exactly: the state through JSON, or no state at all, gives the same next answer', async () => {
    const d = driver();
    for (let step = 0; step < 14; step++) {
      // Partial progress: some trials still running when the experiment "restarts".
      await d.ask(2);
      if (step % 3 !== 2) d.finishAll(x);
      const fresh = await d.peek(3, { state: JSON.parse(JSON.stringify(d.state)) });
      const stateless = await d.peek(3, { state: undefined });
      const again = await d.peek(3);
      expect(fresh).toEqual(again);
      expect(stateless.suggestions).toEqual(again.suggestions);
      expect(stateless.state).toEqual(again.state);
    }
    expect(d.trials.length).toBeGreaterThan(20);
  });

  it('records the schedule in the state: who sat where, who was promoted', async () => {
    const d = driver();
    await d.ask(9);
    d.finishAll(x);
    await d.ask(1);
    // The answer that proposed trial-9 could not know its name; the next one records it.
    await d.ask(1);
    const state = d.state as {
      rungs: { bracket: number; rung: number; trials: (string | null)[]; promoted?: string[] }[];
      current: { bracket: number; rung: number; params: unknown[] };
    };
    const best = [...d.trials.slice(0, 9)].sort((a, b) => x(a) - x(b)).slice(0, 3);
    expect(state.rungs[0]).toMatchObject({
      bracket: 2,
      rung: 0,
      trials: d.trials.slice(0, 9).map((t) => t.name),
      promoted: best.map((t) => t.name),
    });
    expect(state.rungs[1]).toMatchObject({ bracket: 2, rung: 1, trials: ['trial-9', null, null] });
    expect(state.current).toMatchObject({ bracket: 2, rung: 1 });
    expect(state.current.params.filter((p) => p !== null)).toHaveLength(2);
  });

  it('re-proposes a Killed trial with the same params, budget, labels and parent', async () => {
    const d = driver();
    await d.ask(9);
    d.finishAll(x);
    const promoted = (await d.ask(3)).suggestions;
    const victim = d.trials[10] as TrialView;
    d.finish(victim.name, 'Killed');
    const again = await d.ask(3);
    expect(again.suggestions).toHaveLength(1);
    expect(again.suggestions[0]).toMatchObject({
      params: victim.params,
      budget: 3,
      labels: promoted[1]?.labels,
      parent: promoted[1]?.parent,
    });
  });

  it('re-proposes the config of a Killed trial that the controller dropped from the history', async () => {
    const d = driver();
    await d.ask(9);
    const dropped = d.trials.splice(4, 1)[0] as TrialView;
    // Random first-rung configs are re-derivable from the seed, so the state is not even needed here.
    const stateless = await d.peek(5, { state: undefined });
    const { suggestions } = await d.ask(5);
    const shown = (list: typeof suggestions) => list.map((s) => [s.params, s.labels, s.budget]);
    expect(shown(stateless.suggestions)).toEqual(shown(suggestions));
    expect(suggestions).toHaveLength(1);
    expect(suggestions[0]).toMatchObject({ params: dropped.params, labels: dropped.labels, budget: 1 });
  });

  it('ignores trials that carry no schedule labels (e.g. from another algorithm)', async () => {
    const foreign = trialOf({ params: { x: 0.5, opt: 'sgd', epochs: 9 } }, 'old-1', 'Succeeded', 0);
    const request = (trials: TrialView[]) => makeRequest({ space, trials, count: 9, settings });
    const alone = await new HyperbandSearch().suggest(request([]));
    const withForeign = await new HyperbandSearch().suggest(request([foreign]));
    expect(withForeign.suggestions).toEqual(alone.suggestions);
  });

  it.each([
    { kind: 'int', r_l: '10', expected: [1, 3, 10] },
    { kind: 'double', r_l: '10', expected: [10 / 9, 10 / 3, 10] },
    { kind: 'discrete', r_l: '9', expected: [1, 3, 9] },
  ] as const)('writes budgets with the type of a $kind resource', async ({ kind, r_l, expected }) => {
    const resource: SearchSpace[number] =
      kind === 'int'
        ? { name: 'epochs', domain: { kind: 'int', min: 1, max: 10, step: 1, scale: 'uniform' } }
        : kind === 'double'
          ? { name: 'epochs', domain: { kind: 'double', min: 1, max: 10, scale: 'uniform' } }
          : { name: 'epochs', domain: { kind: 'discrete', values: [1, 3, 9] } };
    const d = new Driver({
      algorithm: new HyperbandSearch(),
      space: [space[0] as SearchSpace[number], resource],
      settings: { resource_name: 'epochs', r_l },
    });
    await d.runToEnd(x, 4);
    const budgets = [...new Set(d.trials.map((t) => t.params.epochs))];
    expect(budgets).toEqual(expected);
    expect(d.trials.every((t) => t.budget === t.params.epochs)).toBe(true);
  });

  it('without the resource among the parameters, carries the budget on the suggestion only', async () => {
    const plain: SearchSpace = [space[0] as SearchSpace[number]];
    const request = makeRequest({ space: plain, trials: [], count: 2, settings });
    const { suggestions } = await new HyperbandSearch().suggest(request);
    expect(suggestions.map((s) => [Object.keys(s.params), s.budget])).toEqual([
      [['x'], 1],
      [['x'], 1],
    ]);
  });
});
