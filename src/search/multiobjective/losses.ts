import type { ObjectiveSpec, TrialView } from '../types.ts';

/** The trials a multi-objective algorithm learns from, as loss vectors (every objective minimised). */
export interface LossHistory {
  /** Indices into the request's `trials` of the finished trials with a value for every objective. */
  readonly trials: readonly number[];
  /** One loss vector per entry of `trials`: maximised objectives negated. */
  readonly losses: readonly (readonly number[])[];
}

/**
 * The loss vector of one trial: its `values` (or, with one objective, its `objective`) with maximised objectives
 * negated, or undefined when the trial has not finished with a finite value for every objective. Succeeded and
 * EarlyStopped trials count, as for the single-objective algorithms; failed and unfinished ones do not.
 */
export function lossVector(trial: TrialView, objectives: readonly ObjectiveSpec[]): number[] | undefined {
  if (trial.state !== 'Succeeded' && trial.state !== 'EarlyStopped') return undefined;
  const values = trial.values ?? (trial.objective === undefined ? undefined : [trial.objective]);
  if (values === undefined || values.length < objectives.length) return undefined;
  const out: number[] = [];
  for (let k = 0; k < objectives.length; k++) {
    const v = values[k]!;
    if (!Number.isFinite(v)) return undefined;
    out.push(objectives[k]!.type === 'maximize' ? -v : v);
  }
  return out;
}

/** The loss vectors of every trial {@link lossVector} accepts, in creation order. */
export function lossVectors(trials: readonly TrialView[], objectives: readonly ObjectiveSpec[]): LossHistory {
  const indices: number[] = [];
  const losses: number[][] = [];
  for (let i = 0; i < trials.length; i++) {
    const loss = lossVector(trials[i]!, objectives);
    if (loss === undefined) continue;
    indices.push(i);
    losses.push(loss);
  }
  return { trials: indices, losses };
}
