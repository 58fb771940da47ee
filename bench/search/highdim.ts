// `npm run bench:search:highdim` (issue #18): 20-dimensional Rosenbrock, Ackley and Levy at 200 trials, where a
// GP over the whole cube degrades. Our GP with and without its trust region, CMA-ES, both TPEs and random search,
// side by side with Optuna 3.1's TPE, multivariate TPE and CMA-ES (Debian's python3-optuna, run concurrently).
// Writes bench/results/searchHighdim.{md,json} and prints the targets. Options: --trials --seeds --first-seed
// --functions --algorithms --no-optuna --python --out; --studies FILE appends every finished study as a JSON line
// (so a long run split over processes, e.g. one per function, loses nothing when stopped); --from A.jsonl,B.jsonl
// and --optuna-json X.json,Y.json (optuna_highdim.py's output) build the report from such files without running.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BayesianOptimization } from '../../src/search/gp/bayesian.ts';
import { builtinAlgorithms } from '../../src/search/index.ts';
import type { SearchAlgorithm, Settings } from '../../src/search/types.ts';
import { listOption, positiveInt } from '../args.ts';
import { defaultSharedBench } from './benchmark.ts';
import { benchmarkFunction, highDimFunctions } from './functions.ts';
import { ourLabel } from './harness.ts';
import { type OptunaOutcome, runOptunaReference } from './optuna.ts';
import { curveAt, type Quartiles, quartiles } from './stats.ts';
import { runStudy } from './study.ts';
import { optunaSeries, regretOf } from './summary.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '200' },
    seeds: { type: 'string', default: '10' },
    'first-seed': { type: 'string', default: '0' },
    functions: { type: 'string' },
    algorithms: { type: 'string' },
    'no-optuna': { type: 'boolean', default: false },
    python: { type: 'string' },
    out: { type: 'string' },
    studies: { type: 'string' },
    from: { type: 'string' },
    'optuna-json': { type: 'string' },
  },
});

/** The GP with its trust region forced on and off (`auto`, the default, is on from 20 parameters). */
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
const labels: Record<string, string> = {
  [gpTrust]: 'hpo bayesianoptimization (trust region)',
  [gpPlain]: 'hpo bayesianoptimization (no trust region)',
};
const ours = listOption(values.algorithms) ?? [gpTrust, gpPlain, 'cmaes', 'tpe', 'multivariate-tpe', 'random'];
const functions = listOption(values.functions) ?? Object.keys(highDimFunctions);
const trials = positiveInt('trials', values.trials);
const seeds = positiveInt('seeds', values.seeds);
const firstSeed = Number(values['first-seed']);
const checkpoints = [50, 100, 200].filter((c) => c <= trials);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** One finished study, as `--studies` writes it. */
interface StudyLine {
  readonly id: string;
  readonly label: string;
  readonly fn: string;
  readonly seed: number;
  readonly wallS: number;
  readonly curve: readonly number[];
}

const started = performance.now();
const studies: StudyLine[] = [];
let optuna: OptunaOutcome | undefined;
if (values.from !== undefined || values['optuna-json'] !== undefined) {
  for (const file of listOption(values.from) ?? []) {
    for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim() !== '') studies.push(JSON.parse(line));
  }
  optuna = readOptuna(listOption(values['optuna-json']) ?? []);
} else {
  const reference = values['no-optuna']
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
  for (const id of ours) {
    const factory = registry[id];
    if (factory === undefined) throw new Error(`unknown algorithm ${id}`);
    for (const fn of functions) {
      const f = benchmarkFunction(fn);
      if (f === undefined) throw new Error(`unknown function ${fn}`);
      for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
        const s = settings[id];
        const run = await runStudy({
          algorithm: factory(),
          fn: f,
          trials,
          seed,
          ...(s === undefined ? {} : { settings: s }),
        });
        const line: StudyLine = {
          id,
          label: labels[id] ?? ourLabel(id, 1),
          fn,
          seed,
          wallS: run.wallS,
          curve: run.curve,
        };
        studies.push(line);
        if (values.studies !== undefined) appendFileSync(values.studies, `${JSON.stringify(line)}\n`);
        log(
          `${line.label} / ${fn} seed ${seed}: regret@${trials} ${fmt(regretOf(fn, curveAt(run.curve, trials)))}, ${run.wallS.toFixed(1)} s`,
        );
      }
    }
  }
  optuna = await reference;
  if (optuna?.error) log(`optuna: ${optuna.error}`);
}
for (const s of optuna === undefined ? [] : optunaSeries(optuna)) {
  for (const [fn, runs] of Object.entries(s.studies)) {
    for (const r of runs) studies.push({ id: s.id, label: s.label, fn, seed: r.seed, wallS: r.wallS, curve: r.curve });
  }
}

