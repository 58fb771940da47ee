import { describe, expect, it } from 'vitest';
import { runAsha, rungSteps } from '../../bench/multifidelity/asha.ts';
import { evaluateMfTargets, type FunctionResult, speedup } from '../../bench/multifidelity/benchmark.ts';
import { maxBudget, mfFunctions } from '../../bench/multifidelity/functions.ts';
import { makeDataset, train } from '../../bench/multifidelity/logreg.ts';
import { runMedianStopPair } from '../../bench/multifidelity/medianstop.ts';
import { runMethod } from '../../bench/multifidelity/methods.ts';
import { medianStopMarkdown } from '../../bench/multifidelity/report.ts';
import { budgetOf, runSequential } from '../../bench/multifidelity/sequential.ts';
import { stepPoints } from '../../bench/multifidelity/svg.ts';
import {
  budgetToReach,
  curveValueAt,
  logGrid,
  medianRegretCurve,
  type RunTrace,
  regretAt,
} from '../../bench/multifidelity/trace.ts';
import { AshaStopper } from '../../src/search/asha/index.ts';
import { builtinAlgorithms } from '../../src/search/index.ts';
import type {
  EarlyStoppingAlgorithm,
  EarlyStoppingRequest,
  SearchAlgorithm,
  SuggestRequest,
  SuggestResult,
} from '../../src/search/types.ts';

const branin = mfFunctions.branin_mf!;
const trace = (seed: number, evals: [number, number][]): RunTrace => ({
  seed,
  fullEvals: evals.map(([spent, value]) => ({ spent, value })),
  spent: evals.at(-1)?.[0] ?? 0,
  trials: evals.length,
  end: 'budget',
  reached: {},
});

describe('regret curves', () => {
  const a = trace(0, [
    [81, 5],
    [162, 7],
    [243, 2],
  ]);
  const b = trace(1, [
    [100, 4],
    [300, 1],
  ]);
  const c = trace(2, [[200, 3]]);

  it('scores a run by its best full-budget value at or before the budget', () => {
    expect(regretAt(a, 1, 80)).toBe(Number.POSITIVE_INFINITY);
    expect(regretAt(a, 1, 81)).toBe(4);
    expect(regretAt(a, 1, 200)).toBe(4);
    expect(regretAt(a, 1, 243)).toBe(1);
  });

  it('takes the median over runs at every budget where one of them improves', () => {
    expect(medianRegretCurve([a, b, c], 0, 400)).toEqual([
      [81, Number.POSITIVE_INFINITY],
      [100, 5],
      [162, 5],
      [200, 4],
      [243, 3],
      [300, 2],
      [400, 2],
    ]);
  });

  it('finds the first budget at which a curve reaches a target', () => {
    const curve = medianRegretCurve([a, b, c], 0, 400);
    expect(budgetToReach(curve, 4)).toBe(200);
    expect(budgetToReach(curve, 3.5)).toBe(243);
    expect(budgetToReach(curve, 1)).toBeUndefined();
    expect(curveValueAt(curve, 250)).toBe(3);
    expect(curveValueAt(curve, 50)).toBe(Number.POSITIVE_INFINITY);
  });

  it('spaces a log grid from start to end', () => {
    expect(logGrid(1, 1000, 4)).toEqual([1, 10, 100, 1000]);
    expect(logGrid(1, 8100, 60).at(-1)).toBe(8100);
  });

  it('draws step corners through the finite points only', () => {
    expect(
      stepPoints([
        [81, Number.POSITIVE_INFINITY],
        [100, 5],
        [200, 4],
      ]),
    ).toEqual([
      [100, 5],
      [200, 5],
      [200, 4],
    ]);
  });
});

/** Proposes a new config at budget 1, then promotes it to 81 (as a new trial), three times; records what it saw. */
class Promoter implements SearchAlgorithm {
  readonly name = 'promoter';
  readonly seen: SuggestRequest[] = [];
  validate(): [] {
    return [];
  }
  suggest(req: SuggestRequest): SuggestResult {
    this.seen.push(req);
    const last = req.trials.at(-1);
    const state = { asked: this.seen.length };
    if (req.trials.length >= 6) return { suggestions: [], state, exhausted: true };
    if (last?.labels?.stage === 'low') {
      const params = { ...last.params, budget: maxBudget };
      return { suggestions: [{ params, parent: last.name, labels: { stage: 'high' } }], state };
    }
    const params = { x0: req.trials.length, x1: 2, budget: 1 };
    return { suggestions: [{ params, labels: { stage: 'low' } }], state };
  }
}

