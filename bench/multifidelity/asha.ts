/**
 * ASHA as the controller runs it, simulated in memory: `asha` proposes, the {@link AshaStopper} decides after
 * every report, `parallel` trials run at once and time advances in budget units (a trial that has trained for b
 * units has reported at every rung ≤ b). Trials report only at the rung budgets 1, 3, 9, 27 and 81: the rung rule
 * decides only there, and reading f at the steps in between would change no decision, only the bench's run time.
 * A trial's cost is the budget it reached; one that reaches 81 is a full-fidelity evaluation.
 */

import { errorsOnly, formatIssue } from '../../src/common/issue.ts';
import { decideEarlyStop } from '../../src/search/earlyStopping/rules.ts';
import type {
  EarlyStoppingAlgorithm,
  ObjectiveSpec,
  SearchAlgorithm,
  Settings,
  SuggestRequest,
  TrialView,
} from '../../src/search/types.ts';
import { pointOf } from '../search/functions.ts';
import { type MfFunction, maxBudget } from './functions.ts';
import { mfSpace } from './sequential.ts';
import type { FullEval, RunTrace } from './trace.ts';

/** What {@link runAsha} runs. */
export interface AshaRunOptions {
  readonly search: SearchAlgorithm;
  readonly stopper: EarlyStoppingAlgorithm;
  readonly fn: MfFunction;
  readonly seed: number;
  readonly cap: number;
  /** Trials in flight at once (4 in the benchmark). */
  readonly parallel: number;
  /** ASHA's settings, shared by the proposer and the stopper (eta, min_resource, max_resource, random_state). */
  readonly settings: Settings;
  /** The budgets at which a trial reports, ascending, ending at 81. */
  readonly steps: readonly number[];
}

/** A trial in the simulation: when it started, its point, and how far it got. */
interface SimTrial {
  view: TrialView;
  readonly start: number;
  readonly x: readonly number[];
  /** Index into `steps` of the next report. */
  next: number;
  /** Budget units used once it ended; undefined while it runs. */
  cost?: number;
}

const objective: ObjectiveSpec = { type: 'minimize', metricName: 'objective' };

/** The budgets 1, eta, eta², … below 81, then 81: where ASHA's rungs sit and where a trial reports. */
export function rungSteps(eta: number, minResource: number, max: number = maxBudget): number[] {
  const out: number[] = [];
  for (let r = minResource; r < max; r *= eta) out.push(r);
  out.push(max);
  return out;
}

/** Runs one asynchronous ASHA study until the total budget (summed over all workers) reaches the cap. */
export async function runAsha(o: AshaRunOptions): Promise<RunTrace> {
  const space = mfSpace(o.fn, false);
  const ctx = { space, objective, parallelTrialCount: o.parallel };
  const errors = errorsOnly([...o.search.validate(o.settings, ctx), ...o.stopper.validate(o.settings, ctx)]);
  if (errors.length > 0) throw new Error(`validate: ${errors.map(formatIssue).join('; ')}`);
  const trials: SimTrial[] = [];
  const fullEvals: FullEval[] = [];
  const reached: Record<number, number> = {};
  let finishedCost = 0;
  let now = 0;
  // Budget spent by every trial up to time t: ended trials their cost, running ones the time since they started.
  const spentAt = (t: number): number =>
    finishedCost + trials.reduce((sum, s) => (s.cost === undefined ? sum + (t - s.start) : sum), 0);
  let running = await launch(o, trials, o.parallel, 0);
  while (running > 0) {
    const trial = nextEvent(trials, o.steps);
    if (trial === undefined) break;
    const step = o.steps[trial.next]!;
    const at = trial.start + step;
    if (spentAt(at) > o.cap) break;
    now = at;
    const value = o.fn.at(step, trial.x);
    const intermediate = [...(trial.view.intermediate ?? []), { step, value }];
    trial.view = { ...trial.view, intermediate };
    trial.next++;
    const views = trials.map((s) => s.view);
    const decision = decideEarlyStop(o.stopper, { objective, trials: views, trial: trial.view, settings: o.settings });
    const best = Math.min(...intermediate.map((p) => p.value));
    if (step >= maxBudget || decision.stop) {
      trial.cost = step;
      finishedCost += step;
      reached[step] = (reached[step] ?? 0) + 1;
      const state = step >= maxBudget ? 'Succeeded' : 'EarlyStopped';
      trial.view = { ...trial.view, state, objective: step >= maxBudget ? value : best };
      if (step >= maxBudget) fullEvals.push({ spent: spentAt(now), value });
      running--;
      // Like the controller: a freed slot is refilled at once, while there is budget left to spend.
      if (spentAt(now) < o.cap) running += await launch(o, trials, o.parallel - running, now);
    }
  }
  return {
    seed: o.seed,
    fullEvals,
    spent: Math.min(o.cap, spentAt(now)),
    trials: trials.length,
    end: running > 0 ? 'budget' : 'exhausted',
    reached,
  };
}

/** The running trial whose next report comes first (creation order on ties). */
function nextEvent(trials: readonly SimTrial[], steps: readonly number[]): SimTrial | undefined {
  let first: SimTrial | undefined;
  for (const t of trials) {
    if (t.cost !== undefined) continue;
    if (first === undefined || t.start + steps[t.next]! < first.start + steps[first.next]!) first = t;
  }
  return first;
}

/** Asks the proposer for `count` trials started at `now`; returns how many it gave. */
async function launch(o: AshaRunOptions, trials: SimTrial[], count: number, now: number): Promise<number> {
  if (count <= 0) return 0;
  const req: SuggestRequest = {
    experiment: 'bench-mf',
    space: mfSpace(o.fn, false),
    objectives: [objective],
    objective,
    trials: trials.map((t) => t.view),
    count,
    seed: o.seed,
    settings: o.settings,
    parallelTrialCount: o.parallel,
  };
  const { suggestions } = await o.search.suggest(req);
  for (const s of suggestions.slice(0, count)) {
    const view: TrialView = { name: `trial-${trials.length}`, params: s.params, state: 'Running', intermediate: [] };
    trials.push({ view, start: now, x: pointOf(o.fn, s.params), next: 0 });
  }
  return Math.min(count, suggestions.length);
}
