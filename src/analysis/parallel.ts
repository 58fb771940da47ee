import type { Parameter } from '../search/space.ts';
import { shortNumber } from './format.ts';
import { chosenParameters, scoredTrials, unitValue } from './input.ts';
import { baseSpec, objectiveSubtitle } from './spec.ts';
import type { AnalysisInput, Plot, PlotOptions } from './types.ts';

/** One point of one trial's polyline: its value on one axis (a parameter, or the objective last). */
export interface ParallelRow {
  readonly trial: string;
  readonly axis: string;
  /** The axis' position, left to right. */
  readonly position: number;
  /** Position on the axis in [0, 1]: numeric ranges linear (log space for log scales), lists by index. */
  readonly y: number;
  /** The value itself, as shown in the tooltip. */
  readonly value: number | string;
  /** The trial's objective, for the colour. */
  readonly objective: number;
}

interface Tick {
  readonly axis: string;
  readonly y: number;
  readonly label: string;
}

function ticksOf(p: Parameter): Tick[] {
  const d = p.domain;
  if (d.kind === 'categorical' || d.kind === 'discrete') {
    return d.values.map((v) => ({ axis: p.name, y: unitValue(p, v), label: String(v) }));
  }
  return [
    { axis: p.name, y: 0, label: shortNumber(d.min) },
    { axis: p.name, y: 1, label: shortNumber(d.max) },
  ];
}

/**
 * Parallel coordinates: one polyline per scored trial through one axis per parameter and a last axis for the
 * objective. Each axis spans its parameter's whole domain (the objective: the observed range).
 */
export function parallelData(input: AnalysisInput, options: PlotOptions = {}): ParallelRow[] {
  const params = chosenParameters(input, options);
  const scored = scoredTrials(input);
  const lo = Math.min(...scored.map((s) => s.objective));
  const hi = Math.max(...scored.map((s) => s.objective));
  const rows: ParallelRow[] = [];
  for (const { trial, objective } of scored) {
    const base = { trial: trial.name, objective };
    params.forEach((p, position) => {
      const value = trial.params[p.name];
      const y = unitValue(p, value);
      if (value !== undefined && Number.isFinite(y)) rows.push({ ...base, axis: p.name, position, y, value });
    });
    const y = hi === lo ? 0.5 : (objective - lo) / (hi - lo);
    rows.push({ ...base, axis: input.objective.metricName, position: params.length, y, value: objective });
  }
  return rows;
}

/** The parallel-coordinates plot: a line per trial coloured by objective, with each axis' range labelled. */
export function parallelPlot(input: AnalysisInput, options: PlotOptions = {}): Plot<ParallelRow[]> {
  const data = parallelData(input, options);
  const params = chosenParameters(input, options);
  const order = [...params.map((p) => p.name), input.objective.metricName];
  const objectives = data.filter((r) => r.position === params.length).map((r) => r.objective);
  const ticks: Tick[] = [
    ...params.flatMap(ticksOf),
    { axis: input.objective.metricName, y: 0, label: shortNumber(Math.min(...objectives)) },
    { axis: input.objective.metricName, y: 1, label: shortNumber(Math.max(...objectives)) },
  ];
  const x = { field: 'axis', type: 'nominal', sort: order, title: null, axis: { labelAngle: 0, orient: 'top' } };
  const y = { field: 'y', type: 'quantitative', axis: null, title: null, scale: { domain: [0, 1] } };
  const spec = {
    ...baseSpec('Parallel coordinates', objectiveSubtitle(input), data),
    width: Math.max(320, 110 * order.length),
    height: 300,
    layer: [
      {
        name: 'axes',
        data: { values: order.map((axis) => ({ axis })) },
        mark: { type: 'rule', color: '#888' },
        encoding: { x, y: { datum: 0, type: 'quantitative', axis: null, title: null }, y2: { datum: 1 } },
      },
      {
        name: 'trials',
        mark: { type: 'line', opacity: 0.7 },
        encoding: {
          x,
          y,
          detail: { field: 'trial', type: 'nominal' },
          color: {
            field: 'objective',
            type: 'quantitative',
            title: input.objective.metricName,
            scale: { scheme: 'viridis', reverse: input.objective.type === 'maximize' },
          },
          tooltip: [
            { field: 'trial', type: 'nominal' },
            { field: 'axis', type: 'nominal' },
            { field: 'value', type: 'nominal' },
          ],
        },
      },
      {
        name: 'ticks',
        data: { values: ticks },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
        encoding: { x, y, text: { field: 'label', type: 'nominal' } },
      },
    ],
  };
  return { kind: 'parallel', data, spec };
}
