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
  /** The measurement (bench/one.ts id) this row reads, when several rows share one; default `id`. */
  readonly run?: string;
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
  {
    id: 'workersSpeedup',
    run: 'sharedWorkers',
    what: '90 one-second trials on PostgreSQL, parallelTrialCount 5 per worker: 1 worker against 3 `hpo worker` processes (first trial start to last trial end)',
    target: '3 workers >= 2.7x faster',
    pass: (r) => (r.speedUp ?? 0) >= 2.7,
  },
  {
    id: 'controllerOverhead',
    run: 'sharedWorkers',
    what: "the same runs: each worker's first trial start to last trial end against ceil(its trials / 5) back-to-back one-second waves, the worst worker (process and thread start-up left out)",
    target: '< 3% over ideal (1 and 3 workers)',
    pass: (r) =>
      Math.max(
        r.oneWorkerOverheadPct ?? Number.POSITIVE_INFINITY,
        r.threeWorkersOverheadPct ?? Number.POSITIVE_INFINITY,
      ) < 3,
  },
  {
    id: 'storeThroughput',
    what: 'instant trials from 8 `hpo worker` processes (parallelTrialCount 16 each) on one PostgreSQL experiment, through joinExperiment, from go to the last completion',
    target: '>= 1,000 trial completions/s',
    pass: (r) => (r.completionsPerSecond ?? 0) >= 1000,
  },
  {
    id: 'killWorkers',
    what: 'kill -9 at seeded random moments across 4 workers on PostgreSQL (3 kills per iteration, victims replaced), then the budget checked',
    target: 'nothing lost or duplicated in any iteration',
    pass: (r) => (r.iterations ?? 0) > 0 && r.lost === 0 && r.duplicated === 0 && r.iterationsWithProblems === 0,
  },
];

const only = process.argv.slice(2);
const self = fileURLToPath(new URL('./one.ts', import.meta.url));
// One process per measurement; rows that share one (`run`) read its result.
const measured = new Map<string, { result?: Record<string, number>; error?: string }>();
const results: Record<
  string,
  { result?: Record<string, number>; error?: string; pass: boolean; target: string; what: string }
> = {};
for (const b of benches) {
  if (only.length > 0 && !only.includes(b.id) && !only.includes(b.run ?? b.id)) continue;
  const run = b.run ?? b.id;
  let m = measured.get(run);
  if (m === undefined) {
    process.stderr.write(`bench ${run} ...\n`);
    const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, run], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 900_000,
    });
    m =
      r.status === 0
        ? { result: JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number> }
        : { error: (r.stderr || r.stdout).slice(-2000) };
    measured.set(run, m);
  }
  results[b.id] =
    m.result === undefined
      ? { error: m.error ?? '', pass: false, target: b.target, what: b.what }
      : { result: m.result, pass: b.pass(m.result), target: b.target, what: b.what };
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
