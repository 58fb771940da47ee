// `hpo status` says when nobody runs a Running experiment; `hpo unlock` explains, and removes only with --force.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { prepareExperiment } from '../../src/experiment/prepare.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';
import { openDatabase, openStore } from '../../src/store/open.ts';
import { hpo } from '../cliRunner.ts';
import { experiment, tempDir } from '../store/fixtures.ts';

/** The pid of a process that has already exited: the controller that was killed with -9. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid ?? 0;
}

/** A store holding experiment `e`, Running, locked by `pid`; the lock's host and lease can be rewritten. */
function lockedStore(pid: number, lease?: { host: string; expiresInMs: number }): string {
  const dir = tempDir();
  const store = openDatabase(dir);
  store.createExperiment(experiment('e', { phase: 'Running', reason: 'ExperimentRunning' }));
  expect(store.acquireExperimentLock('e', pid)).toBe(true);
  store.close();
  if (lease !== undefined) {
    const db = new Database(join(dir, 'hpo.db'));
    const expires = new Date(Date.now() + lease.expiresInMs).toISOString();
    db.prepare('UPDATE locks SET host = ?, expires_at = ?').run(lease.host, expires);
    db.close();
  }
  return dir;
}

describe('hpo status: who runs the experiment', () => {
  it('after kill -9 of the controller, says that no controller runs it and how to continue', async () => {
    const dir = lockedStore(deadPid());
    const r = hpo(['status', 'e', '--store', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/status {6}Running/);
    expect(r.stdout).toMatch(/controller {2}none: process \d+ on host .* is no longer running .*hpo resume e/);
    const doc = JSON.parse(hpo(['status', 'e', '--store', dir, '-o', 'json']).stdout);
    expect(doc.controller).toMatchObject({ running: false, lock: 'dead' });
  });

  it('names the holder while its lease runs, and says when a lease from another host expired', async () => {
    const live = hpo(['status', 'e', '--store', lockedStore(4242, { host: 'pod-a', expiresInMs: 60_000 })]);
    expect(live.stdout).toMatch(/controller {2}run by process 4242 on host pod-a/);
    const expired = hpo(['status', 'e', '--store', lockedStore(4242, { host: 'pod-a', expiresInMs: -1 })]);
    expect(expired.stdout).toMatch(
      /controller {2}none: the lease of process 4242 on host pod-a .* expired at .*hpo resume e/,
    );
  });
});

describe('hpo unlock', () => {
  it('refuses without --force (exit 2), then removes with --force, naming the holder and warning', async () => {
    const dir = lockedStore(4242, { host: 'pod-a', expiresInMs: 60_000 });
    const refused = hpo(['unlock', 'e', '--store', dir]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('is locked by process 4242 on host pod-a since');
    expect(refused.stderr).toContain('hpo unlock e --force');
    expect(refused.stdout).toBe('');

    const forced = hpo(['unlock', 'e', '--store', dir, '--force']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toMatch(
      /^removed the lock of experiment 'e' held by process 4242 on host pod-a since \S+ \(last heartbeat \S+\)\n$/,
    );
    expect(forced.stderr).toContain('two controllers may now write');
    const store = openStore(dir);
    expect(await store.getExperimentLock('e')).toBeUndefined();
    await store.close();

    const again = hpo(['unlock', 'e', '--store', dir]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('nothing to unlock');
    expect(hpo(['unlock', 'nope', '--store', dir]).status).toBe(2);
  });

  it('points a stale lock to hpo resume instead', async () => {
    const r = hpo(['unlock', 'e', '--store', lockedStore(deadPid())]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('stale (dead): `hpo resume e` takes it over by itself');
  });
});

describe('hpo resume against an experiment another controller runs', () => {
  const quickstart = fileURLToPath(new URL('../../examples/quickstart/experiment.yaml', import.meta.url));

  it('refuses (exit 2) before writing anything: the stored budget stays as it was', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    // Stored exactly as `hpo run` stores it, then driven by a live controller on another host.
    const prepared = await prepareExperiment(loadExperimentFile(quickstart)[0]!, { store, sourcePath: quickstart });
    await prepared.host.close();
    await store.updateExperiment('quickstart', { phase: 'Running', reason: 'ExperimentRunning' });
    expect(await store.acquireExperimentLock('quickstart', 4242)).toBe(true);
    await store.close();
    const db = new Database(join(dir, 'hpo.db'));
    db.prepare('UPDATE locks SET host = ?, expires_at = ?').run('pod-a', new Date(Date.now() + 60_000).toISOString());
    const before = {
      experiment: db.prepare('SELECT * FROM experiments').all(),
      events: db.prepare('SELECT * FROM events').all(),
      locks: db.prepare('SELECT * FROM locks').all(),
    };
    db.close();

    const r = hpo(['resume', 'quickstart', '--store', dir, '--max-trials', '50', '--parallel', '5']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("experiment 'quickstart' is being run by process 4242 on pod-a");
    const after = new Database(join(dir, 'hpo.db'), { readonly: true });
    try {
      expect(after.prepare('SELECT * FROM experiments').all()).toEqual(before.experiment);
      expect(after.prepare('SELECT * FROM events').all()).toEqual(before.events);
      expect(after.prepare('SELECT * FROM locks').all()).toEqual(before.locks);
    } finally {
      after.close();
    }
    const s = openStore(dir);
    expect((await s.getExperiment('quickstart'))?.manifest.spec.maxTrialCount).toBe(12);
    await s.close();
  });
});
