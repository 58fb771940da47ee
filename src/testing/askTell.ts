import type { ParameterConstraint } from '../search/constraints.ts';
import { loadParser } from '../search/expression.ts';
import type { NasSpace } from '../search/nas/space.ts';
import type { Assignment, SearchSpace } from '../search/space.ts';
import type {
  ObjectiveSpec,
  SearchAlgorithm,
  Settings,
  SuggestRequest,
  SuggestResult,
  TrialState,
  TrialView,
} from '../search/types.ts';

/** What {@link runAskTell} needs: the algorithm, the space and a function to evaluate each assignment. */
export interface AskTellOptions {
  readonly algorithm: SearchAlgorithm;
  readonly space: SearchSpace;
  /** The metric value of an assignment, in the user's units. */
  readonly evaluate: (params: Assignment) => number;
  readonly type?: 'minimize' | 'maximize';
  /** How many trials to run in all (fewer if the algorithm is exhausted). */
  readonly trials: number;
  /** Suggestions per request, like `parallelTrialCount`; default 1. */
  readonly batch?: number;
  readonly seed?: number;
  readonly settings?: Settings;
  /** Trials that exist before the first request (they count towards `trials`). */
  readonly history?: readonly TrialView[];
  /** The state to send with the first request, as stored after an earlier run (resuming it). */
  readonly state?: unknown;
  /** The architecture space of a NAS search (then `space` is usually empty). */
  readonly nas?: NasSpace;
  /** Parameter constraints sent with every request (the loop loads the expression parser first). */
  readonly constraints?: readonly ParameterConstraint[];
}

/** The trials of a finished loop and every result the algorithm returned. */
export interface AskTellRun {
  readonly trials: readonly TrialView[];
  readonly results: readonly SuggestResult[];
  /** The best objective seen (min or max by `type`), undefined when no trial succeeded. */
  readonly best: number | undefined;
  readonly exhausted: boolean;
}

/** Freezes a value and everything inside it, so an algorithm that mutates its request throws (modules are strict). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * A trial as the controller would show it to an algorithm: named `trial-<n>`, objective only when given. `values`
 * are the values of every objective (default `[objective]`); `objective` is the primary one, `values[0]`.
 */
export function makeTrial(
  n: number,
  params: Assignment,
  state: TrialState,
  objective?: number,
  values?: readonly number[],
): TrialView {
  if (objective === undefined) return { name: `trial-${n}`, params, state };
  const all = values ?? [objective];
  return { name: `trial-${n}`, params, state, objective, values: all, intermediate: [{ step: 1, value: objective }] };
}

/** A frozen request for `count` suggestions given `trials`, with the defaults the conformance suite uses. */
export function makeRequest(options: {
  readonly space: SearchSpace;
  readonly trials: readonly TrialView[];
  readonly count: number;
  readonly seed?: number;
  readonly settings?: Settings;
  readonly type?: 'minimize' | 'maximize';
  /** Several objectives (primary first); overrides `type`. Default: one, `objective`, minimised. */
  readonly objectives?: readonly ObjectiveSpec[];
  readonly state?: unknown;
  readonly maxTrialCount?: number;
  /** Defaults to `count` (a request for a whole batch). */
  readonly parallelTrialCount?: number;
  /** The architecture space of a NAS search. */
  readonly nas?: NasSpace;
  /** Parameter constraints (`spec.parameterConstraints`); load the parser (`loadParser()`) before suggesting. */
  readonly constraints?: readonly ParameterConstraint[];
}): SuggestRequest {
  const objectives = options.objectives ?? [{ type: options.type ?? 'minimize', metricName: 'objective' }];
  const base = {
    experiment: 'conformance',
    space: options.space,
    objectives: [...objectives],
    objective: objectives[0] as ObjectiveSpec,
    trials: [...options.trials],
    count: options.count,
    seed: options.seed ?? 1,
    settings: options.settings ?? {},
    parallelTrialCount: options.parallelTrialCount ?? Math.max(1, options.count),
  };
  const withState = options.state === undefined ? base : { ...base, state: options.state };
  const bounded =
    options.maxTrialCount === undefined ? withState : { ...withState, maxTrialCount: options.maxTrialCount };
  const withNas = options.nas === undefined ? bounded : { ...bounded, nas: options.nas };
  const request = options.constraints === undefined ? withNas : { ...withNas, constraints: options.constraints };
  // Clone so freezing never touches the caller's objects, then freeze to catch algorithms that mutate input.
  return deepFreeze(structuredClone(request));
}

/**
 * An in-memory ask/tell loop, standing in for the controller: ask for `batch` suggestions with the full history,
 * evaluate them, record them as Succeeded trials, and pass the returned state (cloned, as the store would) back.
 */
export async function runAskTell(options: AskTellOptions): Promise<AskTellRun> {
  const type = options.type ?? 'minimize';
  const trials: TrialView[] = [...(options.history ?? [])];
  const results: SuggestResult[] = [];
  let state: unknown = options.state;
  let exhausted = false;
  if (options.constraints?.length) await loadParser();
  while (trials.length < options.trials && !exhausted) {
    const count = Math.min(options.batch ?? 1, options.trials - trials.length);
    const request = makeRequest({ space: options.space, trials, count, type, state, ...pick(options) });
    const result = await options.algorithm.suggest(request);
    results.push(result);
    state = result.state === undefined ? undefined : structuredClone(result.state);
    exhausted = result.exhausted === true;
    if (result.suggestions.length === 0) break;
    // Like the controller: the algorithm's name, budget, parent and labels stay on the trial it sees next time.
    for (const s of result.suggestions) {
      const t = makeTrial(trials.length, s.params, 'Succeeded', options.evaluate(s.params));
      trials.push({
        ...t,
        ...(s.name === undefined ? {} : { name: s.name }),
        ...(s.budget === undefined ? {} : { budget: s.budget }),
        ...(s.parent === undefined ? {} : { parent: s.parent }),
        ...(s.labels === undefined ? {} : { labels: s.labels }),
      });
    }
  }
  const values = trials.flatMap((t) => (t.state === 'Succeeded' && t.objective !== undefined ? [t.objective] : []));
  const best = values.length === 0 ? undefined : type === 'minimize' ? Math.min(...values) : Math.max(...values);
  return { trials, results, best, exhausted };
}

type Picked = { seed?: number; settings?: Settings; nas?: NasSpace; constraints?: readonly ParameterConstraint[] };

function pick(options: AskTellOptions): Picked {
  const out: Picked = {};
  if (options.constraints !== undefined) out.constraints = options.constraints;
  if (options.nas !== undefined) out.nas = options.nas;
  if (options.seed !== undefined) out.seed = options.seed;
  if (options.settings !== undefined) out.settings = options.settings;
  return out;
}
