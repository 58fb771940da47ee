import { chosenParameters, isCategorical, isLogScale, scoredTrials } from './input.ts';
import { baseSpec, objectiveAxis, objectiveSubtitle } from './spec.ts';
import type { AnalysisInput, Plot, PlotOptions } from './types.ts';

/** One point of a slice plot: a scored trial's value of one parameter and its objective. */
export interface SliceRow {
  readonly trial: string;
  /** 1-based creation order, for the colour (later trials darker). */
  readonly number: number;
  readonly param: string;
  readonly value: number | string;
  readonly objective: number;
}

/** Slice data: for each chosen parameter, one row per scored trial that has a value for it. */
export function sliceData(input: AnalysisInput, options: PlotOptions = {}): SliceRow[] {
  const params = chosenParameters(input, options);
  const scored = scoredTrials(input);
  const rows: SliceRow[] = [];
  for (const p of params) {
    for (const { trial, objective } of scored) {
      const value = trial.params[p.name];
      if (value !== undefined) rows.push({ trial: trial.name, number: trial.seq + 1, param: p.name, value, objective });
    }
  }
  return rows;
}

/**
 * Slice plots: the objective against each parameter, one panel per parameter (a log axis for log-scaled ranges,
 * a nominal one for categories), points coloured by trial number.
 */
export function slicePlot(input: AnalysisInput, options: PlotOptions = {}): Plot<SliceRow[]> {
  const data = sliceData(input, options);
  const params = chosenParameters(input, options);
  const panels = params.map((p) => ({
    name: `slice_${params.indexOf(p)}`,
    width: 220,
    height: 200,
    transform: [{ filter: { field: 'param', equal: p.name } }],
    mark: { type: 'point', filled: true, size: 40 },
    encoding: {
      x: isCategorical(p)
        ? {
            field: 'value',
            type: 'nominal',
            title: p.name,
            sort: p.domain.kind === 'categorical' ? p.domain.values : null,
          }
        : {
            field: 'value',
            type: 'quantitative',
            title: p.name,
            scale: isLogScale(p) ? { type: 'log' } : { zero: false },
          },
      y: objectiveAxis(input),
      color: { field: 'number', type: 'quantitative', title: 'trial', scale: { scheme: 'blues' } },
      tooltip: [
        { field: 'trial', type: 'nominal' },
        { field: 'value', type: 'nominal', title: p.name },
        { field: 'objective', type: 'quantitative' },
      ],
    },
  }));
  const spec = {
    ...baseSpec('Slice plot', objectiveSubtitle(input), data),
    columns: Math.min(3, panels.length),
    concat: panels,
    resolve: { scale: { color: 'shared' } },
  };
  return { kind: 'slice', data, spec };
}
