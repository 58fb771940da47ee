import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { ExperimentReader } from '../experiment/reader.ts';
import type { Parameter } from '../search/space.ts';
import { configOf } from '../spec/config.ts';
import type { ExperimentRecord, ObservationRow, TrialRecord } from '../store/types.ts';
import type { AnalysisInput, PlotOptions } from './types.ts';

/**
 * The analysis input of a stored experiment from its record and trials (and, for learning curves, its
 * observation rows of any metrics: only the objective metric's are kept).
 */
export function analysisInput(
  experiment: ExperimentRecord,
  trials: readonly TrialRecord[],
  observations?: readonly ObservationRow[],
): AnalysisInput {
  const config = configOf(experiment.manifest);
  const objective = config.objectives[0]!;
  return {
    name: experiment.name,
    objective,
    objectives: config.objectives,
    metricStrategies: config.metricStrategies,
    space: config.space,
    trials,
    ...(observations === undefined
      ? {}
      : { observations: observations.filter((o) => o.metric === objective.metricName) }),
  };
}

/**
 * Reads what the plots need through a reader: the record and trials, and the objective metric's observations
 * when `observations` is set (one bulk query; skipped otherwise, as a long experiment may have many).
 */
export async function readAnalysisInput(
  reader: ExperimentReader,
  options: { readonly observations?: boolean } = {},
): Promise<AnalysisInput> {
  const experiment = await reader.experiment();
  const trials = await reader.trials();
  if (!options.observations) return analysisInput(experiment, trials);
  const metric = configOf(experiment.manifest).objectives[0]!.metricName;
  return analysisInput(experiment, trials, await reader.observations({ metric }));
}

/** A trial that has a final objective value: Succeeded or EarlyStopped, as `hpo best` counts them. */
export interface ScoredTrial {
  readonly trial: TrialRecord;
  readonly objective: number;
}

/**
 * The trials with an objective (Succeeded or EarlyStopped with a finite value, the same rule as the best trial),
 * in creation order. Throws `invalidArgument` when there are none, as no plot can be drawn from nothing.
 */
export function scoredTrials(input: AnalysisInput): ScoredTrial[] {
  const out: ScoredTrial[] = [];
  for (const t of input.trials) {
    if ((t.state === 'Succeeded' || t.state === 'EarlyStopped') && Number.isFinite(t.objective)) {
      out.push({ trial: t, objective: t.objective! });
    }
  }
  if (out.length === 0) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `experiment '${input.name}' has no completed trial with the objective '${input.objective.metricName}' yet (${input.trials.length} trial${input.trials.length === 1 ? '' : 's'} in all); plot it once a trial has succeeded`,
    );
  }
  return out;
}

/**
 * The parameters `options.params` names, in that order (default: the whole space). Throws `invalidArgument`
 * naming the unknown ones and the known ones.
 */
export function chosenParameters(input: AnalysisInput, options: PlotOptions = {}): Parameter[] {
  if (options.params === undefined || options.params.length === 0) return [...input.space];
  const byName = new Map(input.space.map((p) => [p.name, p]));
  const unknown = options.params.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `experiment '${input.name}' has no parameter ${unknown.map((n) => `'${n}'`).join(', ')}; its parameters are ${input.space.map((p) => p.name).join(', ')}`,
    );
  }
  return [...new Set(options.params)].map((n) => byName.get(n)!);
}

/** Whether a parameter is drawn on a log axis: a log-uniform or log-normal numeric range. */
export function isLogScale(p: Parameter): boolean {
  return (p.domain.kind === 'double' || p.domain.kind === 'int') && p.domain.scale.startsWith('log');
}

/** Whether a parameter's values are categories (drawn on a nominal axis) rather than numbers. */
export function isCategorical(p: Parameter): boolean {
  return p.domain.kind === 'categorical';
}

/**
 * Maps a parameter's value to [0, 1]: numeric ranges linearly (in log space for log scales), discrete lists and
 * categories by their position in the list. NaN for a value outside what the domain can express.
 */
export function unitValue(p: Parameter, value: unknown): number {
  const d = p.domain;
  if (d.kind === 'categorical' || d.kind === 'discrete') {
    const i = (d.values as readonly unknown[]).indexOf(value);
    if (i < 0) return Number.NaN;
    return d.values.length === 1 ? 0.5 : i / (d.values.length - 1);
  }
  const v = Number(value);
  if (!Number.isFinite(v)) return Number.NaN;
  const log = isLogScale(p) && d.min > 0;
  const lo = log ? Math.log(d.min) : d.min;
  const hi = log ? Math.log(d.max) : d.max;
  const x = log ? Math.log(v) : v;
  return hi === lo ? 0.5 : Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
}
