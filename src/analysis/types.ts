import type { SearchSpace } from '../search/space.ts';
import type { ObjectiveSpec } from '../search/types.ts';
import type { MetricStrategyName } from '../spec/config.ts';
import type { ObservationRow, TrialRecord } from '../store/types.ts';

/**
 * A Vega-Lite specification as plain JSON (data inlined), so a dashboard can hand it to vega-embed, a notebook
 * can display it, and {@link renderSvg} can draw it on Node. Kept untyped here so that the analysis room's types
 * do not depend on vega-lite, an optional peer.
 */
export type VegaLiteSpec = Readonly<Record<string, unknown>>;

/** The plots the analysis room draws; `hpo plot --kind` takes the same names. */
export const plotKinds = [
  'history',
  'parallel',
  'slice',
  'contour',
  'curves',
  'importance',
  'rungs',
  'pareto',
] as const;

/** One of {@link plotKinds}. */
export type PlotKind = (typeof plotKinds)[number];

/**
 * One plot: the rows it draws (`data`, also inlined in the spec) and its Vega-Lite `spec`. Both are plain,
 * structured-cloneable JSON, so the same object serves the CLI, a JSON API and a notebook.
 */
export interface Plot<Data = unknown> {
  readonly kind: PlotKind;
  readonly data: Data;
  readonly spec: VegaLiteSpec;
}

/**
 * What every analysis function reads: the experiment's objective and search space, its trials in creation order
 * and, for learning curves, the objective metric's observation log. Built from a reader by `readAnalysisInput`
 * or by hand (tests, a dashboard that already holds the trials).
 */
export interface AnalysisInput {
  /** The experiment's name, used in titles. */
  readonly name: string;
  /** The primary objective (direction and metric name). */
  readonly objective: ObjectiveSpec;
  /**
   * Every objective, primary first (`objective.additionalObjectives`), and how each metric's value is taken from a
   * trial's summary; absent means `[objective]`, which the `pareto` plot refuses.
   */
  readonly objectives?: readonly ObjectiveSpec[];
  readonly metricStrategies?: Readonly<Record<string, MetricStrategyName>>;
  readonly space: SearchSpace;
  readonly trials: readonly TrialRecord[];
  /** Observations of the objective metric (needed by the `curves` plot only). */
  readonly observations?: readonly ObservationRow[];
}

/** Options shared by the plot functions. */
export interface PlotOptions {
  /** The parameters to show (parallel, slice, contour, importance), in this order; default every parameter. */
  readonly params?: readonly string[];
  /** Cells per numeric axis of the contour grid (default 25, between 2 and 200). */
  readonly resolution?: number;
}
