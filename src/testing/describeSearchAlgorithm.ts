import { describe, expect, it } from 'vitest';
import { sampleAssignment } from '../search/assignment.ts';
import { Rng } from '../search/rng.ts';
import type { SearchSpace } from '../search/space.ts';
import type { SearchAlgorithm, Settings, TrialState, TrialView, ValidationContext } from '../search/types.ts';
import { makeRequest, makeTrial, runAskTell } from './askTell.ts';
import { mixedObjective, mixedSpace } from './benchmarks.ts';
import { describeConstraints } from './constraints.ts';
import { expectCount, expectValid } from './expectations.ts';
import { compareWithRandom, type ImprovementOptions } from './improvement.ts';
import { expectExactResume } from './resume.ts';
import { describeSeveralObjectives } from './severalObjectives.ts';

/** Options of {@link describeSearchAlgorithm}. */
export interface SearchAlgorithmSuiteOptions {
  /** Settings sent with every request and checked by `validate` (default none). */
  readonly settings?: Settings;
  /** The mixed space the suite uses; replace it when the algorithm needs e.g. steps on doubles (grid). */
  readonly space?: SearchSpace;
  /** For algorithms that optimise nothing (random, grid, sobol): random search itself is the baseline. */
  readonly skipImprovementCheck?: boolean;
  /** For algorithms whose output deliberately does not depend on `req.seed` (grid in its default order). */
  readonly ignoresSeed?: boolean;
  /** Tuning of the "improves on random search" check. */
  readonly improvement?: Omit<ImprovementOptions, 'settings'>;
  /** Per-test timeout in milliseconds (default: vitest's). */
  readonly timeout?: number;
}

/** Valid trials of `space` in every state the controller can send, drawn from a fixed stream. */
function historyWithEveryState(space: SearchSpace): TrialView[] {
  const rng = new Rng(99);
  const states: TrialState[] = ['Succeeded', 'Failed', 'Running', 'Succeeded', 'Pending', 'Killed'];
  const trials = states.map((state, n) => {
    const params = sampleAssignment(space, rng);
    return makeTrial(n, params, state, state === 'Succeeded' ? n + 1 : undefined);
  });
  const stopped = sampleAssignment(space, rng);
  trials.push({
    ...makeTrial(trials.length, stopped, 'EarlyStopped', 4),
    intermediate: [
      { step: 1, value: 9 },
      { step: 2, value: 4 },
    ],
  });
  trials.push(makeTrial(trials.length, sampleAssignment(space, rng), 'MetricsUnavailable'));
  return trials;
}

/**
 * The conformance suite every search algorithm (built-in or third-party) must pass: valid values on a mixed space,
 * exact counts, reproducibility per seed, sensitivity to the seed, tolerance of unfinished and failed trials,
 * plain-data results, an exact resume from the stored state, two objectives when the algorithm declares
 * `capabilities.multiObjective`, feasible suggestions only when it declares `capabilities.constraints`, and (unless skipped) a better mean regret than random search on Branin.
 * Call it at the top level of a vitest file: `describeSearchAlgorithm('tpe', () => new TpeSearch())`.
 */
