// `hpo worker`: two worker processes on one SQLite store share an experiment's budget (the first creates it from
// --file), then report; `hpo run --join` does the same; bad input is exit 2 with the fix.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hpo, hpoFinished } from '../cliRunner.ts';
import { jobExperimentYaml, tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('hpo-cli-worker-');
});
afterAll(() => tmp.cleanup());

describe('hpo worker', () => {
  it('two workers share the budget: exactly maxTrialCount trials, each stored by one of them', async () => {
    const file = join(tmp.dir, 'shared.yaml');
    writeFileSync(join(tmp.dir, 'trial.cjs'), "setTimeout(() => console.log('loss=' + process.argv[2]), 300);\n");
    const command = [process.execPath, '$(HPO_EXPERIMENT_DIR)/trial.cjs', '${trialParameters.x}'];
    writeFileSync(file, jobExperimentYaml({ name: 'shared', command, maxTrialCount: 6, parallelTrialCount: 2 }));
    const store = join(tmp.dir, 'store');
    const args = ['worker', 'shared', '--file', file, '--store', store, '--heartbeat', '500ms', '-o', 'json'];
    const [a, b] = await Promise.all([hpoFinished(args), hpoFinished(args)]);
    expect([a.status, a.stderr, b.status, b.stderr]).toEqual([0, '', 0, '']);
    const docs = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(docs.map((d) => [d.phase, d.reason, d.fenced])).toEqual([
      ['Succeeded', 'ExperimentMaxTrialsReached', []],
      ['Succeeded', 'ExperimentMaxTrialsReached', []],
    ]);
    const trials = JSON.parse(hpo(['trials', 'shared', '--store', store, '-o', 'json']).stdout).trials as {
      name: string;
      state: string;
    }[];
    expect(trials.map((t) => t.state)).toEqual(Array(6).fill('Succeeded'));
    expect([...docs[0].stored, ...docs[1].stored].sort()).toEqual(trials.map((t) => t.name).sort());
  }, 120_000);

  it('is exit 2 with the fix for an experiment the store lacks, and for a bad --heartbeat', () => {
    const missing = hpo(['worker', 'nope', '--store', join(tmp.dir, 'empty')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no store at');
    expect(existsSync(join(tmp.dir, 'empty'))).toBe(false);
    const other = hpo(['worker', 'nope', '--store', join(tmp.dir, 'store')]);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain("no experiment 'nope' in store");
    const wrongFile = hpo([
      'worker',
      'nope',
      '--file',
      join(tmp.dir, 'shared.yaml'),
      '--store',
      join(tmp.dir, 'store'),
    ]);
    expect(wrongFile.status).toBe(2);
    expect(wrongFile.stderr).toContain("holds no Experiment named 'nope'");
    const beat = hpo(['worker', 'nope', '--heartbeat', '5ms']);
    expect(beat.status).toBe(2);
    expect(beat.stderr).toContain('--heartbeat must be a duration of at least 50ms');
  });

  it('hpo run --join: two processes running one file share its budget', async () => {
    const file = join(tmp.dir, 'joined.yaml');
    writeFileSync(join(tmp.dir, 'trial.cjs'), "setTimeout(() => console.log('loss=' + process.argv[2]), 300);\n");
    const command = [process.execPath, '$(HPO_EXPERIMENT_DIR)/trial.cjs', '${trialParameters.x}'];
    writeFileSync(file, jobExperimentYaml({ name: 'joined', command, maxTrialCount: 6, parallelTrialCount: 2 }));
    const store = join(tmp.dir, 'store-run');
    const args = ['run', file, '--join', '--store', store, '--heartbeat', '500ms', '-o', 'json'];
    const [a, b] = await Promise.all([hpoFinished(args), hpoFinished(args)]);
    expect([a.status, a.stderr, b.status, b.stderr]).toEqual([0, '', 0, '']);
    const docs = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    const trials = JSON.parse(hpo(['trials', 'joined', '--store', store, '-o', 'json']).stdout).trials as {
      name: string;
      state: string;
    }[];
    expect(trials.map((t) => t.state)).toEqual(Array(6).fill('Succeeded'));
    // Each trial was run by exactly one of the two processes.
    expect([...docs[0].stored, ...docs[1].stored].sort()).toEqual(trials.map((t) => t.name).sort());
  }, 120_000);

  it('hpo run --join is refused with the kubernetes backend, and --heartbeat without --join', () => {
    const file = join(tmp.dir, 'shared.yaml');
    const k8s = hpo(['run', file, '--join', '--backend', 'kubernetes']);
    expect([k8s.status, k8s.stderr]).toEqual([2, expect.stringContaining('--join runs trials on this machine')]);
    const beat = hpo(['run', file, '--heartbeat', '1s', '--store', join(tmp.dir, 'none')]);
    expect([beat.status, beat.stderr]).toEqual([2, expect.stringContaining('--heartbeat needs --join')]);
    expect(existsSync(join(tmp.dir, 'none'))).toBe(false);
  });
});
