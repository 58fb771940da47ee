import { decideEarlyStop } from '../../../src/search/earlyStopping/rules.ts';
import { Rng } from '../../../src/search/rng.ts';
import type {
  EarlyStoppingAlgorithm,
  ObjectiveSpec,
  Settings,
  TrialState,
  TrialView,
} from '../../../src/search/types.ts';

/** One synthetic learning curve: the value reported at step t (1-based). */
export type Curve = (t: number) => number;

/** How a simulated experiment went. */
export interface SimulationResult {
  /** Steps (reports) run in all. */
  readonly steps: number;
  /** The best value reported at the last step by any trial that got there. */
  readonly bestFinal: number;
  readonly stopped: number;
  /** Decisions in the order the rule made them (trial index, step, stop). */
  readonly decisions: readonly { readonly trial: number; readonly step: number; readonly stop: boolean }[];
}

interface Live {
  readonly index: number;
  readonly duration: number;
  next: number;
  state: TrialState;
  readonly intermediate: { step: number; value: number }[];
}

/**
 * `count` curves v_t = a + b/t with a ∈ [0.1, 0.5), b ∈ [0.1, 1): losses that level off at different heights and
 * speeds, so curves cross (a trial that starts well may finish worse than a slow starter).
 */
export function hyperbolicCurves(count: number, seed: number): Curve[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const a = rng.uniform(0.1, 0.5);
    const b = rng.uniform(0.1, 1);
    return (t: number) => a + b / t;
  });
}

/**
 * A tiny asynchronous controller: `parallel` workers run the curves in order, each trial reporting one step per
 * `duration` (drawn per trial, so reports interleave), asking `rule` after every report, until `maxSteps`.
 */
export function simulate(options: {
  readonly curves: readonly Curve[];
  readonly rule?: EarlyStoppingAlgorithm;
  readonly settings?: Settings;
  readonly parallel: number;
  readonly maxSteps: number;
  readonly seed: number;
  readonly type?: ObjectiveSpec['type'];
}): SimulationResult {
  const objective: ObjectiveSpec = { type: options.type ?? 'minimize', metricName: 'loss' };
  const rng = new Rng(options.seed);
  const durations = options.curves.map(() => rng.uniform(0.5, 1.5));
  const trials: Live[] = [];
  const decisions: { trial: number; step: number; stop: boolean }[] = [];
  let now = 0;
  let steps = 0;
  const start = () => {
    const index = trials.length;
    if (index >= options.curves.length) return;
    const duration = durations[index] as number;
    trials.push({ index, duration, next: now + duration, state: 'Running', intermediate: [] });
  };
  for (let i = 0; i < options.parallel; i++) start();
  for (;;) {
    const running = trials.filter((t) => t.state === 'Running');
    if (running.length === 0) break;
    const trial = running.reduce((a, b) => (b.next < a.next ? b : a));
    now = trial.next;
    const step = trial.intermediate.length + 1;
    trial.intermediate.push({ step, value: (options.curves[trial.index] as Curve)(step) });
    steps++;
    let stop = false;
    if (options.rule !== undefined) {
      const views = trials.map(view);
      const self = views[trial.index] as TrialView;
      stop = decideEarlyStop(options.rule, {
        objective,
        trials: views,
        trial: self,
        settings: options.settings ?? {},
      }).stop;
      decisions.push({ trial: trial.index, step, stop });
    }
    if (stop) trial.state = 'EarlyStopped';
    else if (step === options.maxSteps) trial.state = 'Succeeded';
    else trial.next = now + trial.duration;
    if (trial.state !== 'Running') start();
  }
  const finals = trials.flatMap((t) => t.intermediate.filter((p) => p.step === options.maxSteps).map((p) => p.value));
  const better = objective.type === 'minimize' ? Math.min : Math.max;
  return {
    steps,
    bestFinal: better(...finals),
    stopped: trials.filter((t) => t.state === 'EarlyStopped').length,
    decisions,
  };
}

function view(t: Live): TrialView {
  return {
    name: `trial-${t.index}`,
    params: { i: t.index },
    state: t.state,
    intermediate: t.intermediate.map((p) => ({ ...p })),
  };
}
