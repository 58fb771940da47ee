import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../src/common/errors.ts';
import { assignmentKey } from '../../../src/search/assignment.ts';
import { contains } from '../../../src/search/distributions.ts';
import { BayesianOptimization, createBayesianOptimization } from '../../../src/search/gp/index.ts';
import { SobolSearch } from '../../../src/search/sobol.ts';
import type { Assignment, SearchSpace } from '../../../src/search/space.ts';
import type { TrialView, ValidationContext } from '../../../src/search/types.ts';
import { makeRequest, makeTrial, runAskTell } from '../../../src/testing/askTell.ts';
import { branin, mixedObjective, mixedSpace } from '../../../src/testing/benchmarks.ts';
import { describeSearchAlgorithm } from '../../../src/testing/describeSearchAlgorithm.ts';

describeSearchAlgorithm('bayesianoptimization', createBayesianOptimization);

const ctx: ValidationContext = {
  space: mixedSpace,
  objective: { type: 'minimize', metricName: 'loss' },
  parallelTrialCount: 2,
};
const algorithm = 'bayesianoptimization';

/** `n` trials of `space` evaluated by `f`, from a fixed random-search run. */
async function history(space: SearchSpace, f: (p: Assignment) => number, n: number): Promise<TrialView[]> {
  const run = await runAskTell({ algorithm: new SobolSearch(), space, evaluate: f, trials: n, seed: 11 });
  return [...run.trials];
}

describe('bayesianoptimization settings', () => {
  const bo = new BayesianOptimization();

  it.each([
    [{}, []],
    [{ base_estimator: 'GP', n_initial_points: '0', acq_func: 'EI', acq_optimizer: 'lbfgs', random_state: '3' }, []],
    [{ acq_func: 'LCB', acq_optimizer: 'sampling' }, []],
    [{ base_estimator: 'RF' }, ['base_estimator RF is not implemented: only the Gaussian-process surrogate (GP) is']],
    [
      { base_estimator: 'SVM' },
      [`setting base_estimator of algorithm ${algorithm} must be one of GP, RF, ET, GBRT, got "SVM"`],
    ],
    [
      { n_initial_points: '-1' },
      [`setting n_initial_points of algorithm ${algorithm} must be an integer >= 0, got "-1"`],
    ],
    [
      { n_initial_points: '2.5' },
      [`setting n_initial_points of algorithm ${algorithm} must be an integer >= 0, got "2.5"`],
    ],
    [
      { acq_func: 'PIps' },
      ["acq_func PIps is not implemented: it needs each trial's duration, which the algorithm is not given"],
    ],
    [
      { acq_func: 'ei' },
      [`setting acq_func of algorithm ${algorithm} must be one of gp_hedge, LCB, EI, PI, EIps, PIps, got "ei"`],
    ],
    [
      { acq_optimizer: 'adam' },
      [`setting acq_optimizer of algorithm ${algorithm} must be one of auto, sampling, lbfgs, got "adam"`],
    ],
    [{ random_state: '-2' }, [`setting random_state of algorithm ${algorithm} must be an integer >= 0, got "-2"`]],
    [{ kappa: '2' }, [`unknown setting kappa for algorithm ${algorithm}`]],
  ])('validate(%o) → %o', (settings, messages) => {
    expect(bo.validate(settings, ctx).map((i) => i.message)).toEqual(messages);
  });

  it('points each issue at the offending entry of algorithmSettings', () => {
    const issues = bo.validate({ acq_func: 'EI', base_estimator: 'GBRT', xi: '0.1' }, ctx);
    expect(issues.map((i) => i.path).sort()).toEqual([
      'spec.algorithm.algorithmSettings[1].value',
      'spec.algorithm.algorithmSettings[2].name',
    ]);
    expect(issues.find((i) => i.path.endsWith('[1].value'))?.fix).toMatch(/set it to GP/);
  });

  it('suggest() refuses invalid settings with every issue attached', () => {
    const request = makeRequest({ space: mixedSpace, trials: [], count: 1, settings: { base_estimator: 'ET' } });
    expect(() => bo.suggest(request)).toThrow(WorkbenchError);
    try {
      bo.suggest(request);
    } catch (e) {
      expect((e as WorkbenchError).issues).toHaveLength(1);
    }
  });
});

