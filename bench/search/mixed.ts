// `npm run bench:search:mixed`: our search algorithms and Optuna's on the mixed-space functions of
// mixedFunctions.ts (doubles with log scales and steps, ints with steps, categoricals, a list); writes
// bench/results/searchMixed.{md,json} and prints the targets. Options: --trials --seeds --functions --algorithms
// --optuna-samplers --no-optuna --python --out DIR --strict (exit 1 when a target fails).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listOption, positiveInt } from '../args.ts';
import { runMixedBenchmark } from './mixedBenchmark.ts';
import { mixedFunctions } from './mixedFunctions.ts';
import { mixedJson, mixedMarkdown } from './mixedReport.ts';

/** Bad input (an unknown option or function, a budget that is not a positive integer): one line and exit 2. */
function usage(e: unknown): never {
  process.stderr.write(`bench:search:mixed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        trials: { type: 'string', default: '100' },
        seeds: { type: 'string', default: '10' },
        functions: { type: 'string' },
        algorithms: { type: 'string' },
        'optuna-samplers': { type: 'string' },
        'no-optuna': { type: 'boolean', default: false },
        python: { type: 'string' },
        out: { type: 'string' },
        strict: { type: 'boolean', default: false },
      },
    });
  } catch (e) {
    return usage(e);
  }
})();

const started = performance.now();
const functions = listOption(values.functions);
const algorithms = listOption(values.algorithms);
const optunaSamplers = listOption(values['optuna-samplers']);
let trials = 0;
let seeds = 0;
try {
  trials = positiveInt('trials', values.trials);
  seeds = positiveInt('seeds', values.seeds);
  const unknown = (functions ?? []).filter((f) => !Object.hasOwn(mixedFunctions, f));
  if (unknown.length > 0)
    throw new Error(
      `unknown function ${unknown.join(', ')} (the mixed set: ${Object.keys(mixedFunctions).join(', ')})`,
    );
} catch (e) {
  usage(e);
}
const report = await runMixedBenchmark({
  trials,
  seeds,
  optuna: !values['no-optuna'],
  ...(functions ? { functions } : {}),
  ...(algorithms ? { algorithms } : {}),
  ...(optunaSamplers ? { optunaSamplers } : {}),
  ...(values.python ? { python: values.python } : {}),
  log: (line) => process.stderr.write(`${line}\n`),
});

const dir = (values.out ?? fileURLToPath(new URL('../results/', import.meta.url))).replace(/\/$/, '');
mkdirSync(dir, { recursive: true });
const md = mixedMarkdown(report);
writeFileSync(`${dir}/searchMixed.md`, md);
writeFileSync(`${dir}/searchMixed.json`, mixedJson(report));
process.stdout.write(md);
process.stderr.write(`wrote ${dir}/searchMixed.{md,json} in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
for (const t of report.targets) process.stderr.write(`${t.status.toUpperCase().padEnd(4)}  ${t.description}\n`);
if (values.strict && report.targets.some((t) => t.status === 'fail')) process.exitCode = 1;
