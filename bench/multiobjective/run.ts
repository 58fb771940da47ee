// `npm run bench:multiobjective`: nsga2, tpe, bayesianoptimization and random against Optuna 3.1's NSGAIISampler,
// TPESampler and RandomSampler on ZDT1, ZDT2 and DTLZ2; writes bench/results/multiobjective.{md,json} and prints the targets.
// Options: --trials (300) --seeds (10) --checkpoints (100,300) --problems --algorithms --optuna-samplers
// --optuna-limits (SAMPLER[@PROBLEM]=TRIALSxSEEDS,…; '' for none) --our-limits (NAME[@PROBLEM]=TRIALSxSEEDS,…; default
// bayesianoptimization=100x10; '' for none) --no-optuna --python --out --strict (exit 1 when a target fails).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listOption, positiveInt } from '../args.ts';
import { defaultOptunaLimits, defaultOurLimits, ourAlgorithms, runMultiObjectiveBenchmark } from './benchmark.ts';
import { optunaSamplers } from './optuna.ts';
import { problems } from './problems.ts';
import { jsonReport, markdownReport } from './report.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '300' },
    seeds: { type: 'string', default: '10' },
    checkpoints: { type: 'string', default: '100,300' },
    problems: { type: 'string' },
    algorithms: { type: 'string' },
    'optuna-samplers': { type: 'string' },
    'optuna-limits': { type: 'string' },
    'our-limits': { type: 'string' },
    'no-optuna': { type: 'boolean', default: false },
    python: { type: 'string' },
    out: { type: 'string' },
    strict: { type: 'boolean', default: false },
  },
});

const trials = positiveInt('trials', values.trials);
const checkpoints = (listOption(values.checkpoints) ?? [])
  .map((c) => positiveInt('checkpoints', c))
  .filter((c) => c <= trials);
const report = await runMultiObjectiveBenchmark({
  trials,
  seeds: positiveInt('seeds', values.seeds),
  checkpoints: checkpoints.length > 0 ? checkpoints : [trials],
  problems: listOption(values.problems) ?? Object.keys(problems),
  algorithms: listOption(values.algorithms) ?? Object.keys(ourAlgorithms),
  optuna: !values['no-optuna'],
  optunaSamplers: listOption(values['optuna-samplers']) ?? [...optunaSamplers],
  optunaLimits: listOption(values['optuna-limits']) ?? [...defaultOptunaLimits],
  ourLimits: listOption(values['our-limits']) ?? [...defaultOurLimits],
  ...(values.python ? { python: values.python } : {}),
  log: (line) => process.stderr.write(`${line}\n`),
});

const dir = (values.out ?? fileURLToPath(new URL('../results/', import.meta.url))).replace(/\/$/, '');
mkdirSync(dir, { recursive: true });
const md = markdownReport(report);
writeFileSync(`${dir}/multiobjective.md`, md);
writeFileSync(`${dir}/multiobjective.json`, jsonReport(report));
process.stdout.write(md);
process.stderr.write(`wrote ${dir}/multiobjective.{md,json}\n`);
for (const t of report.targets) process.stderr.write(`${t.status.toUpperCase().padEnd(4)}  ${t.description}\n`);
if (values.strict && report.targets.some((t) => t.status === 'fail')) process.exitCode = 1;
