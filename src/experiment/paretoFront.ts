/**
 * The Pareto front of a stored experiment's trials: `hpo best`, `hpo trials`, `ExperimentReader.paretoFront()` and
 * the winner document read it. A trial's values are one per objective, each by its metric's strategy.
 */
import { objectiveValue } from '../metrics/strategies.ts';
import type { Assignment } from '../search/space.ts';
import type { ObjectiveSpec } from '../search/types.ts';
import type { ExperimentConfig } from '../spec/config.ts';
import type { MetricSummary, TrialRecord } from '../store/types.ts';
import { paretoFrontIndices } from './pareto.ts';

/** One trial on the front: its name, parameters and each objective's value by metric name (primary first). */
export interface ParetoMember {
  readonly name: string;
  readonly parameters: Assignment;
  readonly values: Readonly<Record<string, number>>;
}

/**
 * A trial's value of each objective, aligned with `config.objectives`, undefined where one is missing (the dashboard's
 * trial table shows what there is). The primary's is the stored `objective` (what `hpo best` ranks by), the others
 * come from the metric summaries by each metric's strategy.
 */
export function objectiveValues(
  config: Pick<ExperimentConfig, 'objectives' | 'metricStrategies'>,
  trial: { readonly objective?: number; readonly metrics: readonly MetricSummary[] },
): (number | undefined)[] {
  return config.objectives.map((o, i) =>
    i === 0
      ? trial.objective
      : objectiveValue(
          trial.metrics.find((m) => m.name === o.metricName),
          config.metricStrategies[o.metricName] ?? 'latest',
        ),
  );
}

/** A trial's value of every objective, aligned with `config.objectives`; undefined when one is missing. */
export function trialValues(
  config: Pick<ExperimentConfig, 'objectives' | 'metricStrategies'>,
  trial: { readonly objective?: number; readonly metrics: readonly MetricSummary[] },
): number[] | undefined {
  const values = objectiveValues(config, trial);
  return values.every((v) => v !== undefined) ? values : undefined;
}

/** `values` keyed by each objective's metric name, in objective order. */
export function valuesByMetric(
  objectives: readonly ObjectiveSpec[],
  values: readonly number[],
): Record<string, number> {
  return Object.fromEntries(objectives.map((o, i) => [o.metricName, values[i]!]));
}

/**
 * The trials no other trial beats in every objective, in creation order. Only trials `bestTrial` would consider
 * (Succeeded or EarlyStopped) with a value for every objective take part; with one objective the front is every
 * trial tied for the best value.
 */
export function paretoFront(
  config: Pick<ExperimentConfig, 'objectives' | 'metricStrategies'>,
  trials: readonly TrialRecord[],
): ParetoMember[] {
  const candidates: { trial: TrialRecord; values: number[] }[] = [];
  for (const trial of trials) {
    if (trial.state !== 'Succeeded' && trial.state !== 'EarlyStopped') continue;
    const values = trialValues(config, trial);
    if (values !== undefined) candidates.push({ trial, values });
  }
  const types = config.objectives.map((o) => o.type);
  return paretoFrontIndices(
    candidates.map((c) => c.values),
    types,
  ).map((i) => {
    const { trial, values } = candidates[i]!;
    return { name: trial.name, parameters: trial.params, values: valuesByMetric(config.objectives, values) };
  });
}
