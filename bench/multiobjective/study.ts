/**
 * Our side of the multi-objective benchmark: one ask/tell study of a built-in algorithm on a problem, every
 * objective minimised, recording each trial's objective vector so hypervolumes can be read at any trial count.
 */
import { hypervolume } from '../../src/search/multiobjective/hypervolume.ts';
import type { ObjectiveSpec, SearchAlgorithm, Settings, TrialView } from '../../src/search/types.ts';
import { makeRequest, makeTrial } from '../../src/testing/askTell.ts';
import type { MultiObjectiveProblem } from './problems.ts';

/** How one study runs. */
export interface StudyOptions {
  readonly algorithm: () => SearchAlgorithm;
  readonly problem: MultiObjectiveProblem;
  readonly trials: number;
  readonly seed: number;
  readonly settings?: Settings;
  /** Suggestions per request (default 1, sequential). */
  readonly batch?: number;
}

/** Runs one study; returns every trial's objective vector in creation order. */
export async function runStudy(o: StudyOptions): Promise<number[][]> {
  const objectives: ObjectiveSpec[] = Array.from({ length: o.problem.objectives }, (_, k) => ({
    type: 'minimize',
    metricName: `f${k + 1}`,
  }));
  const algorithm = o.algorithm();
  const trials: TrialView[] = [];
  const values: number[][] = [];
  let state: unknown;
  while (trials.length < o.trials) {
    const count = Math.min(o.batch ?? 1, o.trials - trials.length);
    const request = makeRequest({
      space: o.problem.space,
      trials,
      count,
      seed: o.seed,
      settings: o.settings ?? {},
      objectives,
      ...(state === undefined ? {} : { state }),
    });
    const result = await algorithm.suggest(request);
    state = result.state;
    if (result.suggestions.length === 0) break;
    for (const s of result.suggestions) {
      const v = o.problem.evaluate(s.params);
      values.push(v);
      trials.push(makeTrial(trials.length, s.params, 'Succeeded', v[0], v));
    }
  }
  return values;
}

/** The hypervolume of the first `count` trials' objective vectors against the problem's reference point. */
export function hypervolumeAt(values: readonly (readonly number[])[], count: number, p: MultiObjectiveProblem): number {
  return hypervolume(values.slice(0, count), p.reference);
}
