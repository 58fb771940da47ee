import { describe, expect, it } from 'vitest';
import type { Assignment, SearchSpace } from '../search/space.ts';
import type {
  ObjectiveSpec,
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestResult,
  TrialView,
} from '../search/types.ts';
import { makeRequest, makeTrial } from './askTell.ts';
import { mixedObjective } from './benchmarks.ts';
import { expectCount, expectValid } from './expectations.ts';

/** Two objectives of the suite's mixed space: its usual one (minimised) and a second, conflicting one (maximised). */
const twoObjectives: readonly ObjectiveSpec[] = [
  { type: 'minimize', metricName: 'objective' },
  { type: 'maximize', metricName: 'second' },
];

function bothValues(params: Assignment): number[] {
  const first = mixedObjective(params);
  return [first, -first + 0.1 * Object.keys(params).length];
}

/** The block run for algorithms declaring `capabilities.multiObjective`: requests with two objectives. */
export function describeSeveralObjectives(
  factory: () => SearchAlgorithm,
  options: { readonly space: SearchSpace; readonly settings: Settings; readonly timed: { timeout?: number } },
): void {
  const { space, settings, timed } = options;
  describe('several objectives (capabilities.multiObjective)', () => {
    const request = (trials: readonly TrialView[], count: number, seed = 1, state?: unknown) =>
      makeRequest({
        space,
        trials,
        count,
        seed,
        settings,
        objectives: twoObjectives,
        ...(state === undefined ? {} : { state }),
      });

    /** An ask/tell loop recording both values on every trial, as the controller does for several objectives. */
    async function run(total: number, batch: number): Promise<{ trials: TrialView[]; results: SuggestResult[] }> {
      const algorithm = factory();
      const trials: TrialView[] = [];
      const results: SuggestResult[] = [];
      let state: unknown;
      while (trials.length < total) {
        const result = await algorithm.suggest(request(trials, Math.min(batch, total - trials.length), 1, state));
        results.push(result);
        state = result.state === undefined ? undefined : structuredClone(result.state);
        if (result.suggestions.length === 0) break;
        for (const s of result.suggestions) {
          const values = bothValues(s.params);
          trials.push({ ...makeTrial(trials.length, s.params, 'Succeeded', values[0], values), ...named(s) });
        }
      }
      return { trials, results };
    }

    it('proposes valid values, exactly count of them, with two objectives', timed, async () => {
      const { trials, results } = await run(12, 3);
      for (const result of results) expectValid(space, result);
      for (const count of [1, 4]) expectCount(await factory().suggest(request(trials, count)), count);
    });

    it('gives the same suggestions for the same seed and history, with two objectives', timed, async () => {
      const { trials } = await run(8, 2);
      for (const history of [[], trials]) {
        const a = await factory().suggest(request(history, 3, 7));
        expect(await factory().suggest(request(history, 3, 7))).toEqual(a);
      }
    });
  });
}

/** The name, budget, parent and labels an algorithm gave a suggestion, kept on its trial (as the controller does). */
function named(s: Suggestion): Partial<TrialView> {
  return {
    ...(s.name === undefined ? {} : { name: s.name }),
    ...(s.budget === undefined ? {} : { budget: s.budget }),
    ...(s.parent === undefined ? {} : { parent: s.parent }),
    ...(s.labels === undefined ? {} : { labels: s.labels }),
  };
}
