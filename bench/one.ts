// Runs one benchmark by id and prints its result as one JSON line (used by bench/run.ts).
import { benchInProcessThroughput, benchLargeExperiment, benchLocalProcessOverhead } from './controller.ts';
import { benchMetricsParse } from './metricsParse.ts';
import { benchStore } from './store.ts';

const table: Record<string, () => Promise<Record<string, number>>> = {
  inProcessThroughput: () => benchInProcessThroughput(),
  localProcessOverhead: () => benchLocalProcessOverhead(),
  metricsParse: async () => ({ ...(await benchMetricsParse()) }),
  largeExperiment: () => benchLargeExperiment(),
  store: () => benchStore(),
  // Loaded only when asked for: playwright-core alone would add tens of MB to the other benchmarks' RSS.
  ui: async () => (await import('./ui.ts')).benchUi(),
  // Each starts its own throwaway PostgreSQL cluster (test/store/postgresServer.ts) and worker processes.
  sharedWorkers: async () => (await import('./scale/speedup.ts')).benchSharedWorkers(),
  storeThroughput: async () => (await import('./scale/speedup.ts')).benchStoreThroughput(),
  killWorkers: async () => (await import('./scale/speedup.ts')).benchKillWorkers(),
};

const id = process.argv[2] ?? '';
const fn = table[id];
if (!fn) {
  process.stderr.write(`unknown benchmark '${id}'; one of ${Object.keys(table).join(', ')}\n`);
  process.exit(2);
}
const result = await fn();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
