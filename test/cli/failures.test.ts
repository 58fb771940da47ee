// `hpo run` when trials fail: the experiment with no succeeded trial ends Failed, and the first failure
// reasons with the last log lines are printed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hpo } from '../cliRunner.ts';
import { jobExperimentYaml, tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('hpo-cli-failures-');
});
afterAll(() => tmp.cleanup());

function experiment(name: string, script: string, maxTrialCount: number): string {
  const file = join(tmp.dir, `${name}.yaml`);
  writeFileSync(join(tmp.dir, `${name}.cjs`), script);
  const command = [process.execPath, `$(HPO_EXPERIMENT_DIR)/${name}.cjs`, '${trialParameters.x}'];
  writeFileSync(file, jobExperimentYaml({ name, command, maxTrialCount }));
  return file;
}

describe('hpo run when trials fail', () => {
  it('ends Failed with ExperimentNoTrialSucceeded and shows why the first trials failed', () => {
    const file = experiment(
      'allfail',
      "console.log('loading data'); console.error('ValueError: shapes (3,) and (4,) not aligned'); process.exit(3);\n",
      3,
    );
    const store = join(tmp.dir, 'store');
    const r = hpo(['run', file, '--store', store, '-q']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ExperimentNoTrialSucceeded');
    expect(r.stderr).toContain('3 trials failed; the first 3:');
    expect(r.stderr).toMatch(/allfail-\S+: Failed \(\w+\)/);
    expect(r.stderr).toContain('| ValueError: shapes (3,) and (4,) not aligned');
    const status = hpo(['trials', 'allfail', '--store', store, '-o', 'json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'Failed', reason: 'ExperimentNoTrialSucceeded' });
  });

  it('still succeeds, and still names the failures, when one trial succeeded', () => {
    // The first trial succeeds; later ones fail (a marker file tells them apart).
    const file = experiment(
      'somefail',
      `const fs = require('node:fs'); const m = __dirname + '/somefail.marker';
if (fs.existsSync(m)) { console.error('CUDA out of memory'); process.exit(1); }
fs.writeFileSync(m, ''); console.log('loss=' + process.argv[2]);\n`,
      2,
    );
    const r = hpo(['run', file, '--store', join(tmp.dir, 'store2'), '-q']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('ExperimentMaxTrialsReached');
    expect(r.stderr).toContain('1 trial failed; the first 1:');
    expect(r.stderr).toContain('| CUDA out of memory');
  });
});
