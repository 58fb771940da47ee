import { objectiveValues, paretoFront } from '../experiment/paretoFront.ts';
import type { ObjectiveSpec } from '../search/types.ts';
import { configOf } from '../spec/config.ts';
import type { ExperimentRecord, TrialRecord } from '../store/types.ts';

/**
 * What the trial table adds for an experiment with several objectives: each objective's value of a trial (by its
 * metric's strategy, as `hpo best` ranks them) and whether the trial is on the Pareto front. Built once per list of
 * trials by `DashboardData.objectiveColumns`; undefined for a single-objective experiment, whose table is unchanged.
 */
export interface ObjectiveColumns {
  readonly objectives: readonly ObjectiveSpec[];
  /** A trial's value of each objective by metric name; a missing one is null. */
  values(t: TrialRecord): Record<string, number | null>;
  /** On the front (true), completed with every value but dominated (false), or not taking part (null). */
  pareto(t: TrialRecord): boolean | null;
}

/**
 * The objective columns of `e` over `trials` (its trials now), or undefined when it has one objective. The front is
 * `ExperimentReader.paretoFront()`'s rule: Succeeded or EarlyStopped trials with a value of every objective.
 */
export function objectiveColumnsOf(e: ExperimentRecord, trials: readonly TrialRecord[]): ObjectiveColumns | undefined {
  const config = configOf(e.manifest);
  if (config.objectives.length < 2) return undefined;
  const front = new Set(paretoFront(config, trials).map((m) => m.name));
  return {
    objectives: config.objectives,
    values: (t) => {
      const values = objectiveValues(config, t);
      return Object.fromEntries(config.objectives.map((o, i) => [o.metricName, values[i] ?? null]));
    },
    pareto: (t) => {
      if (front.has(t.name)) return true;
      const done = t.state === 'Succeeded' || t.state === 'EarlyStopped';
      return done && objectiveValues(config, t).every((v) => v !== undefined && Number.isFinite(v)) ? false : null;
    },
  };
}
