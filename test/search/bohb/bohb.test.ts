import { describe, expect, it } from 'vitest';
import { BohbSearch } from '../../../src/search/bohb/bohb.ts';
import { HyperbandSearch } from '../../../src/search/hyperband/hyperband.ts';
import type { SearchAlgorithm } from '../../../src/search/index.ts';
import type { SearchSpace } from '../../../src/search/space.ts';
import type { TrialView } from '../../../src/search/types.ts';
import { describeSearchAlgorithm } from '../../../src/testing/describeSearchAlgorithm.ts';
import { Driver, place } from '../hyperband/driver.ts';
import { braninMf, finalRegret, runMultiFidelity } from '../hyperband/multifidelity.ts';

const suite = { resource_name: 'units', r_l: '512', r_min: '8', eta: '2' };
// As for Hyperband (see ../hyperband/conformance.test.ts): a preset stands in for the required r_l and
// resource_name so that validate({}) passes. The improvement check is skipped because its objective ignores the
// budget, so BOHB spends its first trials on the cheapest budget that says nothing about the real objective;
// the multi-fidelity quality test below is the one that applies.
describeSearchAlgorithm('bohb', () => new BohbSearch({ defaults: suite }), {
  settings: suite,
  skipImprovementCheck: true,
});

const space: SearchSpace = [
  { name: 'x', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
  { name: 'opt', domain: { kind: 'categorical', values: ['sgd', 'adam', 'rmsprop'] } },
  { name: 'epochs', domain: { kind: 'int', min: 1, max: 27, step: 1, scale: 'uniform' } },
];
// R = 27, η = 3: the first bracket starts 27 configs at budget 1; the model needs 2·(d+1) = 6 of them.
const settings = { resource_name: 'epochs', r_l: '27', eta: '3' };
const loss = (t: TrialView) => ((t.params.x as number) - 0.8) ** 2 + (t.params.opt === 'adam' ? 0 : 0.5);

function driver(extra: Record<string, string> = {}): Driver {
  return new Driver({ algorithm: new BohbSearch(), space, settings: { ...settings, ...extra } });
}

async function explained(d: Driver, trials: number): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let k = 0; k < trials; k++) {
    const { suggestions } = await d.ask(1);
    d.finishAll(loss);
    out.push(...suggestions.map((s) => s.explain ?? {}));
  }
  return out;
}

describe('bohb', () => {
  it('samples at random until a budget has enough observations, then mostly from the model', async () => {
    const explain = await explained(driver(), 27);
    expect(explain.slice(0, 6).every((e) => e.sampler === 'random' && e.reason === 'no model yet')).toBe(true);
    const later = explain.slice(6);
    const fromModel = later.filter((e) => e.sampler === 'kde');
    expect(fromModel.length).toBeGreaterThan(later.length / 2);
    expect(fromModel.every((e) => e.modelBudget === 1)).toBe(true);
    expect(later.filter((e) => e.reason === 'random_fraction').length).toBeGreaterThan(0);
  });

  it('proposes better first-rung configurations than random sampling', async () => {
    const meanLoss = async (extra: Record<string, string>) => {
      let total = 0;
      for (const seed of [1, 2, 3]) {
        const d = new Driver({ algorithm: new BohbSearch(), space, seed, settings: { ...settings, ...extra } });
        await explained(d, 27);
        total += d.trials.slice(6).reduce((a, t) => a + loss(t), 0) / 21;
      }
      return total / 3;
    };
    const model = await meanLoss({});
    const random = await meanLoss({ random_fraction: '1' });
    expect(model, `model ${model} vs random ${random}`).toBeLessThan(0.7 * random);
  });

  it('uses the model of the largest budget that has one', async () => {
    const d = driver({ min_points_in_model: '2' });
    // Run the first bracket (27@1, 9@3, 3@9, 1@27) to its end; the next answer starts the second one (9@3).
    let next = await d.ask(3);
    while (next.suggestions.every((s) => place(s).startsWith('3/'))) {
      d.finishAll(loss);
      next = await d.ask(3);
    }
    expect(next.suggestions.map(place)).toEqual(['2/0', '2/0', '2/0']);
    const fresh = next.suggestions.filter((s) => s.explain?.sampler === 'kde');
    expect(fresh.length).toBeGreaterThan(0);
    // Budget 27 has 1 observation and budget 9 has 3 (2 good leave 1 bad, short of 2); budget 3 has 9.
    expect(fresh.every((s) => s.explain?.modelBudget === 3)).toBe(true);
  });

  it('keeps Hyperband’s promotions: the best ⌊n/η⌋ with the budget raised', async () => {
    const d = driver();
    await d.ask(27);
    d.finishAll(loss);
    const rung = [...d.trials];
    const { suggestions } = await d.ask(27);
    const best = rung.sort((a, b) => loss(a) - loss(b)).slice(0, 9);
    expect(suggestions.map((s) => s.parent)).toEqual(best.map((t) => t.name));
    expect(suggestions.every((s) => s.params.epochs === 3 && place(s) === '3/1')).toBe(true);
  });

  it('resumes exactly from its state, and re-proposes the config of a Killed trial the history lost', async () => {
    const d = driver();
    await explained(d, 12);
    const batch = await d.ask(3);
    const again = await d.peek(2, { state: JSON.parse(JSON.stringify(d.state)) });
    expect(again).toEqual(await d.peek(2));
    // The controller drops Killed trials from the history; the model has moved on since that config was drawn,
    // so only the state can bring it back.
    const k = batch.suggestions.findIndex((s) => s.explain?.sampler === 'kde');
    expect(k).toBeGreaterThanOrEqual(0);
    const dropped = d.trials.splice(12 + k, 1)[0] as TrialView;
    // The other two finish with the best results yet, so the model now looks elsewhere.
    d.finishAll(() => -10);
    const stateless = await d.peek(1, { state: undefined });
    expect(stateless.suggestions[0]?.params).not.toEqual(dropped.params);
    const { suggestions } = await d.ask(1);
    expect(suggestions[0]?.params).toEqual(dropped.params);
    expect(suggestions[0]?.labels).toEqual(dropped.labels);
  });

  it('beats Hyperband’s random sampling on branin_mf at equal total budget (mean over 5 seeds)', async () => {
    // One Hyperband loop of R = 81, η = 3 costs 1902 budget units; both get exactly that and are scored, as
    // /work/shared/bench/multifidelity.py says, by the full-fidelity regret of their best budget-81 trial.
    const meanRegret = async (make: () => SearchAlgorithm) => {
      let total = 0;
      for (const seed of [1, 2, 3, 4, 5]) {
        const run = await runMultiFidelity({
          algorithm: make(),
          bench: braninMf,
          settings: { resource_name: 'epochs', r_l: '81', eta: '3' },
          seed,
          maxCost: 1902,
        });
        total += finalRegret(braninMf, run);
      }
      return total / 5;
    };
    const bohb = await meanRegret(() => new BohbSearch());
    const hyperband = await meanRegret(() => new HyperbandSearch());
    // Deterministic per seed; at the time of writing 0.033 against 0.082 (with HpBandSter's bandwidths alone: 0.82).
    expect(bohb, `bohb ${bohb} vs hyperband ${hyperband}`).toBeLessThan(hyperband);
  }, 30_000);
});
