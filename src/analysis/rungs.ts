import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { scoredTrials } from './input.ts';
import { baseSpec, objectiveAxis, objectiveSubtitle } from './spec.ts';
import type { AnalysisInput, Plot } from './types.ts';

/** A scored trial that ran with a budget (a Hyperband/BOHB/ASHA rung). */
export interface RungRow {
  readonly trial: string;
  readonly budget: number;
  readonly objective: number;
  readonly state: string;
  /** The trial this one was promoted from (its `parent`), when that trial is scored too. */
  readonly parent?: string;
  /** The parent's budget and objective, for the promotion segment. */
  readonly parentBudget?: number;
  readonly parentObjective?: number;
}

/**
 * Rungs: each scored trial that carries a budget (`TrialRecord.budget`, set by Hyperband, BOHB and ASHA's
 * proposals), with its promotion from a parent trial. Throws `invalidArgument` when no trial has a budget (the
 * algorithm is not multi-fidelity).
 */
export function rungsData(input: AnalysisInput): RungRow[] {
  const scored = scoredTrials(input);
  const budgeted = scored.filter((s) => s.trial.budget !== undefined && Number.isFinite(s.trial.budget));
  if (budgeted.length === 0) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `no trial of experiment '${input.name}' carries a budget, so there are no rungs to plot; rungs come from multi-fidelity algorithms (hyperband, bohb, asha)`,
    );
  }
  const byName = new Map(budgeted.map((s) => [s.trial.name, s]));
  return budgeted.map(({ trial, objective }) => {
    const parent = trial.parent === undefined ? undefined : byName.get(trial.parent);
    return {
      trial: trial.name,
      budget: trial.budget!,
      objective,
      state: trial.state,
      ...(parent === undefined
        ? {}
        : { parent: parent.trial.name, parentBudget: parent.trial.budget!, parentObjective: parent.objective }),
    };
  });
}

/** The rung plot: objective by budget (log axis), a point per trial and a segment per promotion. */
export function rungsPlot(input: AnalysisInput): Plot<RungRow[]> {
  const data = rungsData(input);
  const budgets = new Set(data.map((r) => r.budget));
  const x = { field: 'budget', type: 'quantitative', title: 'budget', scale: { type: 'log' } };
  const spec = {
    ...baseSpec(
      'Rungs',
      `${objectiveSubtitle(input)}; ${budgets.size} budget level${budgets.size === 1 ? '' : 's'}`,
      data,
    ),
    width: 480,
    height: 300,
    layer: [
      {
        name: 'promotions',
        transform: [{ filter: 'isValid(datum.parent)' }],
        mark: { type: 'rule', color: '#aaa' },
        encoding: {
          x: { field: 'parentBudget', type: 'quantitative', scale: { type: 'log' } },
          x2: { field: 'budget' },
          y: { field: 'parentObjective', type: 'quantitative' },
          y2: { field: 'objective' },
        },
      },
      {
        name: 'trials',
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x,
          y: objectiveAxis(input),
          color: { field: 'state', type: 'nominal', title: 'state' },
          tooltip: [
            { field: 'trial', type: 'nominal' },
            { field: 'budget', type: 'quantitative' },
            { field: 'objective', type: 'quantitative' },
          ],
        },
      },
    ],
  };
  return { kind: 'rungs', data, spec };
}