describe('sequential ask/tell loop', () => {
  it('charges each trial its budget, counts budget-81 trials as full evaluations and keeps labels and parents', async () => {
    const algorithm = new Promoter();
    const run = await runSequential({ algorithm, fn: branin, seed: 1, cap: 1000, settings: {}, withResource: true });
    expect(run.end).toBe('exhausted');
    expect(run.trials).toBe(6);
    expect(run.spent).toBe(3 * 82);
    expect(run.fullEvals.map((e) => e.spent)).toEqual([82, 164, 246]);
    expect(run.fullEvals.map((e) => e.value)).toEqual([0, 2, 4].map((x0) => branin.at(81, [x0, 2])));
    expect(run.reached).toEqual({ 1: 3, 81: 3 });
    const last = algorithm.seen.at(-1)!;
    expect(last.trials[1]).toMatchObject({ parent: 'trial-0', labels: { stage: 'high' }, budget: 81 });
    expect(last.trials[0]!.objective).toBe(branin.at(1, [0, 2]));
    // The state comes back as a JSON copy of what the algorithm returned.
    expect(last.state).toEqual({ asked: algorithm.seen.length - 1 });
    expect(last.space.map((p) => p.name)).toEqual(['x0', 'x1', 'budget']);
  });

  it('does not run a trial that would go past the cap', async () => {
    const run = await runSequential({
      algorithm: new Promoter(),
      fn: branin,
      seed: 1,
      cap: 100,
      settings: {},
      withResource: true,
    });
    expect(run).toMatchObject({ end: 'budget', trials: 3, spent: 83 });
    expect(run.fullEvals).toHaveLength(1);
  });

  it('reads the budget from the resource parameter, then the suggestion, then 81', () => {
    expect(budgetOf({ params: { budget: 9 }, budget: 27 })).toBe(9);
    expect(budgetOf({ params: {}, budget: 27 })).toBe(27);
    expect(budgetOf({ params: {} })).toBe(81);
  });

  it('runs random search at the full budget only', async () => {
    const run = await runMethod({
      method: 'random',
      fn: branin,
      seed: 3,
      cap: 81 * 5 + 40,
      registry: builtinAlgorithms,
    });
    expect(run.trials).toBe(5);
    expect(run.fullEvals.map((e) => e.spent)).toEqual([81, 162, 243, 324, 405]);
  });
});

/** Wraps a stopper, counting the decisions taken while another trial was still running. */
class Watch implements EarlyStoppingAlgorithm {
  readonly name = 'watch';
  calls = 0;
  withOthersRunning = 0;
  constructor(private readonly inner: EarlyStoppingAlgorithm | undefined) {}
  validate(): [] {
    return [];
  }
  rules(req: EarlyStoppingRequest) {
    this.calls++;
    if (req.trials.some((t) => t.name !== req.trial.name && t.state === 'Running')) this.withOthersRunning++;
    return this.inner?.rules(req) ?? [];
  }
}

describe('ASHA simulation', () => {
  const settings = { eta: '3', min_resource: '1', max_resource: '81', random_state: '5' };
  const base = { fn: branin, seed: 5, settings, steps: rungSteps(3, 1) };

  it('puts the reports at the rungs and at 81', () => {
    expect(rungSteps(3, 1)).toEqual([1, 3, 9, 27, 81]);
  });

  it('runs workers in parallel and counts the budget of every worker', async () => {
    // Nothing is stopped: 4 workers each finish a trial at time 81, 162, …: 4·81 budget per round.
    const run = await runAsha({
      ...base,
      search: builtinAlgorithms.asha!(),
      stopper: new Watch(undefined),
      parallel: 4,
      cap: 81 * 8,
    });
    expect(run.fullEvals.map((e) => e.spent)).toEqual([324, 324, 324, 324, 648, 648, 648, 648]);
    expect(run.reached).toEqual({ 81: 8 });
  });

  it('decides at the rungs with the other trials in flight visible, and stops most trials early', async () => {
    const watch = new Watch(new AshaStopper());
    const cap = 81 * 30;
    const run = await runAsha({ ...base, search: builtinAlgorithms.asha!(), stopper: watch, parallel: 4, cap });
    expect(watch.withOthersRunning).toBeGreaterThan(0.9 * watch.calls);
    expect(
      Object.keys(run.reached)
        .map(Number)
        .every((b) => [1, 3, 9, 27, 81].includes(b)),
    ).toBe(true);
    expect(run.reached[1]!).toBeGreaterThan(run.reached[81] ?? 0);
    expect(run.spent).toBeLessThanOrEqual(cap);
    const again = await runAsha({
      ...base,
      search: builtinAlgorithms.asha!(),
      stopper: new AshaStopper(),
      parallel: 4,
      cap,
    });
    expect(again.fullEvals).toEqual(run.fullEvals);
  });

  it('sees no other running trial when it runs one at a time', async () => {
    const watch = new Watch(new AshaStopper());
    await runAsha({ ...base, search: builtinAlgorithms.asha!(), stopper: watch, parallel: 1, cap: 81 * 3 });
    expect(watch.calls).toBeGreaterThan(0);
    expect(watch.withOthersRunning).toBe(0);
  });
});

