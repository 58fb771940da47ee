/**
 * The in-memory ask/tell loop for promotion-based methods (Hyperband, BOHB) and for the full-budget random
 * baseline: one trial at a time (`count` 1), each finishing at once. A trial costs the budget it was given (the
 * resource parameter's value, else the suggestion's `budget`, else 81); a promoted trial is a new trial that pays
 * its whole budget again (no checkpoint is resumed), as Katib's hyperband runs it.
 */
import { errorsOnly, formatIssue } from '../../src/common/issue.ts';
import type { Parameter, SearchSpace } from '../../src/search/space.ts';
import type {
  ObjectiveSpec,
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestRequest,
  TrialView,
} from '../../src/search/types.ts';
import { pointOf, spaceOf } from '../search/functions.ts';
import { type MfFunction, maxBudget } from './functions.ts';
import type { FullEval, RunEnd, RunTrace } from './trace.ts';

/** The resource parameter the promotion-based methods write their budget into (`resource_name`). */
export const budgetParam: Parameter = {
  name: 'budget',
  domain: { kind: 'int', min: 1, max: maxBudget, step: 1, scale: 'uniform' },
};

/** What {@link runSequential} runs. */
export interface SequentialOptions {
  readonly algorithm: SearchAlgorithm;
  readonly fn: MfFunction;
  readonly seed: number;
  /** The total budget a run may spend; a trial that would go past it is not run. */
  readonly cap: number;
  readonly settings: Settings;
  /** Add {@link budgetParam} to the space (Hyperband, BOHB); without it every trial runs at budget 81. */
  readonly withResource: boolean;
}

const objective: ObjectiveSpec = { type: 'minimize', metricName: 'objective' };

/** The space of a run: the function's coordinates, plus the budget parameter when asked for. */
export function mfSpace(fn: MfFunction, withResource: boolean): SearchSpace {
  return withResource ? [...spaceOf(fn), budgetParam] : spaceOf(fn);
}

/** The budget a suggestion is run at (see the module comment). */
export function budgetOf(s: Suggestion): number {
  const v = s.params[budgetParam.name];
  if (typeof v === 'number') return v;
  return s.budget ?? maxBudget;
}

/** Runs one sequential study until the cap, or until the algorithm proposes nothing. Throws when `validate` objects. */
export async function runSequential(o: SequentialOptions): Promise<RunTrace> {
  const space = mfSpace(o.fn, o.withResource);
  const errors = errorsOnly(o.algorithm.validate(o.settings, { space, objective, parallelTrialCount: 1 }));
  if (errors.length > 0) throw new Error(`validate: ${errors.map(formatIssue).join('; ')}`);
  const history: TrialView[] = [];
  const fullEvals: FullEval[] = [];
  const reached: Record<number, number> = {};
  let state: unknown;
  let spent = 0;
  let end: RunEnd = 'budget';
  for (;;) {
    const req: SuggestRequest = {
      experiment: 'bench-mf',
      space,
      objectives: [objective],
      objective,
      // A copy: the next trial is appended while the algorithm might still hold this request.
      trials: [...history],
      count: 1,
      seed: o.seed,
      settings: o.settings,
      parallelTrialCount: 1,
      ...(state === undefined ? {} : { state }),
    };
    const result = await o.algorithm.suggest(req);
    // The store keeps the state as JSON: what comes back next time is a copy, never the algorithm's own object.
    state = result.state === undefined ? undefined : JSON.parse(JSON.stringify(result.state));
    const s = result.suggestions[0];
    // Sequentially nothing is ever running here, so an empty answer can only mean the schedule is over.
    if (s === undefined) {
      end = 'exhausted';
      break;
    }
    const budget = budgetOf(s);
    if (spent + budget > o.cap) break;
    spent += budget;
    const value = o.fn.at(budget, pointOf(o.fn, s.params));
    reached[budget] = (reached[budget] ?? 0) + 1;
    if (budget === maxBudget) fullEvals.push({ spent, value });
    history.push(trialView(`trial-${history.length}`, s, value, budget));
    if (result.exhausted === true) {
      end = 'exhausted';
      break;
    }
  }
  return { seed: o.seed, fullEvals, spent, trials: history.length, end, reached };
}

/** A finished trial as the controller would show it: the suggestion's budget, parent and labels kept. */
function trialView(name: string, s: Suggestion, value: number, budget: number): TrialView {
  return {
    name,
    params: s.params,
    state: 'Succeeded',
    objective: value,
    intermediate: [{ step: 1, value }],
    budget,
    ...(s.parent === undefined ? {} : { parent: s.parent }),
    ...(s.labels === undefined ? {} : { labels: s.labels }),
  };
}
