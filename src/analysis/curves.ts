import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { baseSpec, objectiveAxis, objectiveSubtitle } from './spec.ts';
import type { AnalysisInput, Plot } from './types.ts';

/** One reported value of the objective metric: a point of a trial's learning curve. */
export interface CurveRow {
  readonly trial: string;
  readonly step: number;
  readonly value: number;
  readonly state: string;
  /** The trial was stopped early (its state is `EarlyStopped`). */
  readonly earlyStopped: boolean;
  /** This is the trial's last reported value (where an early stop is marked). */
  readonly last: boolean;
}

/**
 * Learning curves: every trial's reported values of the objective metric by step, from the observation log
 * (`input.observations`), in report order. Values that are not finite numbers are left out. Throws
 * `invalidArgument` when no trial reported the metric.
 */
export function curvesData(input: AnalysisInput): CurveRow[] {
  const states = new Map(input.trials.map((t) => [t.name, t.state]));
  const byTrial = new Map<string, { step: number; value: number }[]>();
  for (const o of input.observations ?? []) {
    if (o.metric !== input.objective.metricName) continue;
    const value = Number(o.value);
    if (!Number.isFinite(value) || o.value.trim() === '') continue;
    const list = byTrial.get(o.trial) ?? [];
    if (list.length === 0) byTrial.set(o.trial, list);
    list.push({ step: o.step, value });
  }
  if (byTrial.size === 0) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `no trial of experiment '${input.name}' has reported '${input.objective.metricName}' in its observation log yet, so there are no learning curves to plot`,
    );
  }
  const rows: CurveRow[] = [];
  // Trials in creation order, so colours and legends follow the experiment.
  for (const t of input.trials) {
    const list = byTrial.get(t.name);
    if (!list) continue;
    list.forEach((p, i) => {
      rows.push({
        trial: t.name,
        step: p.step,
        value: p.value,
        state: states.get(t.name) ?? 'Unknown',
        earlyStopped: t.state === 'EarlyStopped',
        last: i === list.length - 1,
      });
    });
  }
  return rows;
}

/**
 * The learning-curve plot: a line per trial (dashed when it was stopped early) and a cross where each
 * early-stopped trial was stopped.
 */
export function curvesPlot(input: AnalysisInput): Plot<CurveRow[]> {
  const data = curvesData(input);
  const x = { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } };
  const y = objectiveAxis(input, 'value');
  const spec = {
    ...baseSpec('Intermediate values', objectiveSubtitle(input), data),
    width: 480,
    height: 300,
    layer: [
      {
        name: 'curves',
        mark: { type: 'line', point: false, opacity: 0.8 },
        encoding: {
          x,
          y,
          detail: { field: 'trial', type: 'nominal' },
          color: { field: 'state', type: 'nominal', title: 'state' },
          strokeDash: { field: 'earlyStopped', type: 'nominal', title: 'stopped early' },
          tooltip: [
            { field: 'trial', type: 'nominal' },
            { field: 'step', type: 'quantitative' },
            { field: 'value', type: 'quantitative' },
          ],
        },
      },
      {
        name: 'stops',
        transform: [{ filter: 'datum.earlyStopped && datum.last' }],
        mark: { type: 'point', shape: 'cross', size: 80, filled: true, color: '#d62728' },
        encoding: { x, y, tooltip: [{ field: 'trial', type: 'nominal' }] },
      },
    ],
  };
  return { kind: 'curves', data, spec };
}
