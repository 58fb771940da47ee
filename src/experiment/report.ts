import type { Assignment } from '../search/space.ts';
import type { ObjectiveSpec } from '../search/types.ts';
import { objectivesOf, type ResolvedObjectives } from '../spec/config.ts';
import type { ExperimentRecord, ExperimentRef, MetricSummary, Store, TrialRecord } from '../store/types.ts';
import { type ParetoMember, paretoFront, trialValues, valuesByMetric } from './paretoFront.ts';
import { isBetter } from './status.ts';

/** One trial as `hpo trials --output json` and `hpo run --output json` print it. */
export interface TrialSummary {
  readonly name: string;
  readonly state: string;
  readonly parameters: Assignment;
  readonly objective: number | null;
  /** With several objectives: each objective's value by metric name, once the trial has all of them. */
  readonly values?: Readonly<Record<string, number>>;
  readonly metrics: readonly MetricSummary[];
  readonly reason: string;
  readonly message: string;
  readonly budget?: number;
  readonly parent?: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
}

/** The result document of a run: experiment, status, reason, best trial and every trial. */
export interface ExperimentResult {
  readonly experiment: string;
  readonly namespace: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  /** The best trial by the primary objective (the first one), as with one objective. */
  /**
   * With an algorithm that takes a text objective (DARTS's genotype) the winner's objective is text: then
   * `objectiveText` holds it and `objective` is NaN (null in JSON).
   */
  readonly bestTrial: {
    readonly name: string;
    readonly parameters: Assignment;
    readonly objective: number;
    readonly objectiveText?: string;
  } | null;
  /** With several objectives (`additionalObjectives`): every objective, primary first. */
  readonly objectives?: readonly ObjectiveSpec[];
  /** With several objectives: the trials no other trial beats in every objective, in creation order. */
  readonly paretoFront?: readonly ParetoMember[];
  readonly trials: readonly TrialSummary[];
}

/**
 * The objectives of a stored experiment when it has several, else undefined: single-objective documents stay as
 * they were before several objectives existed.
 */
export function severalObjectives(exp: ExperimentRecord): ResolvedObjectives | undefined {
  const objective = exp.manifest.spec.objective;
  if (!objective || (objective.additionalObjectives ?? []).length === 0) return undefined;
  return objectivesOf(objective);
}

/**
 * The best trial: the best objective among trials that have one (Succeeded or EarlyStopped), first found on ties.
 * When none has a number but some succeeded with a text objective (an algorithm with `capabilities.textObjective`,
 * Katib's DARTS genotype), the one that ended last: Katib keeps the latest string, and text has no order.
 */
export function bestTrial(exp: ExperimentRecord, trials: readonly TrialRecord[]): TrialRecord | undefined {
  const type = exp.manifest.spec.objective?.type ?? 'minimize';
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.objective === undefined || (t.state !== 'Succeeded' && t.state !== 'EarlyStopped')) continue;
    if (isBetter(type, t.objective, best?.objective)) best = t;
  }
  if (best !== undefined) return best;
  let latest: TrialRecord | undefined;
  for (const t of trials) {
    if (textObjectiveOf(exp, t) === undefined) continue;
    if (latest === undefined || (t.completedAt ?? '') >= (latest.completedAt ?? '')) latest = t;
  }
  return latest;
}

/**
 * The objective of a trial that succeeded with it as text (`capabilities.textObjective`): its metric's latest value;
 * undefined for a numeric objective or none.
 */
export function textObjectiveOf(exp: ExperimentRecord, t: TrialRecord): string | undefined {
  if (t.state !== 'Succeeded' || t.objective !== undefined) return undefined;
  const metric = exp.manifest.spec.objective?.objectiveMetricName;
  return t.metrics.find((m) => m.name === metric)?.latest;
}

/** A trial as summarised for output; with `objectives` (several) its `values` too. */
export function summarizeTrial(t: TrialRecord, objectives?: ResolvedObjectives): TrialSummary {
  const values = objectives === undefined ? undefined : trialValues(objectives, t);
  return {
    name: t.name,
    state: t.state,
    parameters: t.params,
    objective: t.objective ?? null,
    ...(values === undefined ? {} : { values: valuesByMetric(objectives!.objectives, values) }),
    metrics: t.metrics,
    reason: t.reason,
    message: t.message,
    ...(t.budget === undefined ? {} : { budget: t.budget }),
    ...(t.parent === undefined ? {} : { parent: t.parent }),
    ...(t.startedAt === undefined ? {} : { startedAt: t.startedAt }),
    ...(t.completedAt === undefined ? {} : { completedAt: t.completedAt }),
  };
}

/** The result document's `bestTrial` for `best`: its objective, or its text objective. */
function bestOf(exp: ExperimentRecord, best: TrialRecord): NonNullable<ExperimentResult['bestTrial']> {
  const text = textObjectiveOf(exp, best);
  const head = { name: best.name, parameters: best.params };
  return text === undefined
    ? { ...head, objective: best.objective! }
    : { ...head, objective: Number.NaN, objectiveText: text };
}

/** Builds the result document from the store. */
export async function experimentResult(store: Store, experiment: ExperimentRef): Promise<ExperimentResult | undefined> {
  const exp = await store.getExperiment(experiment);
  if (!exp) return undefined;
  const trials = await store.listTrials(experiment);
  const best = bestTrial(exp, trials);
  const several = severalObjectives(exp);
  return {
    experiment: exp.name,
    namespace: exp.namespace,
    status: exp.phase,
    reason: exp.reason,
    message: exp.message,
    bestTrial: best ? bestOf(exp, best) : null,
    ...(several === undefined ? {} : { objectives: several.objectives, paretoFront: paretoFront(several, trials) }),
    trials: trials.map((t) => summarizeTrial(t, several)),
  };
}
