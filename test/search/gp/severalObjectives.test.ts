import { describe, expect, it } from 'vitest';
import { assignmentKey } from '../../../src/search/assignment.ts';
import { loadParser } from '../../../src/search/expression.ts';
import { BayesianOptimization } from '../../../src/search/gp/index.ts';
import { hypervolume } from '../../../src/search/multiobjective/hypervolume.ts';
import { RandomSearch } from '../../../src/search/random.ts';
import type { Assignment, SearchSpace } from '../../../src/search/space.ts';
import type { ObjectiveSpec, SearchAlgorithm, SuggestResult, TrialView } from '../../../src/search/types.ts';
import { makeRequest, makeTrial } from '../../../src/testing/askTell.ts';

const space: SearchSpace = [
  { name: 'x', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
  { name: 'y', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
];

/** A two-parameter ZDT1: loss f1 = x (minimised) and, reported as a score to maximise, −f2 with f2 = g(1 − √(x/g)). */
function zdt(p: Assignment): [number, number] {
  const x = Number(p.x);
  const g = 1 + 9 * Number(p.y);
  return [x, -(g * (1 - Math.sqrt(x / g)))];
}
const objectives: readonly ObjectiveSpec[] = [
  { type: 'minimize', metricName: 'loss' },
  { type: 'maximize', metricName: 'score' },
];
/** The benchmark's reference point for ZDT, in loss units (score negated). */
const reference = [1.1, 11];

async function run(
  algorithm: SearchAlgorithm,
  total: number,
  seed: number,
  batch = 1,
): Promise<{ trials: TrialView[]; results: SuggestResult[] }> {
  const trials: TrialView[] = [];
  const results: SuggestResult[] = [];
  let state: unknown;
  while (trials.length < total) {
    const request = makeRequest({
      space,
      trials,
      count: batch,
      seed,
      objectives,
      settings: {},
      ...(state ? { state } : {}),
    });
    const result = await algorithm.suggest(request);
    results.push(result);
    state = structuredClone(result.state);
    for (const s of result.suggestions) {
      const v = zdt(s.params);
      trials.push(makeTrial(trials.length, s.params, 'Succeeded', v[0], v));
    }
  }
  return { trials, results };
}

const hv = (trials: readonly TrialView[]) =>
  hypervolume(
    trials.map((t) => [t.values![0]!, -t.values![1]!]),
    reference,
  );

describe('bayesianoptimization with several objectives (EHVI)', () => {
  it('proposes by expected hypervolume improvement after the design, and says so', { timeout: 60_000 }, async () => {
    const { trials, results } = await run(new BayesianOptimization(), 14, 3);
    const explains = results.map((r) => r.suggestions[0]!.explain!);
    expect(explains.slice(0, 10).every((e) => e.phase === 'startup')).toBe(true);
    for (const e of explains.slice(10)) {
      expect(e).toMatchObject({ phase: 'model', acquisition: 'EHVI', liar: 0 });
      expect(e.acquisitionValue as number).toBeGreaterThan(0);
      expect(e.fit).toHaveLength(2);
      expect(e.predictedMeans).toHaveLength(2);
    }
    // The reference point is in the user's units and directions: past the front's worst loss (above it) and its
    // worst score (below it, the score being maximised).
    const last = explains.at(-1)!;
    const seen = trials.slice(0, 13);
    const [refLoss, refScore] = last.referencePoint as number[];
    expect(refLoss).toBeGreaterThan(Math.min(...seen.map((t) => t.values![0]!)));
    expect(refScore).toBeLessThan(Math.max(...seen.map((t) => t.values![1]!)));
    expect(last.paretoFront as number).toBeGreaterThan(0);
    expect((results.at(-1)!.state as { objectives: unknown[] }).objectives).toHaveLength(2);
  });

  it('finds a better front than random search in 30 trials', { timeout: 60_000 }, async () => {
    for (const seed of [1, 2]) {
      const gp = await run(new BayesianOptimization(), 30, seed);
      const random = await run(new RandomSearch(), 30, seed);
      expect(hv(gp.trials)).toBeGreaterThan(hv(random.trials) + 0.3);
    }
  });

  it('gives the same batch for the same seed and history, running trials included', { timeout: 60_000 }, async () => {
    const { trials } = await run(new BayesianOptimization(), 12, 5);
    const history = [...trials, makeTrial(12, { x: 0.5, y: 0.1 }, 'Running')];
    const ask = (seed: number) =>
      new BayesianOptimization().suggest(makeRequest({ space, trials: history, count: 3, seed, objectives }));
    const a = ask(5);
    expect(ask(5)).toEqual(a);
    expect(ask(6).suggestions.map((s) => s.params)).not.toEqual(a.suggestions.map((s) => s.params));
    // The running trial and each earlier member of the batch are believed: no repeats, fantasies counted.
    const keys = new Set(history.map((t) => assignmentKey(space, t.params)));
    a.suggestions.forEach((s, i) => {
      expect(keys.has(assignmentKey(space, s.params))).toBe(false);
      keys.add(assignmentKey(space, s.params));
      expect(s.explain?.liar).toBe(1 + i);
    });
  });

  it('proposes only feasible points under parameter constraints', { timeout: 60_000 }, async () => {
    await loadParser();
    const constraints = [{ expression: 'x + y >= 0.6' }];
    const trials: TrialView[] = [];
    while (trials.length < 16) {
      const request = makeRequest({ space, trials, count: 2, seed: 4, objectives, constraints });
      for (const s of new BayesianOptimization().suggest(request).suggestions) {
        // The unconstrained front lies on y = 0 with small x: the constraint cuts it off.
        expect(Number(s.params.x) + Number(s.params.y)).toBeGreaterThanOrEqual(0.6);
        const v = zdt(s.params);
        trials.push(makeTrial(trials.length, s.params, 'Succeeded', v[0], v));
      }
    }
  });

  it('learns only from trials with a value for every objective', { timeout: 60_000 }, async () => {
    const { trials } = await run(new BayesianOptimization(), 12, 7);
    const damaged = trials.map((t, i) =>
      i === 2 ? { ...t, values: [t.values![0]!] } : i === 3 ? { ...t, state: 'Failed' as const } : t,
    );
    const result = new BayesianOptimization().suggest(
      makeRequest({ space, trials: damaged, count: 1, seed: 7, objectives }),
    );
    expect(result.suggestions[0]!.explain).toMatchObject({ phase: 'model', observations: 10 });
  });
});
