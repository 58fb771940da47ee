// Several workers on one shared experiment (src/experiment/worker.ts, join.ts) over SQLite: in one process, and
// as child processes killed with SIGKILL at random moments. PostgreSQL: sharedWorkersPostgres.test.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import { joinExperiment } from '../../src/experiment/join.ts';
import { prepareExperiment } from '../../src/experiment/prepare.ts';
import { reclaimExpired } from '../../src/experiment/sharedTrials.ts';
import { buildManifest } from '../../src/spec/create.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { rejected, sequenceExperiment, tempDir } from '../helpers.ts';
import { expectCompleteAndUnique } from './sharedChecks.ts';
import { sleepExecutor } from './sleepExecutor.ts';

const key = (name: string) => ({ namespace: 'default', name });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function storeIn(dir: string): Store {
  const store = openStore(dir);
  onTestFinished(() => store.close());
  return store;
}

describe('several workers in one process on one SQLite store', () => {
  it('share the budget: exactly maxTrialCount trials, every point once (each saw the others running)', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const store = storeIn(dir);
    const manifest = buildManifest(sequenceExperiment('shared', { maxTrialCount: 11, parallelTrialCount: 2 }));
    const ran: string[][] = [[], [], []];
    const summaries = await Promise.all(
      ran.map((mine, i) =>
        joinExperiment({
          store,
          manifest,
          worker: `w${i}`,
          // Leases of 750 ms: long enough that no trial is reclaimed on a loaded machine.
          heartbeatMs: 500,
          executor: sleepExecutor(
            (t) => 150 + ((t.charCodeAt(t.length - 1) * 7 + i * 13) % 100),
            (t) => mine.push(t),
          ),
        }),
      ),
    );
    const trials = await expectCompleteAndUnique(store, 'shared', 11);
    expect(trials.filter((t) => t.state === 'Killed')).toEqual([]);
    // The sequence algorithm proposes x = (trials it sees): a worker blind to another's running trials would repeat x.
    expect(trials.map((t) => t.params.x).sort((a, b) => Number(a) - Number(b))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(summaries.flatMap((s) => s.stored).sort()).toEqual(trials.map((t) => t.name).sort());
    expect(summaries.every((s) => s.record.phase === 'Succeeded')).toBe(true);
    // The work was shared (a worker's algorithm thread may start too late to get any, so not necessarily by all).
    expect(ran.filter((mine) => mine.length > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses the late result of a worker whose lease was reclaimed; the slot is run again by another', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const store = storeIn(dir);
    const manifest = buildManifest(sequenceExperiment('fenced', { maxTrialCount: 2, parallelTrialCount: 1 }));
    // A worker whose heartbeat never comes in time (a stalled process, a network partition): its lease lasts 30 ms,
    // its beat every 2 s, its first trial 400 ms.
    let starts = 0;
    const stalled = joinExperiment({
      store,
      manifest,
      worker: 'stalled',
      heartbeatMs: 2000,
      leaseMs: 30,
      executor: sleepExecutor(() => (starts++ === 0 ? 400 : 10)),
    });
    let first = '';
    // Once its trial runs, past its lease.
    for (;;) {
      const running = (await store.listTrials('fenced')).find((t) => t.state === 'Running');
      if (running !== undefined) {
        first = running.name;
        break;
      }
      await sleep(10);
    }
    // Reclaimed past its lease, by whichever worker looks first (the stalled one itself, at its next round).
    await sleep(60);
    const reclaimed = await reclaimExpired(store, key('fenced'), new Date());
    expect(reclaimed.every((r) => r.trial === first && r.worker === 'stalled')).toBe(true);
    while ((await store.getTrial('fenced', first))?.state !== 'Killed') await sleep(10);
    await joinExperiment({
      store,
      experiment: 'fenced',
      worker: 'healthy',
      heartbeatMs: 50,
      executor: sleepExecutor(() => 10),
    });
    const late = await stalled;
    expect(late.fenced).toContain(first);
    expect(late.stored).not.toContain(first);
    const lost = await store.getTrial('fenced', first);
    expect([lost?.state, lost?.reason, lost?.objective, lost?.metrics]).toEqual([
      'Killed',
      'LeaseExpired',
      undefined,
      [],
    ]);
    await expectCompleteAndUnique(store, 'fenced', 2);
  });
});

describe('a shared experiment whose algorithm fails', () => {
  it('ends Failed for every worker, with the algorithm error in the message', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const store = storeIn(dir);
    const refusing = new URL('../fixtures/algorithms/refusing.ts', import.meta.url).href;
    const manifest = buildManifest(
      sequenceExperiment('broken', {
        algorithm: { algorithmName: 'refusing', algorithmSettings: { module: refusing } },
      }),
    );
    const summaries = await Promise.all(
      ['a', 'b'].map((worker) =>
        joinExperiment({ store, manifest, worker, heartbeatMs: 200, executor: sleepExecutor(() => 10) }),
      ),
    );
    for (const s of summaries) {
      expect([s.record.phase, s.record.reason]).toEqual(['Failed', 'ExperimentFailed']);
      expect(s.record.message).toContain('the space is too large for this algorithm');
    }
    expect(await store.countTrials('broken')).toBe(0);
  });
});

describe('a shared experiment and a single controller', () => {
  it('refuses optimize() while workers hold leases; an interrupted worker gives its trials back', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const store = storeIn(dir);
    const manifest = buildManifest(sequenceExperiment('mixed', { maxTrialCount: 4, parallelTrialCount: 2 }));
    const stop = new AbortController();
    const working = joinExperiment({
      store,
      manifest,
      worker: 'w',
      heartbeatMs: 500,
      signal: stop.signal,
      executor: sleepExecutor(() => 60_000),
    });
    while ((await store.listTrials('mixed')).filter((t) => t.state === 'Running').length < 2) await sleep(10);
    const refused = await rejected(Experiment.fromManifest(manifest, { store }).optimize(() => 1));
    expect([refused.code, refused.message]).toEqual([ErrorCode.conflict, expect.stringContaining('1 worker(s) (w)')]);
    expect(await store.getExperimentLock('mixed')).toBeUndefined();
    stop.abort();
    const summary = await working;
    expect(summary.record.phase).toBe('Running');
    const trials = await store.listTrials('mixed');
    expect(trials.map((t) => [t.state, t.reason])).toEqual([
      ['Killed', 'Interrupted'],
      ['Killed', 'Interrupted'],
    ]);
    expect(await store.listTrialLeases('mixed')).toEqual([]);
  });
});

