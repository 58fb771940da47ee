// Experiments of one name in two namespaces, as a user reaches them from the CLI: a bare name that is ambiguous
// asks for --namespace, -n picks one, `hpo list` shows (and filters by) the namespace, `hpo delete -n` removes one
// only, and a run of a manifest with metadata.namespace is stored and read back under it.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { hpo } from '../cliRunner.ts';
import { jobExperimentYaml, tempDir } from '../helpers.ts';
import { experiment, fullTrial } from '../store/fixtures-data.ts';

let tmp: ReturnType<typeof tempDir>;
let store: string;

beforeAll(async () => {
  tmp = tempDir();
  store = join(tmp.dir, 'store');
  const s = openStore(store);
  try {
    for (const [namespace, seed] of [
      ['team-a', 1],
      ['team-b', 2],
    ] as const) {
      await s.createExperiment(
        experiment('tune', { namespace, seed, phase: 'Succeeded', reason: 'ExperimentMaxTrialsReached' }),
      );
      await s.insertTrial({ ...fullTrial('tune', 0), namespace, objective: seed / 10 });
    }
  } finally {
    await s.close();
  }
});
afterAll(() => tmp.cleanup());

describe('namespaces in the CLI', () => {
  it('asks for --namespace when a name is in several namespaces, and -n picks one', () => {
    const ambiguous = hpo(['best', 'tune', '--store', store]);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toContain("experiment 'tune' is in several namespaces (team-a, team-b)");
    expect(ambiguous.stderr).toContain('--namespace');
    expect(ambiguous.stderr).not.toMatch(/\n\s+at /);
    const a = JSON.parse(hpo(['best', 'tune', '-n', 'team-a', '--store', store, '-o', 'json']).stdout);
    const b = JSON.parse(hpo(['best', 'tune', '--namespace', 'team-b', '--store', store, '-o', 'json']).stdout);
    expect([a.objective, b.objective]).toEqual([0.1, 0.2]);
    const status = JSON.parse(hpo(['status', 'tune', '-n', 'team-b', '--store', store, '-o', 'json']).stdout);
    expect(status.bestTrial.objective).toBe(0.2);
    const missing = hpo(['trials', 'tune', '-n', 'team-c', '--store', store]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no experiment 'tune' in namespace team-c");
    expect(missing.stderr).toContain('known: team-a/tune, team-b/tune');
  });

  it('lists the namespace when there are several, and filters by it', () => {
    const table = hpo(['list', '--store', store]).stdout;
    expect(table).toMatch(/^namespace\s+name\s+status/);
    expect(table).toMatch(/team-a\s+tune/);
    const only = JSON.parse(hpo(['list', '-n', 'team-b', '--store', store, '-o', 'json']).stdout);
    expect(only.map((e: { namespace: string; name: string }) => `${e.namespace}/${e.name}`)).toEqual(['team-b/tune']);
  });

  it('runs an experiment of a namespace, reads it back by name, and deletes only that namespace', () => {
    const file = join(tmp.dir, 'ns.yaml');
    const yaml = jobExperimentYaml({
      name: 'tune',
      command: [process.execPath, '-e', 'console.log("loss=" + process.argv[1])', '${trialParameters.x}'],
      maxTrialCount: 2,
      parallelTrialCount: 1,
    }).replace('metadata: {name: tune}', 'metadata: {name: tune, namespace: team-c}');
    expect(yaml).toContain('namespace: team-c');
    writeFileSync(file, yaml);
    const run = hpo(['run', file, '--store', store, '--quiet', '-o', 'json']);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ experiment: 'tune', namespace: 'team-c', status: 'Succeeded' });
    // Its trial folders are its own, apart from any default-namespace experiment's.
    expect(existsSync(join(store, 'namespaces', 'team-c', 'experiments', 'tune', 'logs'))).toBe(true);
    const logs = hpo(['logs', 'tune', result.trials[0].name, '-n', 'team-c', '--store', store]);
    expect(logs.status).toBe(0);
    expect(logs.stdout).toMatch(/^loss=/);

    expect(hpo(['delete', 'tune', '-n', 'team-c', '--store', store]).stdout).toContain(
      "deleted experiment 'team-c/tune'",
    );
    expect(existsSync(join(store, 'namespaces', 'team-c', 'experiments', 'tune'))).toBe(false);
    const left = JSON.parse(hpo(['list', '--store', store, '-o', 'json']).stdout);
    expect(left.map((e: { namespace: string }) => e.namespace)).toEqual(['team-a', 'team-b']);
  });
});