/** optuna_highdim.py outputs (split by function, sampler or seed) as one outcome. */
function readOptuna(files: readonly string[]): OptunaOutcome | undefined {
  if (files.length === 0) return undefined;
  const results: OptunaOutcome['results'] = {};
  let version: string | undefined;
  for (const file of files) {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      optuna: string;
      results: Record<string, { samplers: OptunaOutcome['results'][string] }>;
    };
    version = doc.optuna;
    for (const [fn, r] of Object.entries(doc.results)) {
      const perFn = results[fn] ?? {};
      results[fn] = perFn;
      for (const [sampler, runs] of Object.entries(r.samplers)) perFn[sampler] = [...(perFn[sampler] ?? []), ...runs];
    }
  }
  return { ...(version === undefined ? {} : { version }), results, seconds: 0 };
}

/** One row: a sampler on a function, regret quartiles at the checkpoints, the median study wall and the seeds. */
interface Row {
  readonly fn: string;
  readonly id: string;
  readonly sampler: string;
  readonly regret: Record<number, Quartiles>;
  readonly wallS: number;
  readonly seeds: number;
}
const reported = [...new Set(studies.map((s) => s.fn))].filter((fn) => benchmarkFunction(fn) !== undefined);
const rows: Row[] = [];
for (const fn of reported) {
  const ids = [...new Set(studies.filter((s) => s.fn === fn).map((s) => s.id))];
  for (const id of ids) {
    const mine = studies.filter((s) => s.fn === fn && s.id === id);
    const regret: Record<number, Quartiles> = {};
    for (const c of checkpoints) regret[c] = quartiles(mine.map((st) => regretOf(fn, curveAt(st.curve, c))));
    const wallS = quartiles(mine.map((st) => st.wallS)).median;
    rows.push({ fn, id, sampler: mine[0]!.label, regret, wallS, seeds: mine.length });
  }
}

/** The targets of issue #18: the trust-region GP ahead (median regret at the budget) of each named rival. */
const rivals = ['cmaes', 'optuna-tpe', 'optuna-cmaes'];
const last = checkpoints[checkpoints.length - 1] ?? trials;
const at = (fn: string, id: string) => rows.find((r) => r.fn === fn && r.id === id)?.regret[last]?.median;
const targets = rivals.map((rival) => {
  const lines = reported.map((fn) => ({ fn, ours: at(fn, gpTrust), theirs: at(fn, rival) }));
  const measured = lines.length > 0 && lines.every((l) => l.ours !== undefined && l.theirs !== undefined);
  const pass = measured && lines.every((l) => l.ours! < l.theirs!);
  const detail = lines.map((l) => `${l.fn} ${fmt(l.ours)} vs ${fmt(l.theirs)}`).join(', ');
  return {
    description: `trust-region GP regret@${last} median below ${rival} on ${reported.join(', ')}: ${detail}`,
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
  `${trials} trials, sequential; regret = best value − known minimum, median over the seeds (lower and upper ` +
    'quartile in brackets); wall = median study wall in seconds (suggestion cost only, objectives instant; ' +
    'indicative when the machine was shared). ' +
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}` +
    (optuna?.version ? `, Optuna ${optuna.version} (Debian python3-optuna)` : '') +
    '. Optuna 4.x (GPSampler) is not installable here (no PyPI), so it is not in the table.',
  '',
];
for (const fn of reported) {
  md.push(`## ${fn}`, '', `| sampler | seeds | ${checkpoints.map((c) => `regret@${c}`).join(' | ')} | wall |`);
  md.push(`|---|---:|${checkpoints.map(() => '---:').join('|')}|---:|`);
  const ranked = rows.filter((r) => r.fn === fn).sort((a, b) => a.regret[last]!.median - b.regret[last]!.median);
  for (const r of ranked) {
    const cells = checkpoints.map((c) => {
      const q = r.regret[c]!;
      return `${fmt(q.median)} (${fmt(q.q25)}–${fmt(q.q75)})`;
    });
    md.push(`| ${r.sampler} | ${r.seeds} | ${cells.join(' | ')} | ${r.wallS.toFixed(1)} |`);
  }
  md.push('');
}
md.push('## Targets', '');
for (const t of targets) md.push(`- **${t.status.toUpperCase()}** ${t.description}`);
md.push('');

const dir = (values.out ?? fileURLToPath(new URL('../results/', import.meta.url))).replace(/\/$/, '');
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/searchHighdim.md`, md.join('\n'));
// Per study only the regret at the checkpoints (the whole curves stay in the --studies files).
const perStudy = studies.map((st) => ({
  id: st.id,
  fn: st.fn,
  seed: st.seed,
  wallS: st.wallS,
  regret: Object.fromEntries(checkpoints.map((c) => [c, regretOf(st.fn, curveAt(st.curve, c))])),
}));
const json = {
  date: new Date().toISOString(),
  trials,
  optuna: optuna?.version ?? null,
  rows,
  targets,
  studies: perStudy,
};
writeFileSync(`${dir}/searchHighdim.json`, `${JSON.stringify(json)}\n`);
process.stdout.write(md.join('\n'));
log(`wrote ${dir}/searchHighdim.{md,json} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
for (const t of targets) log(`${t.status.toUpperCase().padEnd(4)}  ${t.description}`);
