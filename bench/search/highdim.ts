// `npm run bench:search:highdim` (issue #18): 20-dimensional Rosenbrock, Ackley and Levy at 200 trials, where a
// GP over the whole cube degrades. Our GP with and without its trust region, CMA-ES, both TPEs and random search,
// side by side with Optuna 3.1's TPE, multivariate TPE and CMA-ES (Debian's python3-optuna, run concurrently).
// Writes bench/results/searchHighdim.{md,json} and prints the targets. Options: --trials --seeds --functions
// --algorithms --no-optuna --python --out.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BayesianOptimization } from '../../src/search/gp/bayesian.ts';
import { builtinAlgorithms } from '../../src/search/index.ts';
import type { SearchAlgorithm, Settings } from '../../src/search/types.ts';
import { listOption, positiveInt } from '../args.ts';
import { defaultSharedBench } from './benchmark.ts';
import { highDimFunctions } from './functions.ts';
import { runOurSide, type Series } from './harness.ts';
import { runOptunaReference } from './optuna.ts';
import { curveAt, type Quartiles, quartiles } from './stats.ts';
import { optunaSeries, regretOf } from './summary.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '200' },
    seeds: { type: 'string', default: '10' },
    functions: { type: 'string' },
    algorithms: { type: 'string' },
    'no-optuna': { type: 'boolean', default: false },
    python: { type: 'string' },
    out: { type: 'string' },
  },
});

/** The GP with its trust region forced on and off; `auto` (the default) is on from 10 parameters. */
const gpTrust = 'bayesianoptimization';
const gpPlain = 'bayesianoptimization-no-trust-region';
const registry: Record<string, () => SearchAlgorithm> = {
  ...builtinAlgorithms,
  [gpPlain]: () => new BayesianOptimization(),
};
const settings: Record<string, Settings> = {
  [gpTrust]: { trust_region: 'true' },
  [gpPlain]: { trust_region: 'false' },
};
const ours = listOption(values.algorithms) ?? [gpTrust, gpPlain, 'cmaes', 'tpe', 'multivariate-tpe', 'random'];
const functions = listOption(values.functions) ?? Object.keys(highDimFunctions);
const trials = positiveInt('trials', values.trials);
const seeds = positiveInt('seeds', values.seeds);
const checkpoints = [50, 100, 200].filter((c) => c <= trials);
const log = (line: string) => process.stderr.write(`${line}\n`);

const started = performance.now();
const optuna = values['no-optuna']
  ? undefined
  : runOptunaReference({
      sharedBench: defaultSharedBench,
      script: fileURLToPath(new URL('./optuna_highdim.py', import.meta.url)),
      ...(values.python ? { python: values.python } : {}),
      trials,
      seeds,
      functions,
      samplers: ['tpe', 'tpe-multivariate', 'cmaes'],
    });
const ourSeries = await runOurSide({
  algorithms: ours,
  functions,
  seeds,
  trials,
  parallel: [1],
  registry,
  settings,
  log,
});
const outcome = await optuna;
if (outcome?.error) log(`optuna: ${outcome.error}`);
const series: Series[] = [...ourSeries, ...(outcome === undefined ? [] : optunaSeries(outcome))];

/** One row: a sampler on a function, regret quartiles at the checkpoints and the median study wall. */
interface Row {
  readonly fn: string;
  readonly id: string;
  readonly sampler: string;
  readonly regret: Record<number, Quartiles>;
  readonly wallS: number;
}
const rows: Row[] = [];
for (const fn of functions) {
  for (const s of series) {
    const studies = s.studies[fn];
    if (s.status !== 'ok' || studies === undefined || studies.length === 0) continue;
    const regret: Record<number, Quartiles> = {};
    for (const c of checkpoints) regret[c] = quartiles(studies.map((st) => regretOf(fn, curveAt(st.curve, c))));
    const label = s.id === gpTrust ? 'hpo bayesianoptimization (trust region)' : s.label;
    rows.push({ fn, id: s.id, sampler: label, regret, wallS: quartiles(studies.map((st) => st.wallS)).median });
  }
}

/** The targets of issue #18: the trust-region GP ahead (median regret at the budget) of each named rival. */
const rivals = ['cmaes', 'optuna-tpe', 'optuna-cmaes'];
const last = checkpoints[checkpoints.length - 1] ?? trials;
const at = (fn: string, id: string) => rows.find((r) => r.fn === fn && r.id === id)?.regret[last]?.median;
const targets = rivals.map((rival) => {
  const lines = functions.map((fn) => ({ fn, ours: at(fn, gpTrust), theirs: at(fn, rival) }));
  const measured = lines.every((l) => l.ours !== undefined && l.theirs !== undefined);
  const pass = measured && lines.every((l) => l.ours! < l.theirs!);
  const detail = lines.map((l) => `${l.fn} ${fmt(l.ours)} vs ${fmt(l.theirs)}`).join(', ');
  return {
    description: `trust-region GP regret@${last} median below ${rival} on all of ${functions.join(', ')}: ${detail}`,
    status: measured ? (pass ? 'pass' : 'fail') : 'not measured',
  };
});

function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toExponential(2) : v.toPrecision(3);
}

const md: string[] = [
  '# Search benchmark in 20 dimensions (issue #18)',
  '',
  `${trials} trials, ${seeds} seeds (0…${seeds - 1}), sequential; regret = best value − known minimum, median over seeds ` +
    '(lower and upper quartile in brackets); wall = median study wall (suggestion cost only, objectives instant). ' +
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}` +
    (outcome?.version ? `, Optuna ${outcome.version} (Debian python3-optuna)` : '') +
    '. Optuna 4.x (GPSampler) is not installable here (no PyPI), so it is not in the table.',
  '',
];
for (const fn of functions) {
  md.push(`## ${fn}`, '', `| sampler | ${checkpoints.map((c) => `regret@${c}`).join(' | ')} | wall (s) |`);
  md.push(`|---|${checkpoints.map(() => '---:').join('|')}|---:|`);
  const ranked = rows.filter((r) => r.fn === fn).sort((a, b) => a.regret[last]!.median - b.regret[last]!.median);
  for (const r of ranked) {
    const cells = checkpoints.map((c) => {
      const q = r.regret[c]!;
      return `${fmt(q.median)} (${fmt(q.q25)}–${fmt(q.q75)})`;
    });
    md.push(`| ${r.sampler} | ${cells.join(' | ')} | ${r.wallS.toFixed(2)} |`);
  }
  md.push('');
}
md.push('## Targets', '');
for (const t of targets) md.push(`- **${t.status.toUpperCase()}** ${t.description}`);
md.push('');

const dir = (values.out ?? fileURLToPath(new URL('../results/', import.meta.url))).replace(/\/$/, '');
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/searchHighdim.md`, md.join('\n'));
const json = {
  date: new Date().toISOString(),
  options: { trials, seeds, functions, algorithms: ours },
  optuna: { version: outcome?.version, error: outcome?.error, seconds: outcome?.seconds },
  rows,
  targets,
  studies: Object.fromEntries(series.map((s) => [s.id, s.studies])),
};
writeFileSync(`${dir}/searchHighdim.json`, `${JSON.stringify(json, null, 1)}\n`);
process.stdout.write(md.join('\n'));
log(`wrote ${dir}/searchHighdim.{md,json} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
for (const t of targets) log(`${t.status.toUpperCase().padEnd(4)}  ${t.description}`);
