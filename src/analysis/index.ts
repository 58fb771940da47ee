/**
 * `hpo-workbench/analysis`: plots and parameter importance from a stored experiment. Pure functions over
 * {@link AnalysisInput} (read through an `ExperimentReader`) return plot data and a Vega-Lite spec as plain JSON;
 * `renderSvg`/`renderPng`/`renderHtml` draw a spec on Node, loading the optional peers vega, vega-lite and
 * @resvg/resvg-js only when called.
 */
export { type ContourCell, type ContourData, type ContourPoint, contourData, contourPlot } from './contour.ts';
export { type CurveRow, curvesData, curvesPlot } from './curves.ts';
export { type ForestOptions, fitForest, predictTree, type TreeNode } from './forest.ts';
export { type HistoryRow, historyData, historyPlot } from './history.ts';
export {
  featureValue,
  type ImportanceOptions,
  importance,
  importancePlot,
  type ParameterImportance,
  treeMainEffects,
} from './importance.ts';
export { analysisInput, readAnalysisInput, type ScoredTrial, scoredTrials } from './input.ts';
export { progressHtml, type TrialsTableOptions, trialsTableHtml } from './notebook.ts';
export { type ParallelRow, parallelData, parallelPlot } from './parallel.ts';
export { type ParetoRow, paretoData, paretoPlot } from './pareto.ts';
export { isPlotKind, plotOf } from './plot.ts';
export { type PngOptions, renderHtml, renderPackages, renderPng, renderSvg } from './render.ts';
export { type RungRow, rungsData, rungsPlot } from './rungs.ts';
export { type SliceRow, sliceData, slicePlot } from './slice.ts';
export { vegaLiteSchema } from './spec.ts';
export {
  type AnalysisInput,
  type Plot,
  type PlotKind,
  type PlotOptions,
  plotKinds,
  type VegaLiteSpec,
} from './types.ts';
