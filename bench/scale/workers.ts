// Helpers of the scale benchmarks: a shared experiment on a PostgreSQL store, and worker processes
// (bench/scale/worker.ts) started together on it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { prepareExperiment } from '../../src/experiment/prepare.ts';
import { buildManifest, search } from '../../src/spec/create.ts';
import { openStore } from '../../src/store/open.ts';
import type { TrialRecord } from '../../src/store/types.ts';

const script = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Creates the shared experiment `name` (random search over one double `x`) in the store at `url`. */
export async function createSharedExperiment(
  url: string,
  name: string,
  budget: { maxTrialCount: number; parallelTrialCount: number },
): Promise<void> {
  const store = openStore(url);
  try {
    const manifest = buildManifest({
      name,
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'random', algorithmSettings: { random_state: 1 } },
      parameters: [search.double('x', 0, 1)],
      ...budget,
    });
    await (await prepareExperiment(manifest, { store, inProcess: true })).host.close();
  } finally {
    await store.close();
  }
}

/** A worker process; `exited` resolves with its summary line (or its exit signal). */
export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  /** How many trials it started so far. */
  trials(): number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  go(): void;
}

/** Starts one worker process on `experiment`; it waits for `go()` before it joins. */
export function startWorker(o: {
  url: string;
  experiment: string;
  trialMs: number;
  heartbeatMs: number;
  id: string;
}): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, o.url, o.experiment, String(o.trialMs), String(o.heartbeatMs), o.id],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let trials = 0;
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout?.on('data', (d: Buffer) => {
    const text = d.toString();
    stdout += text;
    trials += text.split('trial\n').length - 1;
    if (stdout.startsWith('ready\n')) onReady();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  // A worker that dies before it is ready must not leave the run waiting for it.
  void exited.then(() => onReady());
  return { id: o.id, child, ready, exited, trials: () => trials, go: () => child.stdin?.write('go\n') };
}

/** Starts `n` workers, waits until all are loaded, and lets them go at once; returns them and the start time. */
export async function startWorkers(
  n: number,
  o: { url: string; experiment: string; trialMs: number; heartbeatMs: number },
): Promise<{ workers: WorkerProcess[]; startedAt: number }> {
  const workers = Array.from({ length: n }, (_, i) => startWorker({ ...o, id: `w${i}` }));
  await Promise.all(workers.map((w) => w.ready));
  const startedAt = Date.now();
  for (const w of workers) w.go();
  return { workers, startedAt };
}

/** Waits for every worker; throws with its stderr when one failed. */
export async function finish(workers: readonly WorkerProcess[]): Promise<void> {
  for (const w of workers) {
    const end = await w.exited;
    if (end.code !== 0) throw new Error(`worker ${w.id} exited ${end.code ?? end.signal}: ${end.stderr.slice(-2000)}`);
  }
}

/** Each trial's own [start, end] (epoch ms) as a worker's summary line lists them. */
export function trialTimes(stdout: string): [number, number][] {
  const last = stdout.trim().split('\n').pop() ?? '{}';
  return (JSON.parse(last) as { ran?: [number, number][] }).ran ?? [];
}

/**
 * A worker's overhead over the ideal schedule of its own trials: from its first trial's start to its last one's end,
 * against ceil(trials / parallel) back-to-back waves of `trialMs`. What it measures is the time between one trial's
 * end and the next one's start (storing the end, asking the algorithm, claiming), not process or thread start-up.
 */
export function workerOverheadPct(ran: readonly [number, number][], parallel: number, trialMs: number): number {
  if (ran.length === 0) return 0;
  const span = Math.max(...ran.map((r) => r[1])) - Math.min(...ran.map((r) => r[0]));
  return (span / (Math.ceil(ran.length / parallel) * trialMs) - 1) * 100;
}

/** The trials of `experiment` in the store at `url`. */
export async function storedTrials(url: string, experiment: string): Promise<TrialRecord[]> {
  const store = openStore(url);
  try {
    return await store.listTrials(experiment);
  } finally {
    await store.close();
  }
}

/** The statements a worker sent to the database, as its summary line counts them. */
export function workerStatements(stdout: string): number {
  const last = stdout.trim().split('\n').pop() ?? '{}';
  return (JSON.parse(last) as { statements?: number }).statements ?? 0;
}

/** Milliseconds from the first trial start to the last trial end, as stored. */
export function trialSpanMs(trials: readonly TrialRecord[]): number {
  const starts = trials.flatMap((t) => (t.startedAt === undefined ? [] : [Date.parse(t.startedAt)]));
  const ends = trials.flatMap((t) => (t.completedAt === undefined ? [] : [Date.parse(t.completedAt)]));
  return Math.max(...ends) - Math.min(...starts);
}

/** The CPU time (ms, every thread) a worker spent from `go` to its end, as its summary line counts it. */
export function workerCpuMs(stdout: string): number {
  const last = stdout.trim().split('\n').pop() ?? '{}';
  return (JSON.parse(last) as { cpuMs?: number }).cpuMs ?? 0;
}
