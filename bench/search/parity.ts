// `npm run bench:parity`: how much our model-based algorithms lose (or gain) with several trials in flight,
// measured over many seeds, and how often the issue's 10-seed check would pass by the draw alone. Runs our
// side only (no Optuna); writes a markdown report. Options: --algorithms --functions (names of the
// development set and of the held-out set in functions.ts, or `dev` / `held-out`) --seeds (100) --parallel (4)
// --schedule sync|async --trials (100) --out FILE.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listOption, positiveInt } from '../args.ts';
import { benchmarkFunction, heldOutFunctions, testFunctions } from './functions.ts';
import { runOurSide } from './harness.ts';
import { curveAt, geometricMean as geomean, median } from './stats.ts';
import { regretOf } from './summary.ts';
import { parallelWithinMargin } from './targets.ts';

const { values } = parseArgs({
  options: {
    algorithms: { type: 'string', default: 'tpe,multivariate-tpe,bayesianoptimization,cmaes' },
    functions: { type: 'string', default: 'dev,held-out' },
    seeds: { type: 'string', default: '100' },
    parallel: { type: 'string', default: '4' },
    schedule: { type: 'string', default: 'sync' },
    trials: { type: 'string', default: '100' },
    out: { type: 'string' },
  },
});
if (values.schedule !== 'sync' && values.schedule !== 'async') throw new Error('--schedule must be sync or async');
const schedule = values.schedule;
const seeds = positiveInt('seeds', values.seeds);
const parallel = positiveInt('parallel', values.parallel);
const trials = positiveInt('trials', values.trials);
const algorithms = listOption(values.algorithms) ?? [];
const functions = (listOption(values.functions) ?? []).flatMap((f) =>
  f === 'dev' ? Object.keys(testFunctions) : f === 'held-out' ? Object.keys(heldOutFunctions) : [f],
);
for (const f of functions)
  if (benchmarkFunction(f) === undefined) throw new Error(`--functions: unknown function ${f}`);
if (parallel < 2) throw new Error('--parallel must be at least 2: the report compares it with sequential runs');

/** Seeds per block: the issue's protocol compares medians of 10 studies. */
const block = 10;

const started = performance.now();
const series = await runOurSide({
  algorithms,
  functions,
  seeds,
  trials,
  parallel: [1, parallel],
  schedule,
  log: (line) => process.stderr.write(`${line}\n`),
});

const rows: string[] = [];
for (const algorithm of algorithms) {
  for (const name of functions) {
    const regrets = (p: number): number[] | undefined =>
      series
        .find((s) => s.algorithm === algorithm && s.parallel === p)
        ?.studies[name]?.map((st) => regretOf(name, curveAt(st.curve, trials)));
    const seq = regrets(1);
    const par = regrets(parallel);
    if (seq === undefined || par === undefined || seq.length === 0) continue;
    const blocks = Math.floor(seq.length / block);
    let pass = 0;
    let nullPass = 0;
    for (let b = 0; b < blocks; b++) {
      const s = median(seq.slice(b * block, (b + 1) * block));
      if (parallelWithinMargin(median(par.slice(b * block, (b + 1) * block)), s)) pass++;
      // The same check between two sequential seed sets: what the draw alone lets through.
      const other = (b + 1) % blocks;
      if (blocks > 1 && parallelWithinMargin(median(seq.slice(other * block, (other + 1) * block)), s)) nullPass++;
    }
    const dev = Object.hasOwn(testFunctions, name) ? '' : ' (held out)';
    rows.push(
      `| ${name}${dev} | ${algorithm} | ${median(seq).toPrecision(3)} | ${median(par).toPrecision(3)} | ` +
        `${(median(par) / median(seq)).toFixed(2)} | ${(geomean(par) / geomean(seq)).toFixed(2)} | ` +
        `${pass}/${blocks} | ${blocks > 1 ? `${nullPass}/${blocks}` : 'n/a'} |`,
    );
  }
}

const md = [
  `# Parallel parity (${new Date().toISOString().slice(0, 10)}, Node ${process.version})`,
  '',
  `Our algorithms, ${trials} trials, ${seeds} seeds, sequential against ${parallel} trials in flight (${schedule === 'sync' ? 'synchronous batches' : 'one slot refilled at a time'}). ` +
    'Regret@100 = best value − the listed optimum. "median" columns: median over all seeds; ' +
    '"geo-mean ratio": ratio of the geometric means, regrets floored at 1e-9 (less sensitive to where a bimodal median falls); ' +
    `"10-seed checks passed": blocks of ${block} consecutive seeds whose parallel median is under 1.25 × the sequential one ` +
    '(no absolute floor), the issue\'s protocol applied to every block; "sequential vs sequential": the same check ' +
    'between two blocks of sequential runs, i.e. how often the protocol passes when nothing at all changed.',
  '',
  `| function | algorithm | sequential median | parallel ${parallel} median | median ratio | geo-mean ratio | 10-seed checks passed | sequential vs sequential |`,
  '|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `Took ${((performance.now() - started) / 1000).toFixed(0)} s on this machine.`,
  '',
].join('\n');
const out = values.out ?? fileURLToPath(new URL(`../results/parity-${schedule}.md`, import.meta.url));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, md);
process.stdout.write(md);
process.stderr.write(`wrote ${out}\n`);
