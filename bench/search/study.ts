/**
 * One benchmark study: an in-memory ask/tell loop that stands in for the Experiment controller, calling an
 * algorithm's `validate` once and then `suggest` with the history the controller would send.
 */
import { performance } from 'node:perf_hooks';
import type { Assignment, SearchSpace } from '../../src/search/space.ts';
import type {
  ObjectiveSpec,
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestRequest,
  TrialView,
} from '../../src/search/types.ts';
import { pointOf, spaceOf, type TestFunction } from './functions.ts';

/**
 * How trials are scheduled when `parallel` > 1. `sync`: ask for `parallel` suggestions, run them all, ask again
 * (synchronous batches). `async`: like the controller, refill a slot as soon as one trial ends, so the request
 * sees the others as Running.
 */
export type Schedule = 'sync' | 'async';

/** An objective over any search space (the mixed-space set of `mixedFunctions.ts`), minimised. */
export interface SpaceObjective {
  readonly space: SearchSpace;
  readonly evaluate: (params: Assignment) => number;
}

/** What a study minimises: a continuous test function over its box, or an objective over its own space. */
export type StudyObjective = TestFunction | SpaceObjective;

/** What {@link runStudy} runs. */
export interface StudyOptions {
  readonly algorithm: SearchAlgorithm;
  readonly fn: StudyObjective;
  readonly trials: number;
  readonly seed: number;
  /** Trials in flight at once (`parallelTrialCount`); 1 is sequential. */
  readonly parallel?: number;
  readonly schedule?: Schedule;
  readonly settings?: Settings;
  /** Called after every `suggest` call with the number of finished trials it saw (memory sampling). */
  readonly afterRequest?: (observations: number) => void;
}

/** The timing of one `suggest` call: how many finished trials it saw, how many it was asked for, seconds taken. */
export interface RequestTiming {
  readonly observations: number;
  readonly count: number;
  readonly seconds: number;
}

/** The outcome of one study: best-so-far value per trial (creation order), timings and coincidences. */
export interface StudyRun {
  readonly curve: number[];
  /** The whole study: validate, every request (building it, `suggest`, cloning the state back); objectives are instant. */
  readonly wallS: number;
  readonly requests: RequestTiming[];
  /** Pairs of trials in flight together whose parameters coincide (L∞ distance in the unit cube ≤ 1e-9). */
  readonly coincidences: number;
  /** True when the algorithm stopped answering before `trials` trials. */
  readonly stoppedEarly: boolean;
}

/** Two in-flight proposals closer than this in every unit-cube coordinate count as the same point. */
const coincideTolerance = 1e-9;
const objective: ObjectiveSpec = { type: 'minimize', metricName: 'objective' };
const labels = { 'katib.kubeflow.org/experiment': 'bench' };

/** Runs one study to `trials` trials (or until the algorithm answers with nothing). Throws when `validate` objects. */
export async function runStudy(o: StudyOptions): Promise<StudyRun> {
  const parallel = Math.max(1, o.parallel ?? 1);
  const schedule = o.schedule ?? 'sync';
  const settings = o.settings ?? {};
  const fn = o.fn;
  const space = 'space' in fn ? fn.space : spaceOf(fn);
  const evaluate = 'space' in fn ? fn.evaluate : (params: Assignment) => fn.f(pointOf(fn, params));
  const history: TrialView[] = [];
  const inFlight: number[] = [];
  const requests: RequestTiming[] = [];
  let state: unknown;
  let coincidences = 0;
  let done = 0;
  let stoppedEarly = false;
  const start = performance.now();
  const issues = o.algorithm.validate(settings, {
    space,
    objective,
    maxTrialCount: o.trials,
    parallelTrialCount: parallel,
  });
  if (issues.length > 0) throw new Error(`validate: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  while (history.length < o.trials && !stoppedEarly) {
    const count = Math.min(parallel - inFlight.length, o.trials - history.length);
    const req: SuggestRequest = {
      experiment: 'bench',
      space,
      objectives: [objective],
      objective,
      trials: [...history],
      count,
      seed: o.seed,
      settings,
      maxTrialCount: o.trials,
      parallelTrialCount: parallel,
      ...(state === undefined ? {} : { state }),
    };
    const asked = performance.now();
    const result = await o.algorithm.suggest(req);
    requests.push({ observations: done, count, seconds: (performance.now() - asked) / 1000 });
    o.afterRequest?.(done);
    // The store keeps the state as JSON, so what comes back is a JSON copy, never the algorithm's own object.
    state = result.state === undefined ? undefined : JSON.parse(JSON.stringify(result.state));
    const got = result.suggestions.slice(0, count);
    // A short answer while trials run is the algorithm waiting for them (CMA-ES finishing a generation), as the
    // controller sees it: finish one and ask again. Only an exhausted space, or nothing while nothing runs, ends it.
    if (result.exhausted === true || (got.length === 0 && inFlight.length === 0)) stoppedEarly = true;
    coincidences += countCoincidences(
      space,
      got,
      inFlight.map((i) => history[i]!),
    );
    for (const s of got) {
      inFlight.push(history.length);
      history.push(Object.freeze(running(history.length, s)));
    }
    // Sync batches finish every trial in flight; async finishes the oldest and asks again for its slot.
    const finishing = schedule === 'sync' || history.length >= o.trials || stoppedEarly ? inFlight.length : 1;
    for (const i of inFlight.splice(0, finishing)) {
      history[i] = Object.freeze(succeeded(history[i]!, evaluate(history[i]!.params)));
      done++;
    }
  }
  const wallS = (performance.now() - start) / 1000;
  return { curve: bestSoFar(history), wallS, requests, coincidences, stoppedEarly };
}

/** A trial as the controller shows it while it runs: no objective yet. */
function running(n: number, s: Suggestion): TrialView {
  return { name: `bench-${n}`, params: Object.freeze({ ...s.params }), state: 'Running', labels };
}

function succeeded(t: TrialView, value: number): TrialView {
  return { ...t, state: 'Succeeded', objective: value, intermediate: Object.freeze([{ step: 1, value }]) };
}

/** Best objective so far after each trial, in creation order (trials without an objective keep the previous best). */
export function bestSoFar(trials: readonly TrialView[]): number[] {
  let best = Number.POSITIVE_INFINITY;
  return trials.map((t) => {
    if (t.objective !== undefined && t.objective < best) best = t.objective;
    return best;
  });
}

/** Pairs among the new proposals, and between them and the trials already in flight, that are the same point. */
export function countCoincidences(
  space: SearchSpace,
  fresh: readonly Suggestion[],
  flying: readonly TrialView[],
): number {
  const unit = (params: Suggestion['params']): number[] =>
    space.map((p) => {
      const v = params[p.name];
      if (typeof v !== 'number' || p.domain.kind !== 'double') return Number.NaN;
      return (v - p.domain.min) / (p.domain.max - p.domain.min);
    });
  const others = flying.map((t) => unit(t.params));
  let n = 0;
  for (const s of fresh) {
    const u = unit(s.params);
    for (const o of others) if (u.every((v, i) => Math.abs(v - o[i]!) <= coincideTolerance)) n++;
    others.push(u);
  }
  return n;
}
