import type { ObjectiveSpec, TrialState, TrialView } from '../search/types.ts';
import type { ExperimentConfig } from '../spec/config.ts';
import type { ObservationRow, TrialRecord } from '../store/types.ts';
import { trialValues } from './paretoFront.ts';
import {
  activeCount,
  countTrials,
  evaluateCompletion,
  goalReached,
  isBetter,
  type TrialCounts,
  type Verdict,
} from './status.ts';
import type { Progress } from './stepReport.ts';

/** One objective value of a trial at a step (an intermediate value, as algorithms and early-stopping rules read them). */
export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

/** A stored trial's numeric objective history, rebuilt from its observation log (on resume). */
export function storedCurve(observations: readonly ObservationRow[]): CurvePoint[] {
  const curve: CurvePoint[] = [];
  for (const o of observations) {
    const v = Number(o.value);
    if (o.value.trim() !== '' && Number.isFinite(v)) curve.push({ step: o.step, value: v });
  }
  return curve;
}

/**
 * The controller's in-memory mirror of an experiment's stored trials: records, trial counts by state, the best
 * trial, and the views the algorithm and the early-stopping rules see. The controller calls {@link TrialBook.remember}
 * after every trial write, so the mirror never differs from the store.
 */
export class TrialBook {
  private readonly objectives: Pick<ExperimentConfig, 'objectives' | 'metricStrategies'>;
  private readonly objective: ObjectiveSpec;
  /** Every trial as stored, by name. */
  readonly records: Map<string, TrialRecord> = new Map();
  /** Views in creation order, Killed trials left out (their slots are issued again, see status.ts budgetUsed). */
  readonly views: TrialView[] = [];
  private readonly viewIndex = new Map<string, number>();
  /** Trial counts by state, moved with every state change. */
  readonly counts: TrialCounts;
  /** The best objective so far among Succeeded and EarlyStopped trials (first found on ties). */
  best: { readonly value: number; readonly trial: string } | undefined;
  /** With several objectives: the first Succeeded or EarlyStopped trial that met every objective's goal. */
  private goalTrial: string | undefined;
  /** Objective histories of every trial (live arrays for running ones), for algorithms and early stopping. */
  private readonly curves = new Map<string, CurvePoint[]>();
  /** Curve length of each running trial when its view last went to the algorithm (see refreshRunning). */
  private readonly sentCurveLength = new Map<string, number>();
  /** Trials whose curve grows while they run (their view carries the live array even while it is empty). */
  private readonly running = new Set<string>();

  /**
   * Builds the mirror of the experiment's objectives (`config`: the first is the primary) from the stored trials and
   * their stored objective histories (`curveOf`).
   */
  constructor(
    config: Pick<ExperimentConfig, 'objectives' | 'metricStrategies'>,
    stored: readonly TrialRecord[],
    curveOf: (trial: string) => CurvePoint[],
  ) {
    this.objectives = config;
    this.objective = config.objectives[0]!;
    for (const t of stored) this.curves.set(t.name, curveOf(t.name));
    for (const t of stored) this.remember(t);
    this.counts = countTrials(stored.map((t) => t.state));
  }

  /** A view of `name` as the algorithm sees it now, if the trial is not Killed. */
  /** One past the largest seq of the trials in the book (0 when empty): the seq the next stored trial gets. */
  nextSeq(): number {
    let next = 0;
    for (const t of this.records.values()) next = Math.max(next, t.seq + 1);
    return next;
  }

  view(name: string): TrialView | undefined {
    const at = this.viewIndex.get(name);
    return at === undefined ? undefined : this.views[at];
  }

  /** Marks a trial as running with `curve` as its live objective history (the trial's metrics fill it). */
  startCurve(name: string, curve: CurvePoint[]): void {
    this.curves.set(name, curve);
    this.running.add(name);
  }

  /** Called when a running trial ends, before its final record is remembered. */
  endCurve(name: string): void {
    this.running.delete(name);
    this.sentCurveLength.delete(name);
  }

