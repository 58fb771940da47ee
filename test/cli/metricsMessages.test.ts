// A trial that exits 0 without a usable objective is MetricsUnavailable; its message must say why, so the
// user can fix it: checked through the CLI, as a user would see it in `hpo run -o json`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hpo } from '../cliRunner.ts';
import { jobExperimentYaml, tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

function run(name: string, script: string, filter?: string): { state: string; message: string; status: number } {
  const file = join(tmp.dir, `${name}.yaml`);
  const collector =
    filter === undefined
      ? ''
      : `  metricsCollectorSpec:\n    source:\n      filter:\n        metricsFormat: [${JSON.stringify(filter)}]\n`;
  writeFileSync(
    file,
    jobExperimentYaml({
      name,
      command: ['sh', '-c', `${script} # \${trialParameters.x}`],
      settings: {},
      parameter: '{name: x, parameterType: int, feasibleSpace: {min: "0", max: "9"}}',
      maxTrialCount: 1,
      maxFailedTrialCount: 1,
      extraSpec: collector,
    }),
  );
  const r = hpo(['run', file, '--store', join(tmp.dir, 'store'), '-o', 'json', '-q']);
  const trial = JSON.parse(r.stdout).trials[0];
  return { state: trial.state, message: trial.message, status: r.status };
}

describe('MetricsUnavailable messages', () => {
  it('names non-finite objective values', () => {
    const r = run('nan', 'echo loss=nan; echo loss=inf', '(\\w+)=(\\S+)');
    expect(r.state).toBe('MetricsUnavailable');
    expect(r.message).toBe(
      'Metrics are not available: objective metric loss reported only non-finite values ("nan", "inf")',
    );
  });

  it('names a line over the 1 MiB limit, with its size and offset, and does not parse a cut-off value', () => {
    // "hello\n" is 6 bytes, so the long line starts at byte offset 6 of stdout.
    const r = run('long', "echo hello; printf 'loss=0.'; head -c 2000000 /dev/zero | tr '\\\\0' 1; echo");
    expect(r.state).toBe('MetricsUnavailable');
    expect(r.message).toBe(
      'Metrics are not available: objective metric loss was never reported; a line of 2000007 bytes at byte offset 6 of stdout exceeded the 1 MiB line limit; metrics on it were not parsed',
    );
  });
});
