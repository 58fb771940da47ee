// The tabular NAS benchmark's figure: mean sampled accuracy per window of trials, one line per method, drawn with
// Vega-Lite (src/analysis). run.ts calls it; run alone it redraws bench/results/nasBench.svg from nasBench.json:
// node --import tsx bench/nas/plot.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSvg } from '../../src/analysis/render.ts';

/** What the figure needs of bench/results/nasBench.json. */
export interface PlotInput {
  readonly seeds: readonly number[];
  readonly table: { readonly architectures: number };
  readonly results: readonly {
    readonly method: string;
    readonly meanSampledAccuracy: readonly { readonly trials: string; readonly mean: number }[];
  }[];
}

/** The SVG document of the mean-sampled-accuracy figure. */
export async function nasPlotSvg(report: PlotInput): Promise<string> {
  const rows = report.results.flatMap((r) =>
    r.meanSampledAccuracy.map((w) => {
      const [from, to] = w.trials.split('-').map(Number) as [number, number];
      return { method: r.method, trial: (from + to) / 2, accuracy: w.mean };
    }),
  );
  const window = report.results[0]?.meanSampledAccuracy[0]?.trials ?? '';
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Mean sampled accuracy per window of trials (${window}, …; ${report.seeds.length} seeds), ${report.table.architectures}-architecture digits table`,
    width: 560,
    height: 300,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'trial', type: 'quantitative', title: 'trial (window centre)' },
      y: { field: 'accuracy', type: 'quantitative', title: 'mean sampled accuracy', scale: { zero: false } },
      color: {
        field: 'method',
        type: 'nominal',
        // No label limit: the method names carry the settings.
        legend: { orient: 'bottom', direction: 'vertical', labelLimit: 0 },
      },
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  const report = JSON.parse(readFileSync(`${dir}nasBench.json`, 'utf8')) as PlotInput;
  writeFileSync(`${dir}nasBench.svg`, await nasPlotSvg(report));
}
