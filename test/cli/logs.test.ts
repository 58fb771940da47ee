// `hpo logs` as kubectl users expect it: `-f` follows a running trial's log to its end, `--replica` picks a replica of
// a distributed trial, and a log is streamed by offset, byte for byte.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { ExperimentWorkspace } from '../../src/trial/workspace.ts';
import { collect, hpo, hpoAsync } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { experiment, trial } from '../store/fixtures-data.ts';

const stackFrame = /\n\s+at .+:\d+:\d+/;
let tmp: ReturnType<typeof tempDir>;
let store: string;
let ws: ExperimentWorkspace;

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Runs `hpo ARGS` in the background; `result` resolves when it exits, failing the test if it runs past `ms`. */
function started(args: readonly string[], ms = 30_000) {
  const child = hpoAsync(args);
  const { result, stdout: sofar } = collect(child, ms);
  const output = (until: (s: string) => boolean): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (until(sofar())) resolve();
      };
      child.stdout.on('data', check);
      check();
    });
  return { child, result, output };
}

/** Adds experiment `name` (Running) with one trial `<name>-t0` in `state`. */
async function addExperiment(s: Store, name: string, state: 'Running' | 'Succeeded'): Promise<string> {
  await s.createExperiment(experiment(name, { phase: 'Running', reason: 'ExperimentRunning' }));
  await s.insertTrial(trial(name, 0, { state, reason: state === 'Running' ? 'TrialRunning' : 'TrialSucceeded' }));
  return `${name}-t0`;
}

beforeAll(async () => {
  tmp = tempDir();
  store = join(tmp.dir, 'store');
  const s = openStore(store);
  try {
    await s.createExperiment(experiment('dist', { phase: 'Succeeded', reason: 'ExperimentMaxTrialsReached' }));
    await s.insertTrial(trial('dist', 0, { state: 'Succeeded' }));
    await s.insertTrial(trial('dist', 1, { state: 'Succeeded' }));
  } finally {
    await s.close();
  }
  ws = new ExperimentWorkspace(store, 'dist');
  // dist-t0 ran as a PyTorchJob (master-0 and two workers); dist-t1 as one process.
  write(ws.logPath('dist-t0'), 'master line\n');
  write(ws.replicaLogPath('dist-t0', 'worker-0'), 'worker 0 line\n');
  write(ws.replicaLogPath('dist-t0', 'worker-1'), 'worker 1 line\n');
  for (const r of ['master-0', 'worker-0', 'worker-1']) mkdirSync(join(ws.trialDir('dist-t0'), r), { recursive: true });
  write(ws.logPath('dist-t1'), 'single line\n');
});
afterAll(() => tmp.cleanup());