  /** Keeps the mirror (records, views, best) in step with a stored trial. */
  remember(t: TrialRecord): void {
    this.records.set(t.name, t);
    const several = this.objectives.objectives.length > 1;
    // One objective: its value is the whole vector, as before several existed.
    const values = several ? trialValues(this.objectives, t) : t.objective === undefined ? undefined : [t.objective];
    if (t.objective !== undefined && (t.state === 'Succeeded' || t.state === 'EarlyStopped')) {
      if (isBetter(this.objective.type, t.objective, this.best?.value))
        this.best = { value: t.objective, trial: t.name };
      if (several && values !== undefined && this.goalTrial === undefined && this.meetsEveryGoal(values))
        this.goalTrial = t.name;
    }
    // Killed trials are left out of the history so their slot is issued again (see status.ts budgetUsed).
    const at = this.viewIndex.get(t.name);
    if (t.state === 'Killed') {
      if (at !== undefined) {
        this.views.splice(at, 1);
        this.viewIndex.clear();
        this.views.forEach((v, i) => {
          this.viewIndex.set(v.name, i);
        });
      }
      return;
    }
    // The live array itself, even while still empty: early-stopping rules read running trials' curves (their
    // own and their running peers') as they grow.
    const intermediate = this.curves.get(t.name);
    const view: TrialView = {
      name: t.name,
      params: t.params,
      state: t.state,
      ...(t.objective === undefined ? {} : { objective: t.objective }),
      ...(values === undefined ? {} : { values }),
      ...(intermediate && (intermediate.length > 0 || this.running.has(t.name)) ? { intermediate } : {}),
      ...(t.budget === undefined ? {} : { budget: t.budget }),
      ...(t.parent === undefined ? {} : { parent: t.parent }),
      ...(Object.keys(t.labels).length === 0 ? {} : { labels: t.labels }),
    };
    if (at === undefined) {
      this.viewIndex.set(t.name, this.views.length);
      this.views.push(view);
    } else {
      this.views[at] = view;
    }
  }

  /**
   * Whether `values` meet the goal of every objective that has one (and at least one has): with several objectives the
   * experiment reaches its goal only through a trial that is good enough on every axis at once.
   */
  private meetsEveryGoal(values: readonly number[]): boolean {
    const withGoal = this.objectives.objectives
      .map((o, i) => ({ o, v: values[i]! }))
      .filter(({ o }) => o.goal !== undefined);
    return withGoal.length > 0 && withGoal.every(({ o, v }) => goalReached(o.type, v, o.goal));
  }

  /** Counts a new Pending trial. */
  countNew(): void {
    this.counts.total++;
    this.counts.pending++;
  }

  /** Moves one trial between the state counts. */
  moveCount(from: TrialState, to: TrialState): void {
    if (from === to) return;
    const key = (s: TrialState): keyof TrialCounts =>
      s === 'MetricsUnavailable'
        ? 'metricsUnavailable'
        : s === 'EarlyStopped'
          ? 'earlyStopped'
          : (s.toLowerCase() as keyof TrialCounts);
    this.counts[key(from)]--;
    this.counts[key(to)]++;
  }

  /**
   * The suggestion host sends only views it has not sent before (by identity), but a running trial's curve grows
   * in place: a new view object around the same live array makes the algorithm see the curve as it is now.
   */
  refreshRunning(): void {
    for (const name of this.running) {
      const at = this.viewIndex.get(name);
      const view = at === undefined ? undefined : this.views[at];
      const length = view?.intermediate?.length ?? 0;
      if (view === undefined || this.sentCurveLength.get(name) === length) continue;
      this.views[at!] = { ...view };
      this.sentCurveLength.set(name, length);
    }
  }

  /** Katib's completion rules applied to the trials as they are now (see evaluateCompletion). */
  verdict(budget: ExperimentConfig['budget'], exhausted: boolean): Verdict | undefined {
    return evaluateCompletion({
      counts: this.counts,
      objectiveType: this.objective.type,
      best: this.best?.value,
      goal: this.objective.goal,
      ...(this.objectives.objectives.length > 1 ? { goalMet: this.goalTrial !== undefined } : {}),
      maxTrialCount: budget.maxTrialCount,
      maxFailedTrialCount: budget.maxFailedTrialCount,
      exhausted,
    });
  }

  /** The progress snapshot of the trials as they are now. */
  progress(total: number | undefined, elapsedMs: number): Progress {
    const c = this.counts;
    return {
      done: c.succeeded + c.failed + c.earlyStopped + c.metricsUnavailable,
      total,
      running: activeCount(c),
      failed: c.failed + c.metricsUnavailable,
      best: this.best?.value,
      bestTrial: this.best?.trial,
      elapsedMs,
    };
  }
}

/**
 * The book of a shared experiment's worker: every stored trial, with the objective's stored rows as curves, except
 * that the worker's own running trials (`live`: name and live curve) carry their live curves.
 */
export function sharedBook(
  config: ExperimentConfig,
  trials: readonly TrialRecord[],
  objectiveRows: readonly ObservationRow[],
  live: Iterable<readonly [string, CurvePoint[]]>,
): TrialBook {
  const rows = new Map<string, ObservationRow[]>();
  for (const r of objectiveRows) {
    const list = rows.get(r.trial);
    if (list === undefined) rows.set(r.trial, [r]);
    else list.push(r);
  }
  const book = new TrialBook(config, [...trials], (t) => storedCurve(rows.get(t) ?? []));
  for (const [name, curve] of live) {
    const t = book.records.get(name);
    if (t === undefined) continue;
    book.startCurve(name, curve);
    book.remember(t);
  }
  return book;
}