describe('bayesianoptimization proposals', () => {
  it('starts with the scrambled Sobol design of `sobol`, then switches to the model', async () => {
    const run = await runAskTell({
      algorithm: new BayesianOptimization(),
      space: branin.space,
      evaluate: branin.f,
      trials: 12,
    });
    const sobol = await runAskTell({
      algorithm: new SobolSearch(),
      space: branin.space,
      evaluate: branin.f,
      trials: 10,
    });
    expect(run.trials.slice(0, 10).map((t) => t.params)).toEqual(sobol.trials.map((t) => t.params));
    const phases = run.results.map((r) => r.suggestions[0]!.explain?.phase);
    expect(phases).toEqual([...Array(10).fill('startup'), 'model', 'model']);
    const explain = run.results[11]!.suggestions[0]!.explain!;
    expect(explain).toMatchObject({ observations: 11, liar: 0, fit: expect.stringMatching(/full|warm/) });
    expect(['EI', 'LCB']).toContain(explain.acquisition);
    expect(explain.hedgeProbabilities).toHaveLength(2);
    expect(explain.stalled).toBeUndefined();
  });

  it('proposes the same points for the same seed, and other points for another random_state', async () => {
    const run = (settings: Record<string, string>) =>
      runAskTell({
        algorithm: new BayesianOptimization(),
        space: branin.space,
        evaluate: branin.f,
        trials: 16,
        settings,
      });
    const a = await run({ random_state: '3' });
    const b = await run({ random_state: '3' });
    const c = await run({ random_state: '4' });
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    expect(b.results.map((r) => r.suggestions[0]!.explain)).toEqual(a.results.map((r) => r.suggestions[0]!.explain));
    expect(c.trials.slice(10).map((t) => t.params)).not.toEqual(a.trials.slice(10).map((t) => t.params));
  });

  it('honours n_initial_points, and keeps to the design while fewer than two trials have a result', () => {
    const bo = new BayesianOptimization();
    const space = branin.space;
    const settings = { n_initial_points: '2' };
    const failed = [0, 1, 2].map((n) => makeTrial(n, { x1: n, x2: n }, 'Failed'));
    const cold = bo.suggest(makeRequest({ space, trials: failed, count: 1, settings }));
    expect(cold.suggestions[0]!.explain?.phase).toBe('startup');
    const done = [makeTrial(3, { x1: 1, x2: 2 }, 'Succeeded', 20), makeTrial(4, { x1: 5, x2: 9 }, 'Succeeded', 40)];
    const warm = bo.suggest(makeRequest({ space, trials: [...failed, ...done], count: 1, settings }));
    expect(warm.suggestions[0]!.explain?.phase).toBe('model');
  });

  it('a batch of 4 holds distinct points, none already tried, each one more fantasy', async () => {
    const trials = await history(mixedSpace, mixedObjective, 14);
    trials.push(makeTrial(14, trials[3]!.params, 'Running'));
    const result = new BayesianOptimization().suggest(makeRequest({ space: mixedSpace, trials, count: 4, seed: 5 }));
    const keys = result.suggestions.map((s) => assignmentKey(mixedSpace, s.params));
    expect(new Set(keys).size).toBe(4);
    const seen = new Set(trials.map((t) => assignmentKey(mixedSpace, t.params)));
    for (const k of keys) expect(seen.has(k)).toBe(false);
    expect(result.suggestions.map((s) => s.explain?.liar)).toEqual([1, 2, 3, 4]);
    // With fantasies pending, EI and PI are averaged over draws of their outcomes (greedy q-EI), except for the
    // exploring proposal (trial 16: one in every parallelTrialCount), which ranks on the believer under a cap,
    // and the refining one after it (trial 17), which minimises the posterior mean (the believers leave it as is).
    expect(result.suggestions.map((s) => s.explain?.region)).toEqual(['local', 'global', 'local', 'local']);
    expect(result.suggestions.map((s) => s.explain?.fantasyDraws)).toEqual([32, undefined, undefined, 32]);
    expect(result.suggestions.map((s) => s.explain?.acquisition === 'mean')).toEqual([false, false, true, false]);
    for (const s of result.suggestions) {
      for (const p of mixedSpace) expect(contains(p.domain, s.params[p.name]!)).toBe(true);
    }
  });

  it('moves away from a point that is already running instead of proposing it again', async () => {
    const trials = await history(branin.space, branin.f, 15);
    const bo = new BayesianOptimization();
    const alone = bo.suggest(makeRequest({ space: branin.space, trials, count: 1, settings: { acq_func: 'EI' } }));
    const first = alone.suggestions[0]!.params;
    const running = [...trials, makeTrial(15, first, 'Running')];
    const next = bo.suggest(
      makeRequest({ space: branin.space, trials: running, count: 1, settings: { acq_func: 'EI' } }),
    );
    const second = next.suggestions[0]!.params;
    const distance = Math.hypot(
      ((second.x1 as number) - (first.x1 as number)) / 15,
      ((second.x2 as number) - (first.x2 as number)) / 15,
    );
    expect(distance).toBeGreaterThan(1e-3);
  });

  it('treats maximize as the mirror image of minimize', async () => {
    const space = branin.space;
    const base = { algorithm: new BayesianOptimization(), space, trials: 14, seed: 4 };
    const min = await runAskTell({ ...base, evaluate: branin.f });
    const max = await runAskTell({
      ...base,
      algorithm: new BayesianOptimization(),
      evaluate: (p) => -branin.f(p),
      type: 'maximize',
    });
    expect(max.trials.map((t) => t.params)).toEqual(min.trials.map((t) => t.params));
  });

  it('snaps every kind of parameter to a valid value and never repeats in a small finite space', async () => {
    const space: SearchSpace = [
      { name: 'n', domain: { kind: 'int', min: 1, max: 4, step: 1, scale: 'uniform' } },
      { name: 'c', domain: { kind: 'categorical', values: ['a', 'b', 'c'] } },
      { name: 'd', domain: { kind: 'discrete', values: [0.5, 0.1] } },
    ];
    const f = (p: Assignment) => ((p.n as number) - 3) ** 2 + (p.c === 'b' ? 0 : 1) + (p.d as number);
    const run = await runAskTell({ algorithm: new BayesianOptimization(), space, evaluate: f, trials: 24, batch: 3 });
    expect(new Set(run.trials.map((t) => assignmentKey(space, t.params))).size).toBe(24); // all 24 combinations
    const more = new BayesianOptimization().suggest(makeRequest({ space, trials: run.trials, count: 2 }));
    expect(more.suggestions).toHaveLength(2); // a used-up space may repeat rather than come back short
  });

  it('state survives JSON, and a lost or malformed state only costs a refit', async () => {
    const run = await runAskTell({
      algorithm: new BayesianOptimization(),
      space: branin.space,
      evaluate: branin.f,
      trials: 13,
    });
    const state = run.results.at(-1)!.state as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(state).toMatchObject({ version: 1, fittedAt: 12 });
    const bo = new BayesianOptimization();
    for (const bad of [undefined, 'junk', { hyper: { logLength: [1] } }, { hedge: { gains: [Number.NaN] } }]) {
      const r = bo.suggest(makeRequest({ space: branin.space, trials: run.trials, count: 1, state: bad }));
      expect(r.suggestions[0]!.explain).toMatchObject({ phase: 'model', fit: 'full' });
    }
  });

  it("restarts the portfolio's memory of a state written by the former three-member (EI, LCB, PI) portfolio", async () => {
    const run = await runAskTell({
      algorithm: new BayesianOptimization(),
      space: branin.space,
      evaluate: branin.f,
      trials: 13,
    });
    const state = run.results.at(-1)!.state as { hyper: unknown; fittedAt: number; fullFitAt: number };
    const old = { ...state, hedge: { gains: [3, -1, 8], nominations: [[], [], []] } };
    const suggest = (st: unknown) =>
      new BayesianOptimization().suggest(makeRequest({ space: branin.space, trials: run.trials, count: 1, state: st }));
    const { hedge: _, ...withoutHedge } = old;
    // The stored hyperparameters still warm-start the fit; the gains start again from zero.
    expect(suggest(old)).toEqual(suggest(withoutHedge));
    expect(suggest(old).suggestions[0]!.explain?.hedgeProbabilities).toEqual([0.5, 0.5]);
  });

  it.each([{ acq_func: 'EI' }, { acq_func: 'LCB' }, { acq_func: 'PI', acq_optimizer: 'sampling' }])(
    'runs with %o and reports that acquisition',
    async (settings) => {
      const run = await runAskTell({
        algorithm: new BayesianOptimization(),
        space: branin.space,
        evaluate: branin.f,
        trials: 13,
        settings,
      });
      expect(run.results.at(-1)!.suggestions[0]!.explain?.acquisition).toBe(settings.acq_func);
      expect(run.results.at(-1)!.suggestions[0]!.explain?.hedgeProbabilities).toBeUndefined();
    },
  );

  it('gets within 0.05 of the Branin minimum in 40 trials (median of 3 seeds)', async () => {
    const regrets: number[] = [];
    for (const seed of [1, 2, 3]) {
      const run = await runAskTell({
        algorithm: new BayesianOptimization(),
        space: branin.space,
        evaluate: branin.f,
        trials: 40,
        seed,
      });
      regrets.push(run.best! - branin.minimum);
    }
    regrets.sort((a, b) => a - b);
    expect(regrets[1]).toBeLessThan(0.05);
  });
});