const child = fileURLToPath(new URL('./sharedWorkerChild.ts', import.meta.url));

/** Starts a worker process (joining once `gate` exists, if given); resolves `started` at its first trial start. */
function startWorker(dir: string, name: string, heartbeatMs: number, trialMs: number, gate?: string) {
  const p: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', child, dir, name, String(heartbeatMs), String(trialMs), ...(gate === undefined ? [] : [gate])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  onTestFinished(() => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  let onStart: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    onStart = resolve;
  });
  p.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('started ')) onStart();
  });
  p.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    p.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { p, started, exited, output: () => out, errors: () => err };
}

describe('workers in separate processes, one killed with SIGKILL', () => {
  // Different moments of the kill relative to the victim's trials (just after its first start, mid-trial, later).
  it.each([
    [0, 1],
    [60, 2],
    [170, 3],
  ])(
    'reclaims the dead worker trials within two heartbeats and completes the budget (kill %i ms after start)',
    async (delay, round) => {
      const { dir, cleanup } = tempDir();
      onTestFinished(cleanup);
      const heartbeatMs = 200;
      const name = `kill${round}`;
      const setup = storeIn(dir);
      const manifest = buildManifest(sequenceExperiment(name, { maxTrialCount: 8, parallelTrialCount: 2 }));
      await (await prepareExperiment(manifest, { store: setup, inProcess: true })).host.close();
      await setup.close();
      // The survivor loads beside the victim but joins only once the victim runs a trial: a faster survivor could
      // otherwise run the whole budget before the victim's first claim, leaving nothing to kill.
      const gate = join(dir, 'survivor-may-join');
      const survivor = startWorker(dir, name, heartbeatMs, 120, gate);
      const victim = startWorker(dir, name, heartbeatMs, 300);
      await victim.started;
      writeFileSync(gate, '');
      await sleep(delay);
      const killedAt = Date.now();
      victim.p.kill('SIGKILL');
      let survivorStarted = Number.POSITIVE_INFINITY;
      void survivor.started.then(() => {
        survivorStarted = Date.now();
      });
      // When the survivor's algorithm thread is up (its first trial starts right after its first reclaim look).
      const survivorAt = () => (Number.isFinite(survivorStarted) ? survivorStarted : killedAt);
      expect((await victim.exited).signal).toBe('SIGKILL');
      const end = await survivor.exited;
      expect([end.code, survivor.errors()]).toEqual([0, '']);
      const store = storeIn(dir);
      const trials = await expectCompleteAndUnique(store, name, 8);
      const events = await store.listEvents(name);
      for (const t of trials.filter((x) => x.state === 'Killed')) {
        expect(t.reason).toBe('LeaseExpired');
        // Reclaimed within two heartbeats of the kill, or at once when the survivor joins after it (plus the
        // scheduling slack of a loaded test machine).
        expect(Date.parse(t.completedAt!) - Math.max(killedAt, survivorAt())).toBeLessThan(2 * heartbeatMs + 800);
        expect(events.some((e) => e.trial === t.name && e.reason === 'LeaseExpired')).toBe(true);
        // The survivor looked for what the dead worker's trial left running on this machine.
        expect(survivor.output()).toContain(`recovered ${t.name}\n`);
        expect(events.some((e) => e.trial === t.name && e.reason === 'OrphanChecked')).toBe(true);
      }
    },
    60_000,
  );
});

describe('workers judge trials as the single controller does', () => {
  it('keep parameter constraints and compute derived metrics', async () => {
    const { dir, cleanup } = tempDir();
    onTestFinished(cleanup);
    const store = storeIn(dir);
    const manifest = buildManifest({
      name: 'shared-exprs',
      objective: {
        type: 'minimize',
        objectiveMetricName: 'score',
        additionalMetricNames: ['loss'],
        derivedMetrics: [{ name: 'score', expression: 'loss * 2 + 1' }],
      },
      algorithm: { algorithmName: 'random', algorithmSettings: { random_state: '5' } },
      parameters: [{ name: 'x', parameterType: 'int', feasibleSpace: { min: '0', max: '40' } }],
      parameterConstraints: [{ expression: 'x <= 6' }],
      maxTrialCount: 6,
      parallelTrialCount: 2,
    });
    await Promise.all(
      [0, 1].map((i) =>
        joinExperiment({ store, manifest, worker: `w${i}`, heartbeatMs: 500, executor: sleepExecutor(() => 20) }),
      ),
    );
    const trials = await store.listTrials('shared-exprs');
    expect(trials.filter((t) => t.state === 'Succeeded')).toHaveLength(6);
    for (const t of trials) {
      expect(Number(t.params.x)).toBeLessThanOrEqual(6);
      expect(t.objective).toBe(Number(t.params.x) * 2 + 1);
    }
  });
});
