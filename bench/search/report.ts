/** Renders a {@link BenchReport} as markdown (`search.md`), JSON (`search.json`) and the plot (`search.svg`). */
import type { BenchReport } from './benchmark.ts';
import { benchmarkFunction } from './functions.ts';
import { ourSeriesId } from './harness.ts';
import { checkpoints } from './summary.ts';
import { type PlotLine, plotSvg } from './svg.ts';

const g = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : '—');

/** The markdown report: the regret/wall table per function × sampler, the targets, and the long studies. */
export function markdownReport(r: BenchReport): string {
  const o = r.options;
  const lines = [
    `# Search benchmark (${r.date.slice(0, 10)}, ${r.machine.cpus} cores, ${r.machine.cpuModel}, Node ${r.machine.node})`,
    '',
    `${o.trials} trials, ${o.seeds} seeds, instant objectives. Regret = best value so far − the optimum listed in functions.py; ` +
      'cells show the median [25%, 75%] over seeds. Study wall = median time of a whole study (the optimiser’s own cost). ' +
      `Parallel rows: ${o.parallel} trials in flight, ${o.schedules.map((x) => (x === 'sync' ? 'synchronous batches (sync)' : 'one slot refilled as each trial ends (async)')).join(' and ')}. Rows marked [ANCHORS.md] are the fixed figures of shared/bench/ANCHORS.md (median only).`,
    '',
    `Optuna: ${r.optuna.version ? `${r.optuna.version} (python3-optuna), run side by side${r.optuna.seconds === undefined ? '' : ` in ${r.optuna.seconds.toFixed(0)} s`}` : (r.optuna.error ?? 'not run')}.`,
  ];
  if (r.notAvailable.length > 0)
    lines.push('', `Not available (not registered in builtinAlgorithms): ${r.notAvailable.join(', ')}.`);
  for (const e of r.errors) lines.push('', `Error in ${e.series}: ${e.error}`);
  lines.push(
    '',
    `| function | sampler | ${checkpoints.map((c) => `regret@${c}`).join(' | ')} | study wall | studies | coincident pairs |`,
    `|---|---|${checkpoints.map(() => '---|').join('')}---|---|---|`,
  );
  for (const row of r.rows) {
    const cells = checkpoints.map((c) => {
      const q = row.regret[c];
      if (q === undefined) return '—';
      return Number.isNaN(q.q25) ? g(q.median) : `${g(q.median)} [${g(q.q25)}, ${g(q.q75)}]`;
    });
    const wall = Number.isFinite(row.wallS) ? `${g(row.wallS)} s` : '—';
    const optimum = benchmarkFunction(row.fn)?.optimum;
    lines.push(
      `| ${row.fn} (${optimum}) | ${row.sampler} | ${cells.join(' | ')} | ${wall} | ${row.studies || '—'} | ${row.coincidences ?? '—'} |`,
    );
  }
  lines.push('', '## Targets (issue #3)', '', '| target | result | detail |', '|---|---|---|');
  for (const t of r.targets)
    lines.push(
      `| ${t.description} | ${t.status === 'pass' ? 'PASS' : t.status === 'fail' ? 'FAIL' : 'n/a'} | ${t.detail} |`,
    );
  if (r.parity !== undefined) lines.push(...parityTable(r, r.parity));
  if (r.long.length > 0) {
    lines.push(
      '',
      '## Long studies (Hartmann6, seed 0, sequential)',
      '',
      '| algorithm | trials | study wall | suggestion time by observations | slowest suggestion |',
      '|---|---|---|---|---|',
    );
    for (const l of r.long) {
      const at = l.suggestS
        ? Object.entries(l.suggestS)
            .map(([n, s]) => `${n}: ${g(s * 1000)} ms`)
            .join(', ')
        : (l.error ?? l.status);
      const wall = l.wallS === undefined ? '—' : `${g(l.wallS)} s`;
      const max = l.maxSuggestS === undefined ? '—' : `${g(l.maxSuggestS * 1000)} ms`;
      lines.push(`| ${l.algorithm} | ${l.trials} | ${wall} | ${at} | ${max} |`);
      const large = l.largeHistory;
      if (large?.suggestS !== undefined && large.suggestS.length > 0) {
        const times = large.suggestS.map((v) => `${g(v * 1000)} ms`).join(', ');
        const slowest = `${g(Math.max(...large.suggestS) * 1000)} ms`;
        lines.push(
          `| ${l.algorithm} | ${large.observations} random + ${large.suggestS.length} | — | ${large.observations}: ${times} (the first fitted from scratch) | ${slowest} |`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Parallel against sequential regret@100 over the robustness check's seeds, one line per algorithm, function and schedule. */
function parityTable(r: BenchReport, parity: NonNullable<BenchReport['parity']>): string[] {
  const p = r.options.parallel;
  const lines = [
    '',
    `## Parallel-${p} against sequential over ${parity.seeds} seeds (robustness check)`,
    '',
    `Regret@100, median [25%, 75%] over seeds 0–${parity.seeds - 1} (the protocol's 10 included), and the ratio ` +
      'of the medians and of the geometric means (regrets floored at 1e-9). The protocol compares medians of 10 runs, ' +
      'which move by a third from one seed set to another on heavy-tailed functions; this table shows whether a gap ' +
      'is the algorithm or the draw.',
    '',
    `| function | algorithm | schedule | sequential | parallel ${p} | median ratio | geo-mean ratio |`,
    '|---|---|---|---|---|---|---|',
  ];
  const cell = (q: { median: number; q25: number; q75: number }): string => `${g(q.median)} [${g(q.q25)}, ${g(q.q75)}]`;
  for (const row of parity.rows) {
    if (row.seriesId.includes('@')) continue;
    for (const schedule of r.options.schedules) {
      const par = parity.rows.find((x) => x.fn === row.fn && x.seriesId === ourSeriesId(row.seriesId, p, schedule));
      const a = row.regret[100];
      const b = par?.regret[100];
      if (a === undefined || b === undefined) continue;
      const ga = row.geoMean?.[100];
      const gb = par?.geoMean?.[100];
      const geo = ga === undefined || gb === undefined ? '—' : (gb / ga).toFixed(2);
      lines.push(
        `| ${row.fn} | ${row.seriesId} | ${schedule} | ${cell(a)} | ${cell(b)} | ${(b.median / a.median).toFixed(2)} | ${geo} |`,
      );
    }
  }
  return lines;
}

/** The JSON document: the report without the raw per-study series (the curves keep their medians). */
export function jsonReport(r: BenchReport): string {
  const { series: _series, ...rest } = r;
  return `${JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/** The plot: one panel per function, our and Optuna's median curves solid, the anchors dashed through their checkpoints. */
export function svgReport(r: BenchReport): string {
  const panels = r.options.functions.map((fn) => {
    const lines: PlotLine[] = [];
    for (const [label, curve] of Object.entries(r.curves[fn] ?? {})) {
      const s = r.series.find((x) => x.label === label);
      const parallel = (s?.parallel ?? 1) > 1;
      const points = curve.map((v, i) => [i + 1, v] as const);
      lines.push({
        label,
        points,
        style: parallel ? 'dotted' : 'solid',
        group: s?.algorithm ? `hpo ${s.algorithm}` : label,
      });
    }
    for (const [label, points] of Object.entries(r.anchorCurves[fn] ?? {}))
      lines.push({ label, points, style: 'dashed' });
    return { title: `${fn} (optimum ${benchmarkFunction(fn)?.optimum})`, lines };
  });
  return plotSvg(panels, `Median best-so-far regret, ${r.options.seeds} seeds`);
}
