import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { contourPlot } from './contour.ts';
import { curvesPlot } from './curves.ts';
import { historyPlot } from './history.ts';
import { importancePlot } from './importance.ts';
import { parallelPlot } from './parallel.ts';
import { paretoPlot } from './pareto.ts';
import { rungsPlot } from './rungs.ts';
import { slicePlot } from './slice.ts';
import { type AnalysisInput, type Plot, type PlotKind, type PlotOptions, plotKinds } from './types.ts';

/** Whether `kind` names a plot (see {@link plotKinds}). */
export function isPlotKind(kind: string): kind is PlotKind {
  return (plotKinds as readonly string[]).includes(kind);
}

/**
 * Builds the plot of `kind` from the analysis input: the one entry point the CLI (and a dashboard) calls, the
 * same as calling `historyPlot`, `contourPlot`, … directly. `curves` needs `input.observations`.
 */
export function plotOf(input: AnalysisInput, kind: PlotKind, options: PlotOptions = {}): Plot {
  switch (kind) {
    case 'history':
      return historyPlot(input);
    case 'parallel':
      return parallelPlot(input, options);
    case 'slice':
      return slicePlot(input, options);
    case 'contour':
      return contourPlot(input, options);
    case 'curves':
      return curvesPlot(input);
    case 'importance':
      return importancePlot(input, options);
    case 'rungs':
      return rungsPlot(input);
    case 'pareto':
      return paretoPlot(input);
    default:
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `unknown plot kind '${String(kind)}'; the kinds are ${plotKinds.join(', ')}`,
      );
  }
}