export function describeSearchAlgorithm(
  name: string,
  factory: () => SearchAlgorithm,
  options: SearchAlgorithmSuiteOptions = {},
): void {
  const space = options.space ?? mixedSpace;
  const settings = options.settings ?? {};
  const request = (trials: readonly TrialView[], count: number, seed = 1) =>
    makeRequest({ space, trials, count, seed, settings });
  const run = (trials: number, batch: number, seed = 1) =>
    runAskTell({ algorithm: factory(), space, evaluate: mixedObjective, trials, batch, seed, settings });
  const timed = options.timeout === undefined ? {} : { timeout: options.timeout };

  describe(`search algorithm ${name} (conformance)`, () => {
    it('validate() accepts empty settings and the suite settings on an ordinary space', () => {
      const ctx: ValidationContext = {
        space,
        objective: { type: 'minimize', metricName: 'objective' },
        maxTrialCount: 12,
        parallelTrialCount: 3,
      };
      expect(factory().validate({}, ctx)).toEqual([]);
      expect(factory().validate(settings, ctx)).toEqual([]);
    });

    it('proposes every parameter inside its bounds, on its step and in its list', timed, async () => {
      for (const batch of [1, 4]) {
        const { results, trials } = await run(24, batch);
        expect(trials.length).toBe(24);
        for (const result of results) expectValid(space, result);
      }
    });

    it('returns exactly count suggestions (fewer only when exhausted)', timed, async () => {
      const { trials } = await run(5, 5);
      for (const count of [1, 2, 7]) {
        expectCount(await factory().suggest(request([], count)), count);
        expectCount(await factory().suggest(request(trials, count)), count);
      }
    });

    it('gives the same suggestions for the same seed and history', timed, async () => {
      const { trials } = await run(6, 2);
      for (const history of [[], trials]) {
        const first = factory();
        const a = await first.suggest(request(history, 3, 7));
        const b = await factory().suggest(request(history, 3, 7));
        const again = await first.suggest(request(history, 3, 7));
        expect(b).toEqual(a);
        expect(again).toEqual(a);
      }
    });

    if (options.ignoresSeed !== true) {
      it('gives different suggestions for another seed', timed, async () => {
        const { trials } = await run(6, 2);
        for (const history of [[], trials]) {
          const a = await factory().suggest(request(history, 4, 1));
          const b = await factory().suggest(request(history, 4, 2));
          expect(b.suggestions).not.toEqual(a.suggestions);
        }
      });
    }

    it('handles Failed, Running, Pending, Killed, EarlyStopped and MetricsUnavailable trials', timed, async () => {
      const history = historyWithEveryState(space);
      const result = await factory().suggest(request(history, 3));
      expectCount(result, 3);
      expectValid(space, result);
      // Only failed or unfinished trials: nothing to learn from yet, and still a full answer.
      const unfinished = history.filter((t) => t.state !== 'Succeeded' && t.state !== 'EarlyStopped');
      const cold = await factory().suggest(request(unfinished, 2));
      expectCount(cold, 2);
      expectValid(space, cold);
    });

    it('returns plain data: suggestions survive structuredClone, state survives JSON', timed, async () => {
      const { results } = await run(8, 2);
      for (const result of results) {
        expect(structuredClone(result)).toEqual(result);
        if (result.state !== undefined) expect(JSON.parse(JSON.stringify(result.state))).toEqual(result.state);
      }
    });

    it('works on one-parameter spaces', timed, async () => {
      const tiny: SearchSpace[] = [
        [{ name: 'c', domain: { kind: 'categorical', values: ['a', 'b', 'c'] } }],
        [{ name: 'n', domain: { kind: 'int', min: 1, max: 4, step: 1, scale: 'uniform' } }],
      ];
      for (const one of tiny) {
        const result = await factory().suggest(makeRequest({ space: one, trials: [], count: 2, settings }));
        expectCount(result, 2);
        expectValid(one, result);
      }
    });

    it('resumes exactly from its stored state and the history (state round-trip)', timed, async () => {
      await expectExactResume(factory, { space, settings });
    });

    if (factory().capabilities?.multiObjective === true) describeSeveralObjectives(factory, { space, settings, timed });

    if (factory().capabilities?.constraints === true) describeConstraints(factory, { space, settings, timed });

    if (options.skipImprovementCheck !== true) {
      it('improves on random search (Branin, minimize and maximize)', timed, async () => {
        const report = await compareWithRandom(factory, { ...options.improvement, settings });
        expect(report.algorithm, `mean regret ${report.algorithm} vs random ${report.random}`).toBeLessThan(
          report.random,
        );
      });
    }
  });
}
