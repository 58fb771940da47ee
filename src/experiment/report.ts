import type { Assignment } from '../search/space.ts';
import type { ExperimentRecord, ExperimentRef, MetricSummary, Store, TrialRecord } from '../store/types.ts';
import { isBetter } from './status.ts';

/** One trial as `hpo trials --output json` and `hpo run --output json` print it. */
export interface TrialSummary {
  readonly name: string;
  readonly state: string;
  readonly parameters: Assignment;
  readonly objective: number | null;
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
  readonly bestTrial: { readonly name: string; readonly parameters: Assignment; readonly objective: number } | null;
  readonly trials: readonly TrialSummary[];
}

/** The best trial: the best objective among trials that have one (Succeeded or EarlyStopped), first found on ties. */
export function bestTrial(exp: ExperimentRecord, trials: readonly TrialRecord[]): TrialRecord | undefined {
  const type = exp.manifest.spec.objective?.type ?? 'minimize';
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.objective === undefined || (t.state !== 'Succeeded' && t.state !== 'EarlyStopped')) continue;
    if (isBetter(type, t.objective, best?.objective)) best = t;
  }
  return best;
}

/** A trial as summarised for output. */
export function summarizeTrial(t: TrialRecord): TrialSummary {
  return {
    name: t.name,
    state: t.state,
    parameters: t.params,
    objective: t.objective ?? null,
    metrics: t.metrics,
    reason: t.reason,
    message: t.message,
    ...(t.budget === undefined ? {} : { budget: t.budget }),
    ...(t.parent === undefined ? {} : { parent: t.parent }),
    ...(t.startedAt === undefined ? {} : { startedAt: t.startedAt }),
    ...(t.completedAt === undefined ? {} : { completedAt: t.completedAt }),
  };
}

/** Builds the result document from the store. */
export async function experimentResult(store: Store, experiment: ExperimentRef): Promise<ExperimentResult | undefined> {
  const exp = await store.getExperiment(experiment);
  if (!exp) return undefined;
  const trials = await store.listTrials(experiment);
  const best = bestTrial(exp, trials);
  return {
    experiment: exp.name,
    namespace: exp.namespace,
    status: exp.phase,
    reason: exp.reason,
    message: exp.message,
    bestTrial: best ? { name: best.name, parameters: best.params, objective: best.objective! } : null,
    trials: trials.map(summarizeTrial),
  };
}
