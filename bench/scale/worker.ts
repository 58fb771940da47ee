// One `hpo worker` process of the scale benchmarks (bench/scale/*.ts), spawned by workers.ts:
// `node --import tsx bench/scale/worker.ts <storeUrl> <experiment> <trialMs> <heartbeatMs> <id>`.
// It loads everything, prints `ready`, then `trial` as each trial starts, waits for `go` on stdin (so that every worker of a run starts at once and
// process start-up is not measured), then joins the experiment through the public `joinExperiment` with an
// in-process objective that sleeps `trialMs` (0: an instant trial), and prints its summary as one JSON line
// (with each trial's own [start, end]).
import { createInterface } from 'node:readline';
import pg from 'pg';
import { joinExperiment } from '../../src/experiment/join.ts';
import { InProcessExecutor } from '../../src/trial/inProcess.ts';

const [url, experiment, trialMs, heartbeatMs, id] = process.argv.slice(2);
if (url === undefined || experiment === undefined || id === undefined)
  throw new Error('usage: worker.ts <storeUrl> <experiment> <trialMs> <heartbeatMs> <id>');
const ms = Number(trialMs);
/** [start, end] of each trial's own work (the sleep), in epoch ms: what lies between is the worker's overhead. */
const ran: [number, number][] = [];
const executor = new InProcessExecutor(
  async (params) => {
    // The kill -9 loop (killRandom.ts) aims its kills at workers that run trials.
    process.stdout.write('trial\n');
    const start = Date.now();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    ran.push([start, Date.now()]);
    return { loss: Number(params.x) };
  },
  { objectiveMetric: 'loss' },
);
// Every statement this worker sends (the store's pooled clients are pg.Client), reported in its summary: what a
// completed trial costs the database, which the machine's load does not change.
let statements = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line === 'go') break;
lines.close();
// CPU time of the whole process (every thread, the algorithm's included) from `go` on: load changes it far less than
// it changes wall time.
const cpuAtGo = process.cpuUsage();
const summary = await joinExperiment({
  store: url,
  experiment,
  executor,
  heartbeatMs: Number(heartbeatMs),
  worker: id,
});
const cpu = process.cpuUsage(cpuAtGo);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ phase: summary.record.phase, stored: summary.stored.length, fenced: summary.fenced.length, statements, cpuMs, ran })}\n`,
);
process.exit(0);
