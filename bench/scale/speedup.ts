// Shared-experiment benchmarks on one PostgreSQL (issue #16): 1 worker against 3 worker processes on a 90-trial
// experiment of one-second trials with the same parallelTrialCount per worker (the speed-up, and the controllers'
// overhead over the ideal schedule), and instant trials from 8 workers (the store's completions per second).
import { type PostgresServer, startPostgres } from '../../test/store/postgresServer.ts';
import {
  createSharedExperiment,
  finish,
  startWorkers,
  storedTrials,
  trialSpanMs,
  trialTimes,
  workerCpuMs,
  workerOverheadPct,
  workerStatements,
} from './workers.ts';

/** One run: `workers` processes on a fresh experiment; wall time from `go` to the last exit, and the trial span. */
async function timedRun(
  server: PostgresServer,
  o: { workers: number; trials: number; parallel: number; trialMs: number },
): Promise<{
  wallMs: number;
  spanMs: number;
  succeeded: number;
  lastEndMs: number;
  overheadPct: number;
  statements: number;
  cpuMs: number;
}> {
  const url = await server.createDatabase();
  await createSharedExperiment(url, 'scale', { maxTrialCount: o.trials, parallelTrialCount: o.parallel });
  const { workers, startedAt } = await startWorkers(o.workers, {
    url,
    experiment: 'scale',
    trialMs: o.trialMs,
    heartbeatMs: 2000,
  });
  await finish(workers);
  const wallMs = Date.now() - startedAt;
  let overheadPct = 0;
  let statements = 0;
  let cpuMs = 0;
  for (const w of workers) {
    statements += workerStatements((await w.exited).stdout);
    cpuMs += workerCpuMs((await w.exited).stdout);
    const ran = trialTimes((await w.exited).stdout);
    overheadPct = Math.max(overheadPct, workerOverheadPct(ran, o.parallel, o.trialMs));
  }
  const trials = await storedTrials(url, 'scale');
  const done = trials.filter((t) => t.state === 'Succeeded');
  if (done.length !== o.trials) throw new Error(`${done.length} of ${o.trials} trials succeeded`);
  const lastEnd = Math.max(...done.map((t) => Date.parse(t.completedAt ?? '')));
  const lastEndMs = lastEnd - startedAt;
  return { wallMs, spanMs: trialSpanMs(trials), succeeded: done.length, lastEndMs, overheadPct, statements, cpuMs };
}

/**
 * 90 one-second trials, `parallelTrialCount` 5 per worker, by 1 worker and by 3 worker processes. The speed-up is
 * taken over the trials' span (first trial start to last trial end, as stored), which leaves out the start-up of each
 * process (the same for both) but not a worker whose algorithm thread starts late; the wall times from `go` are
 * beside it, and the span's excess over the ideal, ceil(90 / (workers * 5)) waves of one second. The controllers'
 * overhead is each worker's own (see workerOverheadPct), the worst worker of each run.
 */
export async function benchSharedWorkers(): Promise<Record<string, number>> {
  const server = await startPostgres();
  try {
    const trials = 90;
    const parallel = 5;
    const one = await timedRun(server, { workers: 1, trials, parallel, trialMs: 1000 });
    const three = await timedRun(server, { workers: 3, trials, parallel, trialMs: 1000 });
    const ideal = (workers: number): number => Math.ceil(trials / (workers * parallel)) * 1000;
    return {
      trials,
      parallelPerWorker: parallel,
      oneWorkerSpanSeconds: one.spanMs / 1000,
      threeWorkersSpanSeconds: three.spanMs / 1000,
      speedUp: one.spanMs / three.spanMs,
      oneWorkerWallSeconds: one.wallMs / 1000,
      threeWorkersWallSeconds: three.wallMs / 1000,
      wallSpeedUp: one.wallMs / three.wallMs,
      oneWorkerOverheadPct: one.overheadPct,
      threeWorkersOverheadPct: three.overheadPct,
      oneWorkerSpanOverIdealPct: (one.spanMs / ideal(1) - 1) * 100,
      threeWorkersSpanOverIdealPct: (three.spanMs / ideal(3) - 1) * 100,
    };
  } finally {
    server.stop();
  }
}

/**
 * Instant trials from 8 worker processes (random search, `parallelTrialCount` 16 each) on one experiment: trial
 * completions per second, counted end to end through `joinExperiment`, from `go` to the last stored completion.
 */
export async function benchStoreThroughput(trials = 2000, workers = 8, parallel = 16): Promise<Record<string, number>> {
  const server = await startPostgres();
  try {
    const r = await timedRun(server, { workers, trials, parallel, trialMs: 0 });
    return {
      trials: r.succeeded,
      workers,
      parallelPerWorker: parallel,
      seconds: r.lastEndMs / 1000,
      completionsPerSecond: r.succeeded / (r.lastEndMs / 1000),
      // Without the algorithm threads' start-up: from the first trial start to the last end.
      steadyCompletionsPerSecond: r.succeeded / (r.spanMs / 1000),
      // Sent by the workers (reads included), counted at the driver: independent of the machine's load.
      statementsPerTrial: r.statements / r.succeeded,
      // CPU time of the worker processes (all threads) per completed trial, PostgreSQL's left out: on a 2-core machine
      // 1,000 completions per second leave them under 2 ms per trial, database included.
      workerCpuMsPerTrial: r.cpuMs / r.succeeded,
    };
  } finally {
    server.stop();
  }
}

/**
 * kill -9 with random timing across 4 workers (3 kills per iteration, each victim replaced), seeded: after each
 * iteration the experiment holds exactly its budget of Succeeded trials, none twice, none lost.
 */
export async function benchKillWorkers(iterations = 8, seed = 16): Promise<Record<string, number>> {
  const { killRandomly } = await import('./killRandom.ts');
  const server = await startPostgres();
  try {
    const url = await server.createDatabase();
    const runs = await killRandomly({ url, iterations, seed });
    for (const r of runs)
      if (r.problems.length > 0) process.stderr.write(`${r.experiment}: ${r.problems.join('; ')}\n`);
    return {
      iterations: runs.length,
      seed,
      kills: runs.reduce((n, r) => n + r.kills, 0),
      reclaimed: runs.reduce((n, r) => n + r.reclaimed, 0),
      lost: runs.reduce((n, r) => n + r.lost, 0),
      duplicated: runs.reduce((n, r) => n + r.duplicated, 0),
      iterationsWithProblems: runs.filter((r) => r.problems.length > 0).length,
    };
  } finally {
    server.stop();
  }
}
