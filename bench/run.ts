// `npm run bench`: runs each benchmark in its own Node process (so one's memory does not count against
// another), prints a table, and writes bench/results/foundation.json and foundation.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

interface Bench {
  readonly id: string;
  readonly what: string;
  readonly target: string;
  readonly pass: (r: Record<string, number>) => boolean;
}

const benches: Bench[] = [
  {
    id: 'inProcessThroughput',
    what: 'no-op in-process trials through controller + worker + SQLite',
    target: '>= 2,000 trials/s',
    pass: (r) => (r.trialsPerSecond ?? 0) >= 2000,
  },
  {
    id: 'localProcessOverhead',
    what: 'local-process trial time minus a bare spawn of the same program (median of 3 experiments of 40 trials)',
    target: '< 5 ms per trial',
    pass: (r) => (r.overheadMs ?? Number.POSITIVE_INFINITY) < 5,
  },
  {
    id: 'metricsParse',
    what: 'StdOut TEXT parsing of a generated log (line split + regex + min/max/latest)',
    target: '>= 100 MB/s, memory flat',
    pass: (r) => (r.mbPerSec ?? 0) >= 100,
  },
  {
    id: 'largeExperiment',
    what: '10,000-trial random search: peak RSS, then `hpo trials --output json` from a fresh process',
    target: '< 300 MB RSS, hpo trials < 1 s',
    pass: (r) =>
      (r.peakRssMb ?? Number.POSITIVE_INFINITY) < 300 && (r.hpoTrialsJsonMs ?? Number.POSITIVE_INFINITY) < 1000,
  },
  {
    id: 'store',
    what: 'SQLite store: 10,000 trials written the way the controller writes them',
    target: 'listTrials(10k) well under 1 s',
    pass: (r) => (r.listTrialsMs ?? r.listTrials10kMs ?? Number.POSITIVE_INFINITY) < 1000,
  },
  {
    id: 'ui',
    what: "`hpo ui` over a 10,000-trial experiment: a sorted page of trials from the JSON API, the experiment page with its table and history plot in headless Chromium, the server's peak RSS",
    target: 'API < 200 ms (the first, cold answer too), page + history plot < 1.5 s, server < 200 MB',
    pass: (r) =>
      (r.apiColdMs ?? Number.POSITIVE_INFINITY) < 200 &&
      (r.apiMedianMs ?? Number.POSITIVE_INFINITY) < 200 &&
      (r.pageAndHistoryMs ?? Number.POSITIVE_INFINITY) < 1500 &&
      (r.serverPeakRssMb ?? Number.POSITIVE_INFINITY) < 200,
  },
];

const only = process.argv.slice(2);
const self = fileURLToPath(new URL('./one.ts', import.meta.url));
const results: Record<
  string,
  { result?: Record<string, number>; error?: string; pass: boolean; target: string; what: string }
> = {};
for (const b of benches) {
  if (only.length > 0 && !only.includes(b.id)) continue;
  process.stderr.write(`bench ${b.id} ...\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, b.id], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 900_000,
  });
  if (r.status !== 0) {
    results[b.id] = { error: (r.stderr || r.stdout).slice(-2000), pass: false, target: b.target, what: b.what };
    continue;
  }
  const result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  results[b.id] = { result, pass: b.pass(result), target: b.target, what: b.what };
}

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? '',
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
const doc = { date: new Date().toISOString(), machine, results };
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
if (only.length === 0) writeFileSync(`${dir}foundation.json`, `${JSON.stringify(doc, null, 2)}\n`);
const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
const lines = [
  `# Foundation benchmarks (${doc.date.slice(0, 10)}, ${machine.cpus} cores, ${machine.cpuModel}, Node ${machine.node})`,
  '',
  '| benchmark | what | target | result | meets target |',
  '|---|---|---|---|---|',
  ...Object.entries(results).map(
    ([id, r]) =>
      `| ${id} | ${r.what} | ${r.target} | ${
        r.result
          ? Object.entries(r.result)
              .map(([k, v]) => `${k}=${fmt(v)}`)
              .join(', ')
          : `error: ${r.error?.split('\n')[0]}`
      } | ${r.pass ? 'yes' : 'no'} |`,
  ),
];
if (only.length === 0) writeFileSync(`${dir}foundation.md`, `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
