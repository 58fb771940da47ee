import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import { PbtSearch } from '../../../src/search/pbt/index.ts';
import type { TrialView } from '../../../src/search/types.ts';
import { makeRequest } from '../../../src/testing/askTell.ts';
import { pbtSettings, Sim, space } from './sim.ts';

const loss = (t: TrialView): number =>
  Math.abs(Math.log10(t.params.lr as number) + 2) + (t.params.layers as number) / 10;

/** Each trial's name → its params and parent, which is what the controller acts on. */
function plan(sim: Sim): Record<string, unknown> {
  return Object.fromEntries(sim.trials.map((t) => [t.name, { params: t.params, parent: t.parent ?? null }]));
}

describe('pbt determinism and state', () => {
  it('plans the same trials whatever the batch size (state kept as JSON between requests)', () => {
    const one = new Sim({ settings: pbtSettings() });
    const four = new Sim({ settings: pbtSettings() });
    one.run(30, 1, loss);
    four.run(30, 4, loss);
    expect(plan(four)).toEqual(plan(one));
  });

  it('repeats itself for the same seed and history, and differs for another seed', () => {
    const a = new Sim({ settings: pbtSettings(), seed: 5 });
    const b = new Sim({ settings: pbtSettings(), seed: 5 });
    const c = new Sim({ settings: pbtSettings(), seed: 6 });
    for (const sim of [a, b, c]) sim.run(24, 3, loss);
    expect(b.results).toEqual(a.results);
    expect(plan(c)).not.toEqual(plan(a));
  });

  it('random_state overrides the request seed', () => {
    const a = new Sim({ settings: pbtSettings({ random_state: '11' }), seed: 1 });
    const b = new Sim({ settings: pbtSettings({ random_state: '11' }), seed: 2 });
    for (const sim of [a, b]) sim.run(18, 6, loss);
    expect(plan(b)).toEqual(plan(a));
  });

  it('returns a state that survives JSON and continues exactly where it left off', () => {
    const sim = new Sim({ settings: pbtSettings() });
    sim.run(9, 3, loss);
    for (const r of sim.results) expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
    const pbt = new PbtSearch();
    const request = (state: unknown) =>
      makeRequest({ space, trials: sim.trials, count: 3, settings: pbtSettings(), state });
    const state = sim.results.at(-1)?.state;
    expect(pbt.suggest(request(JSON.parse(JSON.stringify(state))))).toEqual(pbt.suggest(request(state)));
  });

  it('does not mutate the state it is given', () => {
    const sim = new Sim({ settings: pbtSettings() });
    sim.run(6, 6, loss);
    const state = structuredClone(sim.results.at(-1)?.state);
    const copy = structuredClone(state);
    new PbtSearch().suggest({
      ...makeRequest({ space, trials: sim.trials, count: 6, settings: pbtSettings() }),
      state,
    });
    expect(state).toEqual(copy);
  });

  it('proposes a member again when its trial was never created (host stopped between answer and insert)', () => {
    const pbt = new PbtSearch();
    const first = pbt.suggest(makeRequest({ space, trials: [], count: 2, settings: pbtSettings() }));
    const again = pbt.suggest(
      makeRequest({ space, trials: [], count: 2, settings: pbtSettings(), state: first.state }),
    );
    expect(again.suggestions).toEqual(first.suggestions);
  });

  it('rejects a state it did not write, or one for another population', () => {
    const pbt = new PbtSearch();
    const ask = (state: unknown, settings = pbtSettings()) =>
      pbt.suggest(makeRequest({ space, trials: [], count: 1, settings, state }));
    for (const bad of [{}, { version: 2 }, 'x', [1]]) expect(() => ask(bad)).toThrow(WorkbenchError);
    const state = ask(undefined).state;
    expect(() => ask(state, pbtSettings({ n_population: '7' }))).toThrow(/population of 6 but n_population is 7/);
  });

  it('skips names a history already holds (a state lost on resume)', () => {
    const taken: TrialView = { name: 'conformance-g0-0', params: {}, state: 'Succeeded', objective: 1 };
    const result = new PbtSearch().suggest(makeRequest({ space, trials: [taken], count: 2, settings: pbtSettings() }));
    expect(result.suggestions.map((s) => s.name)).toEqual(['conformance-g0-0-r1', 'conformance-g0-1']);
  });
});