describe('targets', () => {
  const method = (name: string, budgetToTarget?: number) => ({
    method: name,
    status: 'ok' as const,
    curve: [],
    traces: [],
    ...(budgetToTarget === undefined ? {} : { budgetToTarget }),
  });
  const fr = (bohb: number | undefined, hyperband: number): FunctionResult => ({
    fn: 'f',
    optimum: 0,
    target: 1,
    randomBudget: 1000,
    methods: [
      method('random', 1000),
      method('bohb', bohb),
      method('hyperband', hyperband),
      { ...method('asha'), status: 'not available' },
    ],
  });

  it('divides random’s budget to its own final regret by the method’s', () => {
    expect(speedup(fr(200, 400), 'bohb')).toBe(5);
    expect(speedup(fr(undefined, 400), 'bohb')).toBe(0);
    expect(speedup(fr(200, 400), 'asha')).toBeUndefined();
  });

  it('passes only when every function meets the factor, and is n/a for a method that did not run', () => {
    const byMethod = (results: FunctionResult[]) =>
      Object.fromEntries(evaluateMfTargets(results).map((t) => [t.method, t.status]));
    expect(byMethod([fr(200, 400)])).toEqual({ bohb: 'pass', hyperband: 'pass', asha: 'n/a' });
    expect(byMethod([fr(200, 400), fr(201, 600)])).toEqual({ bohb: 'fail', hyperband: 'fail', asha: 'n/a' });
    expect(byMethod([fr(undefined, 500)])).toMatchObject({ bohb: 'fail', hyperband: 'pass' });
  });
});

describe('learning-curve task', () => {
  const data = makeDataset(0, { train: 200, val: 100, features: 5 });

  it('is deterministic and learns with a sensible learning rate', async () => {
    const curve = async (lr: number) => {
      const out: number[] = [];
      await train(data, { lr, l2: 1e-4, epochs: 5, seed: 0 }, (_e, loss) => {
        out.push(loss);
        return false;
      });
      return out;
    };
    const first = await curve(0.01);
    expect(await curve(0.01)).toEqual(first);
    expect(first.at(-1)!).toBeLessThan(Math.log(2));
    expect((await curve(1e-5)).at(-1)!).toBeGreaterThan(first.at(-1)!);
  });

  it('stops when the epoch callback says so', async () => {
    const epochs = await train(data, { lr: 0.01, l2: 0, epochs: 10, seed: 0 }, (epoch) => epoch === 3);
    expect(epochs).toBe(3);
  });

  it('saves epochs through the real controller with medianstop and reports the pair', async () => {
    const task = {
      seed: 0,
      trials: 10,
      parallel: 2,
      epochs: 6,
      settings: { start_step: '2', min_trials_required: '2' },
    };
    const pair = await runMedianStopPair(task);
    expect(pair.plain).toMatchObject({ epochs: 60, trials: 10, earlyStopped: 0 });
    expect(pair.stopped.trials).toBe(10);
    expect(pair.stopped.earlyStopped).toBeGreaterThan(0);
    expect(pair.stopped.epochs).toBeLessThan(60);
    expect(pair.saving).toBeCloseTo(1 - pair.stopped.epochs / 60, 12);
    const md = medianStopMarkdown({
      options: { ...task, seeds: 1 },
      pairs: [pair],
      medianSaving: pair.saving,
      medianGap: pair.bestGap,
      within: 1,
      status: 'pass',
    });
    expect(md).toContain(`| 0 | 60 | ${pair.stopped.epochs} |`);
    expect(md).toContain('{"start_step":"2","min_trials_required":"2"}');
  }, 30_000);
});
