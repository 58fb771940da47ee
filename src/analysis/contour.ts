import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Parameter } from '../search/space.ts';
import { chosenParameters, isCategorical, isLogScale, scoredTrials } from './input.ts';
import { baseSpec, objectiveSubtitle } from './spec.ts';
import type { AnalysisInput, Plot, PlotOptions } from './types.ts';

/** One cell of the contour grid: its extent on each axis (a category for a categorical axis) and its value. */
export interface ContourCell {
  /** The cell's category, or its centre on a numeric axis. */
  readonly x: number | string;
  readonly y: number | string;
  /** Numeric axes only: the cell's bounds. */
  readonly x0?: number;
  readonly x1?: number;
  readonly y0?: number;
  readonly y1?: number;
  /** The interpolated objective. */
  readonly value: number;
}

/** A scored trial placed on the contour's two axes. */
export interface ContourPoint {
  readonly trial: string;
  readonly x: number | string;
  readonly y: number | string;
  readonly objective: number;
}

/** The contour's data: the grid cells that have a value, and the trials they were interpolated from. */
export interface ContourData {
  readonly params: readonly [string, string];
  readonly cells: readonly ContourCell[];
  readonly trials: readonly ContourPoint[];
}

/** One axis of the grid: its cells (centre and bounds, or a category) and how a value maps to unit space. */
interface GridAxis {
  readonly cells: readonly { readonly at: number | string; readonly lo?: number; readonly hi?: number }[];
  /** Position in [0, 1] (numeric axes); categories compare by equality instead. */
  readonly unit: (v: number) => number;
}

function gridAxis(p: Parameter, resolution: number): GridAxis {
  const d = p.domain;
  if (d.kind === 'categorical') return { cells: d.values.map((at) => ({ at })), unit: () => 0 };
  const min = d.kind === 'discrete' ? Math.min(...d.values) : d.min;
  const max = d.kind === 'discrete' ? Math.max(...d.values) : d.max;
  const log = isLogScale(p) && min > 0;
  const to = (v: number): number => (log ? Math.log(v) : v);
  const from = (u: number): number => (log ? Math.exp(u) : u);
  const lo = to(min);
  const width = to(max) - lo;
  const unit = (v: number): number => (width === 0 ? 0.5 : (to(v) - lo) / width);
  if (width === 0) return { cells: [{ at: min, lo: min, hi: max }], unit };
  const cells = Array.from({ length: resolution }, (_, k) => ({
    at: from(lo + ((k + 0.5) / resolution) * width),
    lo: from(lo + (k / resolution) * width),
    hi: from(lo + ((k + 1) / resolution) * width),
  }));
  return { cells, unit };
}

/**
 * Inverse-distance-weighted value (Shepard, power 2) at a grid cell from the trials that share its categories,
 * with distance measured in unit space over the numeric axes. A trial at the cell's centre gives its own value
 * (several: their mean); with no numeric axis every matching trial weighs the same (the mean per category pair).
 */
function interpolate(
  at: readonly [number | string, number | string],
  axes: readonly [GridAxis, GridAxis],
  categorical: readonly [boolean, boolean],
  points: readonly ContourPoint[],
): number | undefined {
  let weighted = 0;
  let weights = 0;
  let exact = 0;
  let exactCount = 0;
  for (const pt of points) {
    const coords = [pt.x, pt.y] as const;
    let d2 = 0;
    let eligible = true;
    for (const i of [0, 1] as const) {
      if (categorical[i]) {
        if (coords[i] !== at[i]) eligible = false;
      } else {
        const delta = axes[i].unit(Number(coords[i])) - axes[i].unit(at[i] as number);
        d2 += delta * delta;
      }
    }
    if (!eligible) continue;
    if (d2 < 1e-18) {
      exact += pt.objective;
      exactCount++;
      continue;
    }
    weighted += pt.objective / d2;
    weights += 1 / d2;
  }
  if (exactCount > 0) return exact / exactCount;
  return weights > 0 ? weighted / weights : undefined;
}

/**
 * The contour of the objective over two parameters (the first two chosen): a grid of `resolution` cells per
 * numeric axis (log-spaced on log scales) or one cell per category, each valued by inverse-distance
 * interpolation of the scored trials. Throws `invalidArgument` when fewer than two parameters are available.
 */
