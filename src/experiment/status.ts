import type { TrialState } from '../search/types.ts';

/** Katib's reasons for experiment conditions (REFERENCE.md §5.2), plus the ones Katib defines but never sets. */
export const ExperimentReason = {
  created: 'ExperimentCreated',
  running: 'ExperimentRunning',
  restarting: 'ExperimentRestarting',
  goalReached: 'ExperimentGoalReached',
  maxTrialsReached: 'ExperimentMaxTrialsReached',
  failed: 'ExperimentFailed',
  /** Ours: the budget or the algorithm ran out and not one trial produced an objective value. */
  noTrialSucceeded: 'ExperimentNoTrialSucceeded',
  suggestionEndReached: 'ExperimentSuggestionEndReached',
} as const;

/** Trial counts by state, as Katib's experiment status exposes them. */
export interface TrialCounts {
  total: number;
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  killed: number;
  earlyStopped: number;
  metricsUnavailable: number;
}

/** Counts trials by state. */
export function countTrials(states: Iterable<TrialState>): TrialCounts {
  const c: TrialCounts = {
    total: 0,
    pending: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    killed: 0,
    earlyStopped: 0,
    metricsUnavailable: 0,
  };
  for (const s of states) {
    c.total++;
    if (s === 'Pending') c.pending++;
    else if (s === 'Running') c.running++;
    else if (s === 'Succeeded') c.succeeded++;
    else if (s === 'Failed') c.failed++;
    else if (s === 'Killed') c.killed++;
    else if (s === 'EarlyStopped') c.earlyStopped++;
    else c.metricsUnavailable++;
  }
  return c;
}

/**
 * Trials that use up the `maxTrialCount` budget. Unlike Katib, Killed trials do not: a trial is Killed only
 * when the controller itself stopped it (an interrupted or crashed run), and its slot is issued again.
 */
export function budgetUsed(c: TrialCounts): number {
  return c.succeeded + c.failed + c.earlyStopped + c.metricsUnavailable;
}

/** Pending plus running. */
export function activeCount(c: TrialCounts): number {
  return c.pending + c.running;
}

/** A terminal verdict for the experiment. */
export interface Verdict {
  readonly phase: 'Succeeded' | 'Failed';
  readonly reason: string;
  readonly message: string;
}

/** True when `value` meets the goal for the objective type. */
export function goalReached(
  type: 'minimize' | 'maximize',
  best: number | undefined,
  goal: number | undefined,
): boolean {
  if (best === undefined || goal === undefined) return false;
  return type === 'minimize' ? best <= goal : best >= goal;
}

/**
 * Katib's completion rules in Katib's order: goal, max failed, max trials. `exhausted` (the algorithm will
 * propose nothing more) ends the experiment once nothing is active, where Katib would hang. Running out of
 * trials without a single succeeded (or early-stopped) trial is a failure, where Katib says Succeeded.
 */
export function evaluateCompletion(args: {
  counts: TrialCounts;
  objectiveType: 'minimize' | 'maximize';
  best: number | undefined;
  goal: number | undefined;
  /**
   * Set with several objectives: whether one trial met every objective's goal (see TrialBook); it replaces the
   * primary's `best`/`goal` test.
   */
  goalMet?: boolean;
  maxTrialCount: number | undefined;
  maxFailedTrialCount: number | undefined;
  exhausted: boolean;
}): Verdict | undefined {
  const { counts } = args;
  if (args.goalMet ?? goalReached(args.objectiveType, args.best, args.goal)) {
    return {
      phase: 'Succeeded',
      reason: ExperimentReason.goalReached,
      message: 'Experiment has succeeded because Objective goal has reached',
    };
  }
  const failed = counts.failed + counts.metricsUnavailable;
  if (args.maxFailedTrialCount !== undefined && failed !== 0 && failed >= args.maxFailedTrialCount) {
    return {
      phase: 'Failed',
      reason: ExperimentReason.failed,
      message: 'Experiment has failed because max failed count has reached',
    };
  }
  const outOfTrials =
    (args.maxTrialCount !== undefined && budgetUsed(counts) >= args.maxTrialCount) ||
    (args.exhausted && activeCount(counts) === 0);
  // Katib calls an experiment whose every trial failed "Succeeded" once the budget is used; nothing was learnt.
  if (outOfTrials && counts.succeeded + counts.earlyStopped === 0) {
    return {
      phase: 'Failed',
      reason: ExperimentReason.noTrialSucceeded,
      message: `Experiment has failed because no trial succeeded: ${counts.failed} failed, ${counts.metricsUnavailable} without metrics${counts.killed > 0 ? `, ${counts.killed} killed` : ''}`,
    };
  }
  if (args.maxTrialCount !== undefined && budgetUsed(counts) >= args.maxTrialCount) {
    return {
      phase: 'Succeeded',
      reason: ExperimentReason.maxTrialsReached,
      message: 'Experiment has succeeded because max trial count has reached',
    };
  }
  if (args.exhausted && activeCount(counts) === 0) {
    return {
      phase: 'Succeeded',
      reason: ExperimentReason.suggestionEndReached,
      message: 'Experiment has succeeded because suggestion service has reached the end',
    };
  }
  return undefined;
}

/** How many new trials to ask for: fill free parallel slots without passing the trial budget. */
export function slotsToFill(c: TrialCounts, parallel: number, maxTrialCount: number | undefined): number {
  const active = activeCount(c);
  const cap = maxTrialCount === undefined ? parallel : Math.min(parallel, maxTrialCount - budgetUsed(c));
  return Math.max(0, cap - active);
}

/** Whether `a` is a better objective than `b`. */
export function isBetter(type: 'minimize' | 'maximize', a: number, b: number | undefined): boolean {
  if (b === undefined) return true;
  return type === 'minimize' ? a < b : a > b;
}
