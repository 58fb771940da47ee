/** Renders the multi-fidelity report as markdown, JSON and SVG, and the median-stop report as markdown. */
import type { FunctionResult, MfReport } from './benchmark.ts';
import { speedup } from './benchmark.ts';
import type { MedianStopReport } from './medianstop.ts';
import { medianStopTarget } from './medianstop.ts';
import { ashaParallel, eta } from './methods.ts';
import { plotLogLog } from './svg.ts';
import { curveValueAt, logGrid } from './trace.ts';

const g = (v: number | undefined): string =>
  v !== undefined && Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : '—';
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const verdict = (s: 'pass' | 'fail' | 'n/a'): string => (s === 'pass' ? 'PASS' : s === 'fail' ? 'FAIL' : 'n/a');

/** How each method was run, for the report's preamble. */
const methodNotes: Readonly<Record<string, string>> = {
  random: 'random search, every trial at budget 81 (cost 81): the baseline',
  hyperband: `hyperband (r_l 81, eta ${eta}, resource_name budget), sequential ask/tell, promoted trials pay their whole budget again`,
  bohb: `bohb (same schedule, KDE proposals), sequential ask/tell`,
  asha: `asha proposals + AshaStopper (eta ${eta}, min_resource 1, max_resource 81), ${ashaParallel} trials in flight asynchronously, reports at rungs 1, 3, 9, 27, 81; cost = budget reached`,
};

/** Budgets at which the table shows the median regret (powers of 3 times 81, up to the cap). */
function checkpoints(cap: number): number[] {
  const out: number[] = [];
  for (let b = 81; b < cap; b *= 3) out.push(b);
  out.push(cap);
  return out;
}

/** The markdown report: per function × method, the median regret at budget checkpoints, the budget to the target, and the targets. */
export function markdownReport(r: MfReport): string {
  const o = r.options;
  const lines = [
    `# Multi-fidelity benchmark (${r.date.slice(0, 10)}, ${r.machine.cpus} cores, ${r.machine.cpuModel}, Node ${r.machine.node})`,
    '',
    `Functions of shared/bench/multifidelity.py (budget 1..81, cost = budget). ${o.seeds} seeds per method, a total budget of ${o.cap} ` +
      `(${g(o.cap / 81)} full-budget trials) per run. A run is scored by its best evaluation at budget 81: regret = f(81, x) − the listed optimum, ` +
      'as a function of the total budget spent so far (for ASHA, summed over the workers, running trials included). Cells show the median over seeds.',
    '',
    ...o.methods.map((m) => `- ${methodNotes[m] ?? m}`),
    '',
    '"to target": the smallest total budget at which the median curve reaches random search’s median final regret; ' +
      '"speed-up": the budget random search’s own median curve needs for that regret, over the method’s.',
  ];
  for (const fr of r.functions) lines.push('', ...functionTable(fr, o.cap));
  lines.push('', '## Targets (issue #4)', '', '| target | result | detail |', '|---|---|---|');
  for (const t of r.targets) lines.push(`| ${t.description} | ${verdict(t.status)} | ${t.detail} |`);
  return `${lines.join('\n')}\n`;
}

function functionTable(fr: FunctionResult, cap: number): string[] {
  const marks = checkpoints(cap);
  const lines = [
    `## ${fr.fn} (optimum ${fr.optimum}; target = random’s median final regret ${g(fr.target)}, reached by random at ${g(fr.randomBudget)})`,
    '',
    `| method | ${marks.map((b) => `regret@${b}`).join(' | ')} | final [25%, 75%] | to target | speed-up | trials/run | 81-evals/run | wall/run |`,
    `|---|${marks.map(() => '---|').join('')}---|---|---|---|---|---|`,
  ];
  for (const m of fr.methods) {
    if (m.status !== 'ok') {
      lines.push(`| ${m.method} | ${m.status}${m.error ? `: ${m.error}` : ''} |`);
      continue;
    }
    const cells = marks.map((b) => g(curveValueAt(m.curve, b)));
    const final = m.final ? `${g(m.final.median)} [${g(m.final.q25)}, ${g(m.final.q75)}]` : '—';
    const s = speedup(fr, m.method);
    const sp = s === undefined ? '—' : s === 0 ? 'never' : `${s.toFixed(1)}x`;
    lines.push(
      `| ${m.method} | ${cells.join(' | ')} | ${final} | ${g(m.budgetToTarget)} | ${sp} | ${g(m.trials)} | ${g(m.fullEvals)} | ${g(m.wallS)} s |`,
    );
  }
  return lines;
}

