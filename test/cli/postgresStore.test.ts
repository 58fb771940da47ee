// The CLI on a PostgreSQL store, as a user runs it: `hpo run --store postgresql://…`, then the read commands
// against the same URL (and through HPO_STORE), with trial folders under HPO_STORE_ROOT.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hpo } from '../cliRunner.ts';
import { jobExperimentYaml, tempDir } from '../helpers.ts';
import { type PostgresServer, startPostgres } from '../store/postgresServer.ts';

let server: PostgresServer;
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  server = await startPostgres();
  tmp = tempDir();
}, 60_000);
afterAll(() => {
  server?.stop();
  tmp?.cleanup();
});

describe('hpo with --store postgresql://…', () => {
  it('runs an experiment into PostgreSQL and reads it back with trials, status, best and list', async () => {
    const url = await server.createDatabase();
    const root = join(tmp.dir, 'runs');
    const env = { HPO_STORE_ROOT: root };
    const file = join(tmp.dir, 'pg.yaml');
    writeFileSync(
      file,
      jobExperimentYaml({
        name: 'tune',
        command: [process.execPath, '-e', 'console.log("loss=" + process.argv[1])', '${trialParameters.x}'],
        maxTrialCount: 3,
        parallelTrialCount: 2,
      }),
    );
    const run = hpo(['run', file, '--store', url, '--quiet', '-o', 'json'], { cwd: tmp.dir, env });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ experiment: 'tune', status: 'Succeeded' });

    const trials = JSON.parse(hpo(['trials', 'tune', '--store', url, '-o', 'json'], { cwd: tmp.dir, env }).stdout);
    expect(trials.trials).toHaveLength(3);
    for (const t of trials.trials) {
      expect(t.state).toBe('Succeeded');
      expect(t.objective).toBe(t.parameters.x);
    }
    const best = Math.min(...trials.trials.map((t: { objective: number }) => t.objective));
    const status = JSON.parse(
      hpo(['status', 'tune', '-o', 'json'], { cwd: tmp.dir, env: { ...env, HPO_STORE: url } }).stdout,
    );
    expect(status).toMatchObject({ experiment: 'tune', status: 'Succeeded', bestTrial: { objective: best } });
    const top = JSON.parse(hpo(['best', 'tune', '--store', url, '-o', 'json'], { cwd: tmp.dir, env }).stdout);
    expect(top.objective).toBe(best);
    const list = hpo(['list', '--store', url], { cwd: tmp.dir, env });
    expect(list.stdout).toMatch(/tune\s+Succeeded/);
    // Trial folders are local, under HPO_STORE_ROOT; `hpo logs` reads them from there.
    expect(existsSync(join(root, 'experiments', 'tune'))).toBe(true);
    const logs = hpo(['logs', 'tune', trials.trials[0].name, '--store', url], { cwd: tmp.dir, env });
    expect(logs.stdout).toMatch(/^loss=/);
    // A message about the store names the database, not the local folder of trial files.
    const missing = hpo(['status', 'nope', '--store', url], { cwd: tmp.dir, env });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`no experiment 'nope' in store ${url}; known: tune`);
  });

  it('never prints the password, and a read of a database without hpo tables creates none (exit 2)', async () => {
    const down = hpo(['list', '--store', 'postgresql://bob:hunter2@127.0.0.1:1/db'], { cwd: tmp.dir });
    expect(down.status).toBe(1);
    expect(down.stderr).toContain('postgresql://bob:***@127.0.0.1:1/db');
    expect(down.stderr).not.toContain('hunter2');
    const url = await server.createDatabase();
    const empty = hpo(['status', 'tune', '--store', url], { cwd: tmp.dir });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('no store at');
    expect(hpo(['list', '--store', url], { cwd: tmp.dir }).status).toBe(2);
  });
});
