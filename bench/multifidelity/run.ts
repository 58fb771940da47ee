// `npm run bench:multifidelity`: the issue #4 benchmark. Random search at full budget, Hyperband, BOHB and ASHA on
// branin_mf and hartmann6_mf (regret vs total budget), then the median-stop task through the real controller.
// Writes bench/results/multifidelity.{md,json,svg} and medianstop.{md,json}; prints the targets.
// Options: --seeds 10 --cap 8100 --functions a,b --methods a,b --ms-seeds 5 --ms-settings start_step=2,...
// --no-medianstop --out DIR --strict (exit 1 when a target fails).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listOption, positiveInt } from '../args.ts';
import { runMfBenchmark } from './benchmark.ts';
import { runMedianStopBench } from './medianstop.ts';
import { jsonReport, markdownReport, medianStopMarkdown, svgReport } from './report.ts';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    cap: { type: 'string', default: String(81 * 100) },
    functions: { type: 'string' },
    methods: { type: 'string' },
    'ms-seeds': { type: 'string', default: '5' },
    'ms-settings': { type: 'string' },
    'no-medianstop': { type: 'boolean', default: false },
    out: { type: 'string' },
    strict: { type: 'boolean', default: false },
  },
});

const settings = Object.fromEntries(
  (listOption(values['ms-settings']) ?? []).map((kv) => {
    const [k, v] = kv.split('=');
    if (!k || v === undefined) throw new Error(`--ms-settings wants name=value pairs, got ${kv}`);
    return [k, v];
  }),
);

const started = performance.now();
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const functions = listOption(values.functions);
const methods = listOption(values.methods);
const report = await runMfBenchmark({
  seeds: positiveInt('seeds', values.seeds),
  cap: positiveInt('cap', values.cap),
  ...(functions ? { functions } : {}),
  ...(methods ? { methods } : {}),
  log,
});
const dir = (values.out ?? fileURLToPath(new URL('../results/', import.meta.url))).replace(/\/$/, '');
mkdirSync(dir, { recursive: true });
const md = markdownReport(report);
writeFileSync(`${dir}/multifidelity.md`, md);
writeFileSync(`${dir}/multifidelity.json`, jsonReport(report));
writeFileSync(`${dir}/multifidelity.svg`, svgReport(report));
process.stdout.write(md);
const verdicts = report.targets.map((t) => ({ status: t.status, description: `${t.description} (${t.detail})` }));

if (!values['no-medianstop']) {
  const ms = await runMedianStopBench({ seeds: positiveInt('ms-seeds', values['ms-seeds']), settings, log });
  const msMd = medianStopMarkdown(ms, report.date);
  writeFileSync(`${dir}/medianstop.md`, msMd);
  writeFileSync(`${dir}/medianstop.json`, `${JSON.stringify(ms, null, 2)}\n`);
  process.stdout.write(`\n${msMd}`);
  verdicts.push({
    status: ms.status,
    description: `medianstop saves >= 30% of epochs, best within 1% (median saving ${(ms.medianSaving * 100).toFixed(1)}%)`,
  });
}

log(
  `wrote ${dir}/multifidelity.{md,json,svg}, medianstop.{md,json} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
for (const v of verdicts) log(`${v.status.toUpperCase().padEnd(4)}  ${v.description}`);
if (values.strict && verdicts.some((v) => v.status === 'fail')) process.exitCode = 1;
