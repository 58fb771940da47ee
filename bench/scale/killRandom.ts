// kill -9 at random moments across the workers of a shared experiment on PostgreSQL (issue #16), for
// `npm run bench` (many iterations) and test/experiment/killRandom.test.ts (a few). Seeded, so a failing iteration
// can be replayed: the seed decides when each kill comes and which worker it hits.
import { Rng } from '../../src/search/rng.ts';
import { openStore } from '../../src/store/open.ts';
import { createSharedExperiment, startWorker, type WorkerProcess } from './workers.ts';

/** What {@link killRandomly} runs. */
export interface KillLoopOptions {
  /** A database URL on a running PostgreSQL (each iteration creates its own experiment in it). */
  readonly url: string;
  readonly iterations: number;
  readonly seed: number;
  /** Workers alive at once; each killed one is replaced by a new process. */
  readonly workers?: number;
  /** Kills per iteration. */
  readonly kills?: number;
  readonly maxTrialCount?: number;
  readonly parallelTrialCount?: number;
  readonly trialMs?: number;
  readonly heartbeatMs?: number;
}

/** What one iteration left in the store, against what it must be. */
export interface KillIteration {
  readonly experiment: string;
  readonly kills: number;
  readonly succeeded: number;
  /** Trials reclaimed from killed workers (Killed, `LeaseExpired`: their slots were issued again). */
  readonly reclaimed: number;
  /** Budget slots without a Succeeded trial (must be 0). */
  readonly lost: number;
  /** Succeeded trials beyond the budget, trial names or seqs stored twice, trials with two results (must be 0). */
  readonly duplicated: number;
  /** Problems in words (empty when the iteration is right). */
  readonly problems: readonly string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = (w: WorkerProcess): boolean => w.child.exitCode === null && w.child.signalCode === null;

/** Runs the iterations one after another; each checks its experiment once every worker left. */
export async function killRandomly(o: KillLoopOptions): Promise<KillIteration[]> {
  const out: KillIteration[] = [];
  for (let i = 0; i < o.iterations; i++) out.push(await iteration(o, i));
  return out;
}

async function iteration(o: KillLoopOptions, index: number): Promise<KillIteration> {
  const rng = new Rng(o.seed * 1000 + index);
  const experiment = `kill-${o.seed}-${index}`;
  const max = o.maxTrialCount ?? 30;
  const heartbeatMs = o.heartbeatMs ?? 300;
  const trialMs = o.trialMs ?? 200;
  await createSharedExperiment(o.url, experiment, {
    maxTrialCount: max,
    parallelTrialCount: o.parallelTrialCount ?? 3,
  });
  let started = 0;
  const loaded = new Set<WorkerProcess>();
  const spawnOne = (): WorkerProcess => {
    const w = startWorker({ url: o.url, experiment, trialMs, heartbeatMs, id: `k${index}-${started++}` });
    void w.ready.then(() => loaded.add(w));
    w.go();
    return w;
  };
  const live = Array.from({ length: o.workers ?? 4 }, spawnOne);
  const everyone = [...live];
  let kills = 0;
  try {
    while (kills < (o.kills ?? 3)) {
      // A random moment once some worker runs trials (process start-up is not what is under test): as a worker
      // joins, mid-trial, between rounds, while it writes.
      while (!live.some((w) => w.trials() > 0) && live.some(alive)) await sleep(20);
      await sleep(rng.int(0, 4 * trialMs));
      // Mostly a worker that runs trials, now and then one that is only joining.
      const busy = rng.next() < 0.75;
      const running = live.filter((w) => alive(w) && loaded.has(w) && (!busy || w.trials() > 0));
      if (running.length === 0) {
        if (!live.some(alive)) break;
        continue;
      }
      const victim = running[rng.int(0, running.length - 1)]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills++;
      live.splice(live.indexOf(victim), 1);
      // The replacement joins the experiment that is already running (unless it has ended, then it just leaves).
      const w = spawnOne();
      live.push(w);
      everyone.push(w);
    }
    const problems: string[] = [];
    for (const w of live) {
      const end = await w.exited;
      if (end.code !== 0) problems.push(`worker ${w.id} exited ${end.code ?? end.signal}: ${end.stderr.slice(-500)}`);
    }
    const found = await check(o.url, experiment, max);
    return { ...found, kills, problems: [...problems, ...found.problems] };
  } finally {
    for (const w of everyone) if (alive(w)) w.child.kill('SIGKILL');
  }
}

/** Counts what the store holds for `experiment` against its budget of `max` trials. */
async function check(url: string, experiment: string, max: number): Promise<Omit<KillIteration, 'kills'>> {
  const store = openStore(url);
  const problems: string[] = [];
  try {
    const trials = await store.listTrials(experiment);
    const succeeded = trials.filter((t) => t.state === 'Succeeded');
    const reclaimed = trials.filter((t) => t.state === 'Killed' && t.reason === 'LeaseExpired');
    for (const t of trials) {
      if (t.state !== 'Succeeded' && !(t.state === 'Killed' && t.reason === 'LeaseExpired'))
        problems.push(`trial ${t.name} ended ${t.state} (${t.reason})`);
    }
    // A trial completed twice would have its objective observed twice.
    const observations = await store.getObservationsOf(experiment, { metric: 'loss' });
    const seen = new Map<string, number>();
    for (const r of observations) seen.set(r.trial, (seen.get(r.trial) ?? 0) + 1);
    const twice = [...seen.values()].filter((n) => n > 1).length;
    const names = new Set(trials.map((t) => t.name)).size;
    const seqs = new Set(trials.map((t) => t.seq)).size;
    const duplicated = Math.max(0, succeeded.length - max) + (trials.length - names) + (trials.length - seqs) + twice;
    if (succeeded.some((t) => seen.get(t.name) !== 1)) problems.push('a Succeeded trial lacks its one observation');
    const leases = await store.listTrialLeases(experiment);
    if (leases.length > 0) problems.push(`${leases.length} leases left behind`);
    const rec = await store.getExperiment(experiment);
    if (rec?.phase !== 'Succeeded' || rec.reason !== 'ExperimentMaxTrialsReached')
      problems.push(`experiment ended ${rec?.phase} (${rec?.reason})`);
    return {
      experiment,
      succeeded: succeeded.length,
      reclaimed: reclaimed.length,
      lost: Math.max(0, max - succeeded.length),
      duplicated,
      problems,
    };
  } finally {
    await store.close();
  }
}
