import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/store/locks.ts';
import { openSqliteDatabase } from '../../src/store/sqlite.ts';
import { experiment, fullTrial, tempDir, tempStore, trial } from './fixtures.ts';

const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));

function runChild(mode: string, dir: string): { status: number | null; signal: NodeJS.Signals | null; out: string } {
  const res = spawnSync(process.execPath, ['--import', 'tsx', childScript, mode, dir], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (res.error) throw res.error;
  if (res.status !== 0 && res.signal === null) throw new Error(`child failed: ${res.stderr}`);
  return { status: res.status, signal: res.signal, out: res.stdout.trim() };
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const res = spawnSync(process.execPath, ['-e', '']);
  expect(res.pid).toBeGreaterThan(0);
  return res.pid ?? 0;
}

describe('two connections on one store', () => {
  it('lets a second connection read committed data, and never uncommitted data', () => {
    const dir = tempDir();
    const writer = tempStore(dir);
    const reader = tempStore(dir);
    writer.createExperiment(experiment('e'));
    expect(reader.getExperiment('e')?.name).toBe('e');
    writer.transaction(() => {
      writer.insertTrial(trial('e', 0));
      // WAL: the reader is not blocked by the open write transaction and sees the last commit.
      expect(reader.countTrials('e')).toBe(0);
    });
    expect(reader.listTrials('e')).toStrictEqual([trial('e', 0)]);
    reader.updateTrial('e', 'e-t0', { state: 'Running' });
    expect(writer.getTrial('e', 'e-t0')?.state).toBe('Running');
  });

  it('works with another process reading and writing the same file', () => {
    const dir = tempDir();
    const store = tempStore(dir);
    store.createExperiment(experiment('shared'));
    store.insertTrial(trial('shared', 0));
    store.insertTrial(trial('shared', 1));
    const report = JSON.parse(runChild('write', dir).out) as { seen: number; lock: boolean };
    expect(report).toEqual({ seen: 2, lock: true });
    expect(store.listTrials('shared').map((t) => t.seq)).toEqual([0, 1, 2]);
    // The child exited without releasing: its lock is stale and ours to take.
    expect(store.getExperimentLock('shared')?.pid).not.toBe(process.pid);
    expect(store.acquireExperimentLock('shared')).toBe(true);
  });
});

describe('experiment locks', () => {
  it('grants a free lock, re-grants it to its owner, and refuses a live other owner', () => {
    const store = tempStore();
    // The parent process (vitest's runner) is surely alive while this test runs.
    const other = process.ppid;
    expect(store.acquireExperimentLock('e', other)).toBe(true);
    expect(store.acquireExperimentLock('e', other)).toBe(true);
    expect(store.acquireExperimentLock('e', process.pid)).toBe(false);
    expect(store.getExperimentLock('e')).toMatchObject({ experiment: 'e', pid: other, host: hostname() });
    store.releaseExperimentLock('e', process.pid);
    expect(store.getExperimentLock('e')?.pid).toBe(other);
    store.releaseExperimentLock('e', other);
    expect(store.getExperimentLock('e')).toBeUndefined();
    expect(store.acquireExperimentLock('e')).toBe(true);
    expect(store.getExperimentLock('e')?.pid).toBe(process.pid);
  });

  it('takes over a lock whose owner is dead', () => {
    const store = tempStore();
    const dead = deadPid();
    expect(isProcessAlive(dead)).toBe(false);
    expect(store.acquireExperimentLock('e', dead)).toBe(true);
    expect(store.acquireExperimentLock('e', process.pid)).toBe(true);
    expect(store.getExperimentLock('e')?.pid).toBe(process.pid);
  });

  it('never takes over a lock held from another host, whose liveness it cannot check', () => {
    const dir = tempDir();
    const store = tempStore(dir);
    const db = new Database(join(dir, 'hpo.db'));
    // A lock written before leases (no expiry): only `hpo unlock --force` clears it.
    db.prepare(
      "INSERT INTO locks (namespace, experiment, pid, host, acquired_at) VALUES ('default', 'e', ?, 'some-other-host', '2024-01-01T00:00:00Z')",
    ).run(deadPid());
    db.close();
    expect(store.acquireExperimentLock('e')).toBe(false);
    expect(store.getExperimentLock('e')?.host).toBe('some-other-host');
  });

  it.each([
    [0, false],
    [-1, false],
    [1.5, false],
    [process.pid, true],
  ])('isProcessAlive(%s) is %s', (pid, alive) => {
    expect(isProcessAlive(pid)).toBe(alive);
  });
});

describe('durability', () => {
  it('reads back everything after close and reopen, without an explicit checkpoint', () => {
    const dir = tempDir();
    const first = openSqliteDatabase(dir);
    first.createExperiment(experiment('e', { sourcePath: 'exp.yaml' }));
    first.insertTrial(fullTrial('e', 0));
    first.appendObservations('e', [{ trial: 'e-t0', metric: 'acc', value: '0.9', step: 1 }]);
    first.saveAlgorithmState('e', { gen: 3 });
    first.close();
    const second = tempStore(dir);
    expect(second.getExperiment('e')).toStrictEqual(experiment('e', { sourcePath: 'exp.yaml' }));
    expect(second.listTrials('e')).toStrictEqual([fullTrial('e', 0)]);
    expect(second.getObservations('e', 'e-t0')).toHaveLength(1);
    expect(second.loadAlgorithmState('e')).toEqual({ gen: 3 });
  });

  it('keeps every commit of a process killed with SIGKILL, and lets a resume take its lock', () => {
    const dir = tempDir();
    const child = runChild('crash', dir);
    expect(child.signal).toBe('SIGKILL');
    const crashedPid = Number(child.out);
    // The WAL was never checkpointed by a clean close: recovery must come from the -wal file.
    expect(existsSync(join(dir, 'hpo.db-wal'))).toBe(true);
    const store = tempStore(dir);
    expect(store.countTrials('crashy')).toBe(50);
    expect(store.getTrial('crashy', 'crashy-t0')?.state).toBe('Running');
    expect(store.getExperimentLock('crashy')?.pid).toBe(crashedPid);
    expect(store.acquireExperimentLock('crashy')).toBe(true);
    expect(store.getExperimentLock('crashy')?.pid).toBe(process.pid);
  });
});
