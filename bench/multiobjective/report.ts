/** Renders the multi-objective {@link BenchReport} as markdown (`multiobjective.md`) and JSON (`multiobjective.json`). */
import type { BenchReport } from './benchmark.ts';

const f4 = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : '—');
const g3 = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : '—');

/** The markdown report: reference points, the hypervolume table, the targets. */
export function markdownReport(r: BenchReport): string {
  const o = r.options;
  const optuna = r.optuna.version
    ? `${r.optuna.version} (python3-optuna), run side by side in ${g3(r.optuna.seconds ?? Number.NaN)} s`
    : (r.optuna.error ?? 'not run');
  const lines = [
    `# Multi-objective benchmark (${r.date.slice(0, 10)}, ${r.machine.cpus} cores, ${r.machine.cpuModel}, Node ${r.machine.node})`,
    '',
    `${o.trials} trials, ${o.seeds} seeds (0–${o.seeds - 1}), sequential, instant objectives, every objective minimised, ` +
      '6 parameters in [0, 1]. Cells: hypervolume of all trials so far, median [25%, 75%] over seeds (higher is better), ' +
      'computed for both sides by src/search/multiobjective/hypervolume.ts. Study wall: median time of a whole study.',
    '',
    `Optuna: ${optuna}. Ours: ${g3(r.ours.seconds)} s.` +
      (o.optunaLimits.length > 0 ? ` Smaller Optuna budgets (slow samplers): ${o.optunaLimits.join(', ')}.` : '') +
      ((o.ourLimits?.length ?? 0) > 0 ? ` Smaller budgets of ours: ${o.ourLimits!.join(', ')}.` : ''),
    '',
    '| problem | reference point | hypervolume of the true front |',
    '|---|---|---|',
  ];
  for (const [name, p] of Object.entries(r.problems))
    lines.push(`| ${name} | (${p.reference.join(', ')}) | ${f4(p.optimum)} |`);
  lines.push(
    '',
    `| problem | sampler | ${o.checkpoints.map((c) => `HV@${c}`).join(' | ')} | study wall | trials × seeds |`,
    `|---|---|${o.checkpoints.map(() => '---|').join('')}---|---|`,
  );
  for (const row of r.rows) {
    const cells = o.checkpoints.map((c) => {
      const q = row.hypervolume[c];
      return q === undefined || Number.isNaN(q.median) ? '—' : `${f4(q.median)} [${f4(q.q25)}, ${f4(q.q75)}]`;
    });
    const seeds = Math.max(0, ...Object.values(row.studiesAt));
    lines.push(
      `| ${row.problem} | ${row.sampler} | ${cells.join(' | ')} | ${g3(row.wallS)} s | ${row.trials} × ${seeds} |`,
    );
  }
  lines.push('', '## Targets (issue #16)', '', '| target | result | detail |', '|---|---|---|');
  for (const t of r.targets)
    lines.push(`| ${t.description} | ${t.status === 'n/a' ? 'n/a' : t.status.toUpperCase()} | ${t.detail} |`);
  return `${lines.join('\n')}\n`;
}

/** The JSON report (the whole {@link BenchReport}). */
export function jsonReport(r: BenchReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
