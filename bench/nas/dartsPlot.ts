// The DARTS benchmark's figure: per seed, the retrained accuracy of each random genotype, their median, and the
// DARTS-derived genotype, drawn with Vega-Lite (src/analysis). dartsRun.ts calls it; run alone it redraws
// bench/results/nasDarts.svg from nasDarts.json: node --import tsx bench/nas/dartsPlot.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSvg } from '../../src/analysis/render.ts';
import type { SeedRun, SeedVerdict } from './darts.ts';

/** What the figure needs of bench/results/nasDarts.json. */
export interface DartsPlotInput {
  readonly retrainEpochs: number;
  readonly seeds: readonly (SeedRun & { readonly verdict: SeedVerdict })[];
}

/** The SVG document of the per-seed accuracy figure. */
export async function dartsPlotSvg(report: DartsPlotInput): Promise<string> {
  const rows = report.seeds.flatMap((s) => [
    ...s.random.map((r) => ({ seed: `seed ${s.seed}`, accuracy: r.accuracy, what: 'random genotype' })),
    { seed: `seed ${s.seed}`, accuracy: s.verdict.randomMedian, what: 'median of the random genotypes' },
    { seed: `seed ${s.seed}`, accuracy: s.derivedAccuracy, what: 'DARTS-derived genotype' },
  ]);
  const what = ['random genotype', 'median of the random genotypes', 'DARTS-derived genotype'];
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Retrained accuracy on digits (${report.retrainEpochs} epochs from scratch), per seed`,
    width: 460,
    height: 280,
    data: { values: rows },
    mark: { type: 'point', filled: true, size: 90, opacity: 0.8 },
    encoding: {
      x: { field: 'seed', type: 'nominal', title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'what', type: 'nominal', sort: what },
      y: { field: 'accuracy', type: 'quantitative', title: 'held-out accuracy', scale: { zero: false } },
      color: { field: 'what', type: 'nominal', sort: what, title: null, legend: { orient: 'bottom', labelLimit: 0 } },
      shape: { field: 'what', type: 'nominal', sort: what, title: null },
    },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  const report = JSON.parse(readFileSync(`${dir}nasDarts.json`, 'utf8')) as DartsPlotInput;
  writeFileSync(`${dir}nasDarts.svg`, await dartsPlotSvg(report));
}
