// The read commands as users run them: a store is only ever read (never created), damage in one row leaves the
// rest readable, `--store`/HPO_STORE/`-o yaml`/`--version`/`--watch` behave as in optuna's and kubectl's CLIs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openStore } from '../../src/store/open.ts';
import { hpo, hpoAsync } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { experiment, fullTrial } from '../store/fixtures-data.ts';

const stackFrame = /\n\s+at .+:\d+:\d+/;
let tmp: ReturnType<typeof tempDir>;
let store: string;
const hourAgo = new Date(Date.now() - 3_600_000).toISOString();

beforeAll(async () => {
  tmp = tempDir();
  store = join(tmp.dir, 'store');
  const s = openStore(store);
  try {
    await s.createExperiment(experiment('done', { phase: 'Succeeded', reason: 'ExperimentMaxTrialsReached' }));
    for (const seq of [0, 1]) await s.insertTrial(fullTrial('done', seq));
    await s.createExperiment(experiment('broken', { phase: 'Succeeded', reason: 'ExperimentMaxTrialsReached' }));
    for (const seq of [0, 1, 2]) await s.insertTrial(fullTrial('broken', seq));
    // Running for an hour, last updated when it started: elapsed must count to now.
    await s.createExperiment(experiment('running', { phase: 'Running', createdAt: hourAgo, updatedAt: hourAgo }));
  } finally {
    await s.close();
  }
  const db = new Database(join(store, 'hpo.db'));
  db.prepare("UPDATE trials SET params = '{\"lr\": 0.0' WHERE name = 'broken-t1'").run();
  db.prepare("UPDATE trials SET objective = 'high' WHERE name = 'broken-t2'").run();
  db.close();
});
afterAll(() => tmp.cleanup());

describe('read commands never create a store', () => {
  it.each([
    ['list'],
    ['status', 'x'],
    ['trials', 'x'],
    ['best', 'x'],
    ['lineage', 'x'],
    ['explain', 'x', 't'],
    ['logs', 'x', 't'],
    ['delete', 'x'],
    ['resume', 'x'],
  ])('hpo %s with a mistyped --store exits 2 and creates nothing', (...args) => {
    const typo = join(tmp.dir, `typo-${args[0]}`);
    const r = hpo([...args, '--store', typo]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`no store at ${join(typo, 'hpo.db')}`);
    expect(r.stderr).not.toMatch(stackFrame);
    expect(existsSync(typo)).toBe(false);
  });
});

describe('damaged rows', () => {
  it('list, status and trials report the damage (experiment, trial, column) and show the rest', async () => {
    for (const args of [['list'], ['status', 'broken'], ['trials', 'broken', '-o', 'json']]) {
      const r = hpo([...args, '--store', store]);
      expect(r.stderr).not.toMatch(stackFrame);
      expect(r.status).toBe(0);
      if (args[0] === 'list') expect(r.stdout).toMatch(/done\s+Succeeded/);
      expect(r.stderr).toContain("experiment 'broken', trial 'broken-t1', column params");
      expect(r.stderr).toContain("experiment 'broken', trial 'broken-t2', column objective");
    }
    const doc = JSON.parse(hpo(['trials', 'broken', '--store', store, '-o', 'json']).stdout);
    expect(doc.trials.map((t: { name: string }) => t.name)).toEqual(['broken-t0', 'broken-t1', 'broken-t2']);
    expect(doc.trials[0].parameters).toEqual(fullTrial('broken', 0).params);
  });
});

describe('global options and formats', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const r = hpo(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('takes --store before the command name, and HPO_STORE when none is given', async () => {
    const before = hpo(['--store', store, 'list', '-o', 'json']);
    expect(before.status).toBe(0);
    const fromEnv = hpo(['list', '-o', 'json'], { env: { HPO_STORE: store }, cwd: tmp.dir });
    expect(fromEnv.status).toBe(0);
    expect(JSON.parse(fromEnv.stdout)).toEqual(JSON.parse(before.stdout));
    expect(
      JSON.parse(before.stdout)
        .map((e: { name: string }) => e.name)
        .sort(),
    ).toEqual(['broken', 'done', 'running']);
  });

  it('prints -o yaml with the same data as -o json', async () => {
    for (const args of [['list'], ['trials', 'done'], ['best', 'done'], ['explain', 'done', 'done-t0']]) {
      const json = hpo([...args, '--store', store, '-o', 'json']);
      const yaml = hpo([...args, '--store', store, '-o', 'yaml']);
      expect(yaml.status).toBe(0);
      expect(parseYaml(yaml.stdout)).toEqual(JSON.parse(json.stdout));
    }
  });

  it("counts a running experiment's elapsed time to now, not to its last update", async () => {
    const text = hpo(['status', 'running', '--store', store]);
    expect(text.stdout).toMatch(/elapsed\s+1h0\dm/);
    const doc = JSON.parse(hpo(['status', 'running', '--store', store, '-o', 'json']).stdout);
    expect(doc.elapsedSeconds).toBeGreaterThanOrEqual(3600);
  });
});

describe('--watch', () => {
  it('prints the status again every interval until the experiment finishes, then exits 0', async () => {
    const s = openStore(store);
    await s.createExperiment(experiment('watched', { phase: 'Running' }));
    // This test process plays the controller: it holds the lock while the experiment runs.
    expect(await s.acquireExperimentLock('watched')).toBe(true);
    const child = hpoAsync(['status', 'watched', '--store', store, '-o', 'json', '-w', '--interval', '0.2']);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const twoLines = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: string) => {
        stdout += d;
        if (stdout.split('\n').length > 2) resolve();
      });
    });
    await twoLines;
    const whileRunning = stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { status: string }).status);
    await s.updateExperiment('watched', { phase: 'Succeeded', reason: 'ExperimentMaxTrialsReached' });
    await s.releaseExperimentLock('watched');
    await s.close();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(0);
    const docs = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string });
    expect(whileRunning.length).toBeGreaterThanOrEqual(2);
    expect(new Set(whileRunning)).toEqual(new Set(['Running']));
    expect(docs.at(-1)?.status).toBe('Succeeded');
  });

  it('prints once and exits when nothing drives the experiment', async () => {
    const r = hpo(['trials', 'done', '--store', store, '--watch', '--interval', '0.1', '-o', 'csv']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });
});