/** The JSON document: the report without the raw traces, each median curve sampled on a log grid of budgets. */
export function jsonReport(r: MfReport): string {
  const grid = logGrid(1, r.options.cap, 60);
  const doc = {
    ...r,
    functions: r.functions.map((fr) => ({
      ...fr,
      methods: fr.methods.map(({ traces, curve, ...rest }) => ({
        ...rest,
        speedup: speedup(fr, rest.method),
        finalPerSeed: traces.map((t) =>
          t.fullEvals.reduce((best, e) => Math.min(best, e.value - fr.optimum), Infinity),
        ),
        medianCurve: grid.map((b) => [b, curveValueAt(curve, b)]),
      })),
    })),
  };
  return `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

/** The plot: one log-log panel per function, the median regret step curve of each method. */
export function svgReport(r: MfReport): string {
  const panels = r.functions.map((fr) => ({
    title: `${fr.fn} (optimum ${fr.optimum})`,
    lines: fr.methods.filter((m) => m.status === 'ok').map((m) => ({ label: m.method, points: [...m.curve] })),
  }));
  return plotLogLog(
    panels,
    `Median full-fidelity regret vs total budget, ${r.options.seeds} seeds`,
    'total budget spent',
    'median regret',
  );
}

/** The median-stop report: per seed, epochs and best objective without and with medianstop; the target. */
export function medianStopMarkdown(r: MedianStopReport, date: string = new Date().toISOString()): string {
  const o = r.options;
  const settings =
    Object.keys(o.settings).length === 0
      ? 'Katib defaults (start_step 4, min_trials_required 3)'
      : JSON.stringify(o.settings);
  const lines = [
    `# Median stopping benchmark (${date.slice(0, 10)})`,
    '',
    `Logistic regression by one-sample SGD on a seeded synthetic data set (800 training, 400 validation rows, 20 features of scales 0.1..3), ` +
      `${o.epochs} epochs, validation log loss reported after each epoch; lr log-uniform in [1e-4, 1], l2 log-uniform in [1e-5, 0.3]. ` +
      `${o.trials} trials of random search (random_state = seed), ${o.parallel} in parallel, through the real controller ` +
      '(Experiment.create(...).optimize(...), temporary SQLite store), once without early stopping and once with ' +
      `earlyStopping medianstop, ${settings}. The objective is the minimum validation loss (Katib's default strategy for minimize). ` +
      'Which trials have completed when another reports depends on scheduling, so a rerun may differ by a few epochs.',
    '',
    '| seed | epochs (no stop) | epochs (medianstop) | saving | early-stopped trials | best (no stop) | best (medianstop) | gap |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const p of r.pairs) {
    lines.push(
      `| ${p.seed} | ${p.plain.epochs} | ${p.stopped.epochs} | ${pct(p.saving)} | ${p.stopped.earlyStopped}/${p.stopped.trials} | ${p.plain.best.toFixed(5)} | ${p.stopped.best.toFixed(5)} | ${pct(p.bestGap)} |`,
    );
  }
  lines.push(
    '',
    `Median saving ${pct(r.medianSaving)}, median gap ${pct(r.medianGap)}; best within ${pct(medianStopTarget.gap)} on ${r.within} of ${r.pairs.length} seeds.`,
    '',
    `Target (issue #4): >= ${pct(medianStopTarget.saving)} of epochs saved (median over seeds) with the best trial within ${pct(medianStopTarget.gap)} of the no-stopping best on every seed: **${verdict(r.status)}**.`,
  );
  return `${lines.join('\n')}\n`;
}
