/** Renders a {@link MixedReport} as markdown (`searchMixed.md`) and JSON (`searchMixed.json`). */
import { type MixedReport, mixedCheckpoints } from './mixedBenchmark.ts';
import { mixedFunctions } from './mixedFunctions.ts';

const g = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : '—');

/** The markdown report: the functions, the regret table per function × sampler, and the targets. */
export function mixedMarkdown(r: MixedReport): string {
  const o = r.options;
  const lines = [
    `# Mixed-space search benchmark (${r.date.slice(0, 10)}, ${r.machine.cpus} cores, ${r.machine.cpuModel}, Node ${r.machine.node})`,
    '',
    `${o.trials} trials, ${o.seeds} seeds, sequential, instant objectives (bench/search/mixedFunctions.ts). ` +
      'Regret = best value so far − the exact optimum (enumerated over the discrete part, closed form in the doubles); ' +
      'cells show the median [25%, 75%] over seeds. Study wall = median time of a whole study (the optimiser’s own cost; ' +
      'Optuna’s without the round trips to the evaluator).',
    '',
    `Optuna: ${r.optuna.version ? `${r.optuna.version} (python3-optuna) through bench/search/optuna_mixed.py, run side by side${r.optuna.seconds === undefined ? '' : ` in ${r.optuna.seconds.toFixed(0)} s`}; its CMA-ES draws categoricals and lists at random` : (r.optuna.error ?? 'not run')}.`,
    '',
    '| function | optimum | parameters |',
    '|---|---|---|',
  ];
  for (const name of o.functions) {
    const fn = mixedFunctions[name]!;
    lines.push(`| ${name} | ${Number(fn.optimum.toPrecision(10))} | ${fn.summary} |`);
  }
  if (r.notAvailable.length > 0) lines.push('', `Not available (not registered): ${r.notAvailable.join(', ')}.`);
  for (const e of r.errors) lines.push('', `Error in ${e.series}: ${e.error}`);
  lines.push(
    '',
    `| function | sampler | ${mixedCheckpoints.map((c) => `regret@${c}`).join(' | ')} | study wall |`,
    `|---|---|${mixedCheckpoints.map(() => '---|').join('')}---|`,
  );
  for (const row of r.rows) {
    const cells = mixedCheckpoints.map((c) => {
      const q = row.regret[c];
      return q === undefined ? '—' : `${g(q.median)} [${g(q.q25)}, ${g(q.q75)}]`;
    });
    lines.push(`| ${row.fn} | ${row.sampler} | ${cells.join(' | ')} | ${g(row.wallS)} s |`);
  }
  lines.push('', '## Targets (issue #18, mixed spaces)', '', '| target | result | detail |', '|---|---|---|');
  for (const t of r.targets)
    lines.push(`| ${t.description} | ${t.status === 'n/a' ? 'n/a' : t.status.toUpperCase()} | ${t.detail} |`);
  return `${lines.join('\n')}\n`;
}

/** The JSON document: the report without the raw per-study series. */
export function mixedJson(r: MixedReport): string {
  const { series: _series, ...rest } = r;
  return `${JSON.stringify(rest, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