export function contourData(input: AnalysisInput, options: PlotOptions = {}): ContourData {
  const chosen = chosenParameters(input, options);
  if (chosen.length < 2) {
    const names = chosen.map((p) => p.name).join(', ') || 'none';
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `a contour plot needs two parameters, and experiment '${input.name}' ${options.params?.length ? 'was given' : 'has'} only ${chosen.length} (${names}); use the slice plot for one parameter`,
    );
  }
  const resolution = options.resolution ?? 25;
  if (!Number.isInteger(resolution) || resolution < 2 || resolution > 200) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `the contour resolution must be a whole number from 2 to 200, got ${resolution}`,
    );
  }
  const px = chosen[0]!;
  const py = chosen[1]!;
  const axes = [gridAxis(px, resolution), gridAxis(py, resolution)] as const;
  const categorical = [isCategorical(px), isCategorical(py)] as const;
  const trials: ContourPoint[] = [];
  for (const { trial, objective } of scoredTrials(input)) {
    const x = trial.params[px.name];
    const y = trial.params[py.name];
    // A value the axis cannot place (a number where a category belongs, text on a numeric axis: the space was
    // edited after the trial ran) is left out rather than poisoning every cell's average.
    const placeable = (v: unknown, categorical: boolean) =>
      categorical ? typeof v === 'string' : Number.isFinite(Number(v)) && typeof v === 'number';
    if (placeable(x, categorical[0]) && placeable(y, categorical[1]))
      trials.push({ trial: trial.name, x: x!, y: y!, objective });
  }
  const cells: ContourCell[] = [];
  for (const cy of axes[1].cells) {
    for (const cx of axes[0].cells) {
      const value = interpolate([cx.at, cy.at], axes, categorical, trials);
      if (value === undefined) continue;
      cells.push({
        x: cx.at,
        y: cy.at,
        ...(cx.lo === undefined ? {} : { x0: cx.lo, x1: cx.hi! }),
        ...(cy.lo === undefined ? {} : { y0: cy.lo, y1: cy.hi! }),
        value,
      });
    }
  }
  return { params: [px.name, py.name], cells, trials };
}

function channel(p: Parameter, field: string, bound?: string): Record<string, unknown> {
  if (isCategorical(p)) return { field, type: 'nominal', title: p.name };
  return {
    field: bound ?? field,
    type: 'quantitative',
    title: p.name,
    scale: { ...(isLogScale(p) ? { type: 'log' } : { zero: false }), nice: false },
  };
}

/** The contour plot: the interpolated grid as coloured cells, with the trials drawn on top. */
export function contourPlot(input: AnalysisInput, options: PlotOptions = {}): Plot<ContourData> {
  const data = contourData(input, options);
  const [px, py] = data.params.map((n) => input.space.find((p) => p.name === n)!) as [Parameter, Parameter];
  const color = {
    field: 'value',
    type: 'quantitative',
    title: input.objective.metricName,
    scale: { scheme: 'viridis', reverse: input.objective.type === 'maximize' },
  };
  const spec = {
    ...baseSpec('Contour', `${objectiveSubtitle(input)} over ${px.name} and ${py.name}`, data.cells),
    width: 360,
    height: 300,
    layer: [
      {
        name: 'cells',
        // The cell's own colour as its outline closes the hairline gaps anti-aliasing leaves between cells; a
        // copy of the value under another name keeps its (hidden) legend from swallowing the colour legend.
        transform: [{ calculate: 'datum.value', as: 'outline' }],
        mark: { type: 'rect', strokeWidth: 0.5 },
        encoding: {
          x: channel(px, 'x', 'x0'),
          ...(isCategorical(px) ? {} : { x2: { field: 'x1' } }),
          y: channel(py, 'y', 'y0'),
          ...(isCategorical(py) ? {} : { y2: { field: 'y1' } }),
          color,
          stroke: { ...color, field: 'outline', legend: null },
        },
      },
      {
        name: 'trials',
        data: { values: data.trials },
        mark: { type: 'point', filled: true, color: 'white', stroke: 'black', strokeWidth: 0.8, size: 30 },
        encoding: {
          x: channel(px, 'x'),
          y: channel(py, 'y'),
          tooltip: [
            { field: 'trial', type: 'nominal' },
            { field: 'objective', type: 'quantitative' },
          ],
        },
      },
    ],
  };
  return { kind: 'contour', data, spec };
}
