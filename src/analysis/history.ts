import { scoredTrials } from './input.ts';
import { baseSpec, objectiveAxis, objectiveSubtitle } from './spec.ts';
import type { AnalysisInput, Plot } from './types.ts';

/** One trial of the optimisation history. */
export interface HistoryRow {
  readonly trial: string;
  /** 1-based creation order (the trial's `seq` + 1). */
  readonly number: number;
  readonly state: string;
  readonly objective: number;
  /** The best objective among this trial and every earlier scored one (by the objective's direction). */
  readonly best: number;
}

/**
 * The optimisation history: each scored trial's objective by trial number, and the best value so far, which
 * never gets worse (never rises when minimising, never falls when maximising).
 */
export function historyData(input: AnalysisInput): HistoryRow[] {
  const maximize = input.objective.type === 'maximize';
  let best: number | undefined;
  return scoredTrials(input).map(({ trial, objective }) => {
    if (best === undefined || (maximize ? objective > best : objective < best)) best = objective;
    return { trial: trial.name, number: trial.seq + 1, state: trial.state, objective, best };
  });
}

/** The history plot: a point per scored trial and a step line of the best so far. */
export function historyPlot(input: AnalysisInput): Plot<HistoryRow[]> {
  const data = historyData(input);
  const x = { field: 'number', type: 'quantitative', title: 'trial', axis: { tickMinStep: 1 } };
  const spec = {
    ...baseSpec('Optimisation history', `${objectiveSubtitle(input)}; red line: best so far`, data),
    width: 480,
    height: 300,
    layer: [
      {
        name: 'trials',
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x,
          y: objectiveAxis(input),
          color: { field: 'state', type: 'nominal', title: 'state' },
          tooltip: [
            { field: 'trial', type: 'nominal' },
            { field: 'objective', type: 'quantitative' },
          ],
        },
      },
      {
        name: 'best',
        mark: { type: 'line', interpolate: 'step-after', color: '#d62728' },
        encoding: { x, y: { field: 'best', type: 'quantitative' } },
      },
    ],
  };
  return { kind: 'history', data, spec };
}