describe('hpo logs --replica', () => {
  it("prints the master's log by default and names the other replicas' logs on stderr", async () => {
    const r = hpo(['logs', 'dist', 'dist-t0', '--store', store]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('master line\n');
    expect(r.stderr).toContain("trial 'dist-t0' is distributed: this is the log of master-0");
    expect(r.stderr).toContain('worker-0, worker-1 (hpo logs dist dist-t0 --replica worker-0)');
  });

  it("prints the named replica's log, the master's included, also with --follow", async () => {
    for (const [replica, text] of [
      ['worker-1', 'worker 1 line\n'],
      ['master-0', 'master line\n'],
    ]) {
      for (const follow of [[], ['-f', '--interval', '0.1']]) {
        const r = hpo(['logs', 'dist', 'dist-t0', '--replica', replica!, ...follow, '--store', store]);
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(text);
        expect(r.stderr).toBe('');
      }
    }
  });

  it('exits 2 on an unknown replica, listing the ones that exist', async () => {
    const r = hpo(['logs', 'dist', 'dist-t0', '--replica', 'worker-7', '--store', store]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("trial 'dist-t0' has no replica 'worker-7'; its replicas: master-0, worker-0, worker-1");
    expect(r.stderr).not.toMatch(stackFrame);
    const single = hpo(['logs', 'dist', 'dist-t1', '--replica', 'worker-0', '--store', store]);
    expect(single.status).toBe(2);
    expect(single.stderr).toContain("trial 'dist-t1' has no replica logs");
    const plain = hpo(['logs', 'dist', 'dist-t1', '--store', store]);
    expect(plain.stdout).toBe('single line\n');
    expect(plain.stderr).toBe('');
  });
});

describe('hpo logs -f', () => {
  it('prints the log so far, follows it while the trial runs, and prints the rest once it ends', async () => {
    const s = openStore(store);
    try {
      const t = await addExperiment(s, 'followed', 'Running');
      // This test process plays the controller: it holds the lock while the experiment runs.
      expect(await s.acquireExperimentLock('followed')).toBe(true);
      const log = new ExperimentWorkspace(store, 'followed').logPath(t);
      write(log, 'epoch=1\n');
      const run = started(['logs', 'followed', t, '-f', '--interval', '0.1', '--store', store]);
      await run.output((o) => o.includes('epoch=1\n'));
      appendFileSync(log, 'epoch=2\n');
      await run.output((o) => o.includes('epoch=2\n'));
      // The last line and the end of the trial come together: the rest is printed before it exits.
      appendFileSync(log, 'epoch=3 (partial');
      appendFileSync(log, ' line completed)\ndone\n');
      await s.updateTrial('followed', t, { state: 'Succeeded', reason: 'TrialSucceeded' });
      const r = await run.result;
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('epoch=1\nepoch=2\nepoch=3 (partial line completed)\ndone\n');
      expect(r.stderr).toBe('');
    } finally {
      await s.close();
    }
  });

  it('waits for the log of a trial that has not written one yet', async () => {
    const s = openStore(store);
    try {
      const t = await addExperiment(s, 'pending', 'Running');
      await s.updateTrial('pending', t, { state: 'Pending', reason: 'TrialCreated' });
      expect(await s.acquireExperimentLock('pending')).toBe(true);
      const run = started(['logs', 'pending', t, '-f', '--interval', '0.1', '--store', store]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      write(new ExperimentWorkspace(store, 'pending').logPath(t), 'started\n');
      await run.output((o) => o.includes('started\n'));
      await s.updateTrial('pending', t, { state: 'Failed', reason: 'TrialFailed' });
      const r = await run.result;
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('started\n');
    } finally {
      await s.close();
    }
  });

  it('stops, exit 0, when no controller runs the experiment any more, saying so', async () => {
    const s = openStore(store);
    let t: string;
    try {
      t = await addExperiment(s, 'orphaned', 'Running');
    } finally {
      await s.close();
    }
    write(new ExperimentWorkspace(store, 'orphaned').logPath(t), 'before the controller died\n');
    const r = await started(['logs', 'orphaned', t, '-f', '--interval', '0.1', '--store', store], 10_000).result;
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('before the controller died\n');
    expect(r.stderr).toContain(`trial '${t}' is still Running in the store, but no controller runs experiment`);
    expect(r.stderr).toContain('hpo resume orphaned');
  });

  it('streams a log of several MB byte for byte, with and without -f', async () => {
    const s = openStore(store);
    let t: string;
    try {
      t = await addExperiment(s, 'big', 'Succeeded');
    } finally {
      await s.close();
    }
    const lines = Array.from({ length: 120_000 }, (_, i) => `step=${i} loss=${(1 / (i + 1)).toFixed(6)} µ\n`);
    const text = lines.join('');
    write(new ExperimentWorkspace(store, 'big').logPath(t), text);
    for (const follow of [[], ['--follow']]) {
      // Read in the background: spawnSync would cut stdout at its 1 MiB buffer.
      const r = await started(['logs', 'big', t, ...follow, '--store', store]).result;
      expect(r.status).toBe(0);
      expect(Buffer.byteLength(r.stdout)).toBe(Buffer.byteLength(text));
      expect(r.stdout === text).toBe(true);
    }
  });

  it('rejects a bad --interval (exit 2)', async () => {
    const r = hpo(['logs', 'dist', 'dist-t1', '-f', '--interval', '0', '--store', store]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--interval must be seconds > 0');
  });
});
