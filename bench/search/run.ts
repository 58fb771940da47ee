// `npm run bench:search`: our search algorithms side by side with Optuna on the issue #3 development set; writes
// bench/results/search.{md,json,svg} and prints the targets. Options: --trials --seeds --functions (names, or
// `dev` / `held-out` for the sets of functions.ts) --algorithms --parallel (besides sequential; 1 = sequential
// only) --schedule sync|async|both (default both) --parity-seeds (seeds of the parallel robustness check)
// --no-optuna --no-long --strict --out DIR. Held-out functions (levy4, rastrigin4, …) need --no-optuna;
// `npm run bench:search:held-out` runs them all, parallel checks included, into bench/results/held-out/.
// GP rows only: --algorithms bayesianoptimization --parallel 1 --no-optuna --no-long --out DIR.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listOption, positiveInt } from '../args.ts';
import { runSearchBenchmark } from './benchmark.ts';
import { heldOutFunctions, testFunctions } from './functions.ts';
import { jsonReport, markdownReport, svgReport } from './report.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '100' },
    seeds: { type: 'string', default: '10' },
    'parity-seeds': { type: 'string', default: '30' },
    functions: { type: 'string' },
    algorithms: { type: 'string' },
    parallel: { type: 'string', default: '4' },
    schedule: { type: 'string', default: 'both' },
    'optuna-samplers': { type: 'string' },
    'no-optuna': { type: 'boolean', default: false },
    'no-long': { type: 'boolean', default: false },
    shared: { type: 'string' },
    python: { type: 'string' },
    out: { type: 'string' },
    strict: { type: 'boolean', default: false },
  },
});

const schedules = { sync: ['sync'], async: ['async'], both: ['sync', 'async'] } as const;
if (!Object.hasOwn(schedules, values.schedule)) throw new Error('--schedule must be sync, async or both');

const started = performance.now();
const functions = listOption(values.functions)?.flatMap((f) =>
  f === 'dev' ? Object.keys(testFunctions) : f === 'held-out' ? Object.keys(heldOutFunctions) : [f],
);
const algorithms = listOption(values.algorithms);
const optunaSamplers = listOption(values['optuna-samplers']);
const report = await runSearchBenchmark({
  trials: positiveInt('trials', values.trials),
  seeds: positiveInt('seeds', values.seeds),
  paritySeeds: positiveInt('parity-seeds', values['parity-seeds']),
  parallel: positiveInt('parallel', values.parallel),
  schedules: schedules[values.schedule as keyof typeof schedules],
  optuna: !values['no-optuna'],
  long: !values['no-long'],
  ...(functions ? { functions } : {}),
  ...(algorithms ? { algorithms } : {}),
  ...(optunaSamplers ? { optunaSamplers } : {}),
  ...(values.shared ? { sharedBench: values.shared } : {}),
  ...(values.python ? { python: values.python } : {}),
  log: (line) => process.stderr.write(`${line}\n`),
});

const dir = (values.out ?? fileURLToPath(new URL('../results/', import.meta.url))).replace(/\/$/, '');
mkdirSync(dir, { recursive: true });
const md = markdownReport(report);
writeFileSync(`${dir}/search.md`, md);
writeFileSync(`${dir}/search.json`, jsonReport(report));
writeFileSync(`${dir}/search.svg`, svgReport(report));
process.stdout.write(md);
process.stderr.write(`wrote ${dir}/search.{md,json,svg} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
for (const t of report.targets) process.stderr.write(`${t.status.toUpperCase().padEnd(4)}  ${t.description}\n`);
if (values.strict && report.targets.some((t) => t.status === 'fail')) process.exitCode = 1;
