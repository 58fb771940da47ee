// `hpo ui` as a user starts it: over a SQLite store and a PostgreSQL one that `hpo run` wrote (local-process trials,
// so the logs are real files), printing its URL, answering the JSON API, stopped with Ctrl-C (exit 0).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, hpo, hpoAsync } from '../cliRunner.ts';
import { jobExperimentYaml, tempDir } from '../helpers.ts';
import { type PostgresServer, startPostgres } from '../store/postgresServer.ts';

let tmp: ReturnType<typeof tempDir>;
let pg: PostgresServer;
let file: string;

beforeAll(async () => {
  tmp = tempDir('hpo-cli-ui-');
  pg = await startPostgres();
  file = join(tmp.dir, 'tune.yaml');
  writeFileSync(
    file,
    jobExperimentYaml({
      name: 'tune',
      command: [process.execPath, '-e', 'console.log("loss=" + process.argv[1])', '${trialParameters.x}'],
      maxTrialCount: 3,
      parallelTrialCount: 2,
    }),
  );
}, 60_000);
afterAll(() => {
  pg?.stop();
  tmp?.cleanup();
});

/** Starts `hpo ui ARGS --port 0`, waits for its URL, runs `use`, then stops it with SIGINT and returns its output. */
async function withUi(
  args: string[],
  env: Record<string, string>,
  use: (url: string) => Promise<void>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = hpoAsync(['ui', ...args, '--port', '0'], { cwd: tmp.dir, env });
  const run = collect(child, 60_000);
  let url: string | undefined;
  while (url === undefined) {
    url = /at (http:\/\/\S+)/.exec(run.stdout())?.[1];
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    if (url === undefined) throw new Error(`hpo ui did not start: ${JSON.stringify(await run.result)}`);
    await use(url);
  } finally {
    child.kill('SIGINT');
  }
  return run.result;
}

async function checkTune(url: string): Promise<void> {
  const list = (await (await fetch(`${url}api/experiments`)).json()) as { name: string; status: string }[];
  expect(list).toMatchObject([{ name: 'tune', status: 'Succeeded', counts: { total: 3, succeeded: 3 } }]);
  const page = (await (await fetch(`${url}api/experiments/default/tune/trials?sort=objective`)).json()) as {
    rows: { name: string; objective: number; params: { x: number } }[];
  };
  expect(page.rows.map((r) => r.objective)).toEqual(page.rows.map((r) => Number(r.params.x)).sort((a, b) => a - b));
  const log = await fetch(`${url}api/experiments/default/tune/logs/${page.rows[0]!.name}`);
  expect(await log.text()).toBe(`loss=${page.rows[0]!.params.x}\n`);
  expect((await fetch(`${url}api/experiments/default/tune`, { method: 'DELETE' })).status).toBe(405);
}

describe('hpo ui', () => {
  it('serves a SQLite store read-only until Ctrl-C, and refuses a taken port or a missing store with exit 2', async () => {
    const store = join(tmp.dir, 'store');
    expect(hpo(['run', file, '--store', store, '-q'], { cwd: tmp.dir }).status).toBe(0);
    const done = await withUi(['--store', store], {}, async (url) => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      await checkTune(url);
      const port = new URL(url).port;
      const taken = hpo(['ui', '--store', store, '--port', port], { cwd: tmp.dir });
      expect(taken.status).toBe(2);
      expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE); pick another with --port`);
    });
    expect(done).toMatchObject({ status: 0, stderr: '' });
    expect(done.stdout).toContain(`serving ${store} read-only`);
    const missing = hpo(['ui', '--store', join(tmp.dir, 'nothing-here')], { cwd: tmp.dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no store at');
  }, 120_000);

  it('serves a PostgreSQL store, reading trial logs under HPO_STORE_ROOT', async () => {
    const url = await pg.createDatabase();
    const env = { HPO_STORE_ROOT: join(tmp.dir, 'pg-runs') };
    expect(hpo(['run', file, '--store', url, '-q'], { cwd: tmp.dir, env }).status).toBe(0);
    const done = await withUi(['--store', url], env, checkTune);
    expect(done.status).toBe(0);
    expect(done.stdout).toContain('read-only at http://127.0.0.1:');
  }, 120_000);
});
