import type { AnalysisInput, VegaLiteSpec } from './types.ts';

/** The Vega-Lite schema every spec names (vega-lite 6). */
export const vegaLiteSchema = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * The top of every spec: schema, title, the rows inlined as `data.values`, a white background (an SVG or PNG
 * opened on its own is otherwise transparent) and a font DejaVu Sans can stand in for, so PNGs rendered with
 * the system fonts match the SVG.
 */
export function baseSpec(title: string, subtitle: string, rows: readonly object[]): Record<string, unknown> {
  return {
    $schema: vegaLiteSchema,
    title: { text: title, subtitle },
    background: 'white',
    data: { values: rows },
    config: { font: 'DejaVu Sans, sans-serif', view: { stroke: '#ddd' } },
  };
}

/** "maximize accuracy" / "minimize loss": the subtitle every objective plot carries. */
export function objectiveSubtitle(input: AnalysisInput): string {
  return `${input.name}: ${input.objective.type} ${input.objective.metricName}`;
}

/** A y (or x) encoding of the objective value. */
export function objectiveAxis(input: AnalysisInput, field = 'objective'): VegaLiteSpec {
  return { field, type: 'quantitative', title: input.objective.metricName, scale: { zero: false } };
}
