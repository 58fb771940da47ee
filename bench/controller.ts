// Controller benchmarks (issue #2): no-op in-process trial throughput with the SQLite store, the overhead a
// local-process trial adds over a bare spawn of the same program, and a 10,000-trial random search's
// memory and `hpo trials` latency.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Experiment } from '../src/experiment/experiment.ts';
import { search } from '../src/spec/create.ts';
import { openStore } from '../src/store/open.ts';

const hpoBin = fileURLToPath(new URL('../bin/hpo.js', import.meta.url));

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'hpo-bench-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** No-op in-process trials per second through the whole controller (suggestion worker + SQLite store). */
export async function benchInProcessThroughput(trials = 5000, parallel = 8): Promise<Record<string, number>> {
  const t = tmp();
  try {
    const store = openStore(join(t.dir, 'store'));
    const exp = Experiment.create({
      name: 'noop',
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'random', algorithmSettings: { random_state: 1 } },
      parameters: [search.double('x', 0, 1), search.int('n', 1, 100)],
      maxTrialCount: trials,
      parallelTrialCount: parallel,
      store,
    });
    let first = 0;
    const start = performance.now();
    await exp.optimize(() => {
      if (first === 0) first = performance.now();
      return 1;
    });
    const end = performance.now();
    const n = (await store.listTrials('noop')).filter((x) => x.state === 'Succeeded').length;
    await store.close();
    return {
      trials: n,
      parallel,
      totalSeconds: (end - start) / 1000,
      startupSeconds: (first - start) / 1000,
      trialsPerSecond: n / ((end - first) / 1000),
    };
  } finally {
    t.done();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall times of `n` sequential bare spawns of `argv` with piped output, as Node runs any child. */
async function bareSpawns(argv: string[], n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const c = spawn(argv[0]!, [...argv.slice(1), String(i)], { stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout.resume();
      c.stderr.resume();
      c.on('close', () => resolve());
    });
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * What a sequential local-process trial costs beyond a bare spawn of the same program: the median trial
 * (start to end as stored) minus the median bare spawn (measured before and after), plus the median gap
 * between one trial's end and the next one's start (suggestion, store writes, scheduling). Medians, because
 * the 2-core machine is noisy; the experiment's figure is the median of three experiments.
 */
export async function benchLocalProcessOverhead(trials = 40, repeats = 3): Promise<Record<string, number>> {
  // One experiment's figure moves by 2 ms between runs of the same code (stored times are whole milliseconds and the
  // machine is shared), so, as the long search studies do, the result is the median of `repeats` experiments.
  const runs: Record<string, number>[] = [];
  for (let r = 0; r < repeats; r++) runs.push(await localProcessOverheadOnce(trials));
  const byOverhead = [...runs].sort((a, b) => a.overheadMs! - b.overheadMs!);
  const mid = byOverhead[Math.floor((repeats - 1) / 2)]!;
  const each = Object.fromEntries(runs.map((run, i) => [`overheadMsRun${i + 1}`, run.overheadMs!]));
  return { ...mid, repeats, ...each };
}

/** One experiment of {@link benchLocalProcessOverhead}. */
async function localProcessOverheadOnce(trials: number): Promise<Record<string, number>> {
  const t = tmp();
  try {
    // A program that starts in about a millisecond (echo prints `loss=<x>`), so the jitter of a heavier
    // runtime's start-up (tens of ms for node or python) does not hide the few ms under test.
    const echo = existsSync('/bin/echo') ? '/bin/echo' : 'echo';
    // Warm the file cache, then time bare spawns.
    spawnSync(echo, ['loss=1']);
    const bareBefore = await bareSpawns([echo, 'loss=1'], trials);
    const store = openStore(join(t.dir, 'store'));
    const exp = Experiment.fromManifest(
      {
        apiVersion: 'kubeflow.org/v1beta1',
        kind: 'Experiment',
        metadata: { name: 'spawn' },
        spec: {
          objective: { type: 'minimize', objectiveMetricName: 'loss' },
          algorithm: { algorithmName: 'random', algorithmSettings: [{ name: 'random_state', value: '1' }] },
          parallelTrialCount: 1,
          maxTrialCount: trials,
          parameters: [{ name: 'x', parameterType: 'double', feasibleSpace: { min: '0', max: '1' } }],
          trialTemplate: {
            primaryContainerName: 'main',
            trialParameters: [{ name: 'x', reference: 'x' }],
            trialSpec: {
              apiVersion: 'batch/v1',
              kind: 'Job',
              spec: {
                template: {
                  spec: {
                    containers: [{ name: 'main', image: 'node', command: [echo, 'loss=${trialParameters.x}'] }],
                    restartPolicy: 'Never',
                  },
                },
              },
            },
          },
        },
      },
      { store },
    );
    await exp.run();
    const rows = await store.listTrials('spawn');
    await store.close();
    const runs = rows.map((r) => Date.parse(r.completedAt!) - Date.parse(r.startedAt!));
    const gaps = rows.slice(1).map((r, i) => Date.parse(r.startedAt!) - Date.parse(rows[i]!.completedAt!));
    const bareMs = median([...bareBefore, ...(await bareSpawns([echo, 'loss=1'], trials))]);
    const trialMs = median(runs);
    const gapMs = median(gaps);
    return { trials: rows.length, bareSpawnMs: bareMs, trialMs, gapMs, overheadMs: trialMs - bareMs + gapMs };
  } finally {
    t.done();
  }
}

/** A 10,000-trial random search in-process: peak RSS of this process, then `hpo trials` latency from a fresh CLI process. */
export async function benchLargeExperiment(trials = 10_000): Promise<Record<string, number>> {
  const t = tmp();
  try {
    const storeDir = join(t.dir, 'store');
    const store = openStore(storeDir);
    const exp = Experiment.create({
      name: 'large',
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'random', algorithmSettings: { random_state: 2 } },
      parameters: [
        search.double('a', 0, 1),
        search.double('b', 1e-4, 1, { log: true }),
        search.categorical('c', ['x', 'y', 'z']),
      ],
      maxTrialCount: trials,
      parallelTrialCount: 8,
      store,
    });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const start = performance.now();
    await exp.optimize((p, report) => {
      report({ loss: Number(p.a) * Number(p.b) });
    });
    const runSeconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await store.close();
    const timings: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      const r = spawnSync(process.execPath, [hpoBin, 'trials', 'large', '--store', storeDir, '--output', 'json'], {
        maxBuffer: 512 * 1024 * 1024,
        env: { ...process.env, HPO_CLI_FROM: 'dist' },
      });
      if (r.status !== 0) throw new Error(`hpo trials failed: ${r.stderr}`);
      timings.push(performance.now() - s);
    }
    const s = performance.now();
    spawnSync(process.execPath, [hpoBin, '--help'], { stdio: 'pipe', env: { ...process.env, HPO_CLI_FROM: 'dist' } });
    const cliStartMs = performance.now() - s;
    return {
      trials,
      runSeconds,
      peakRssMb: peakRss / 2 ** 20,
      hpoTrialsJsonMs: Math.min(...timings),
      cliStartupMs: cliStartMs,
    };
  } finally {
    t.done();
  }
}
