// User algorithm modules (.ts, .mts, .mjs) named by the YAML `module` setting: `hpo validate` loads them and runs
// their own settings check exactly as `hpo run` does, and `hpo run` uses them.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hpo } from '../cliRunner.ts';
import { jobExperimentYaml, tempDir } from '../helpers.ts';

const fixtures = fileURLToPath(new URL('../fixtures/algorithms/', import.meta.url));
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('hpo-cli-modules-');
});
afterAll(() => tmp.cleanup());

function experiment(name: string, settings: Readonly<Record<string, string>>): string {
  const file = join(tmp.dir, `${name}.yaml`);
  const command = [process.execPath, '-e', "console.log('loss=' + process.argv[1])", '${trialParameters.x}'];
  const parameter = '{name: x, parameterType: double, feasibleSpace: {min: "0", max: "8"}}';
  writeFileSync(
    file,
    jobExperimentYaml({ name, command, algorithm: 'halving', settings, parameter, maxTrialCount: 3 }),
  );
  return file;
}

describe('algorithm modules named by the YAML module setting', () => {
  it.each(['ts', 'mts', 'mjs'])('a .%s module validates and runs', (ext) => {
    // The .ts copy is the .mts source: the file extension is what decides how it is loaded.
    copyFileSync(join(fixtures, `halving.${ext === 'mjs' ? 'mjs' : 'mts'}`), join(tmp.dir, `halving-${ext}.${ext}`));
    const file = experiment(`halving-${ext}`, { module: `./halving-${ext}.${ext}` });
    const v = hpo(['validate', file]);
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
    const r = hpo(['run', file, '--store', join(tmp.dir, `store-${ext}`), '-q', '-o', 'json']);
    expect(r.status).toBe(0);
    const xs = JSON.parse(r.stdout).trials.map((t: { parameters: { x: number } }) => t.parameters.x);
    expect(xs).toEqual([4, 2, 1]);
  });

  it('validate reports a module that does not exist, with the setting path, exit 2', () => {
    const file = experiment('missing', { module: './no-such-algorithm.ts' });
    const v = hpo(['validate', file]);
    expect(v.status).toBe(2);
    expect(v.stderr).toContain('spec.algorithm.algorithmSettings.module');
    expect(v.stderr).toContain('no-such-algorithm.ts');
    expect(v.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it("validate runs the module's own settings check, as run does", () => {
    copyFileSync(join(fixtures, 'halving.mts'), join(tmp.dir, 'halving-bad.mts'));
    const file = experiment('badstep', { module: './halving-bad.mts', step: '-1' });
    for (const args of [
      ['validate', file],
      ['run', file, '--store', join(tmp.dir, 'store-bad'), '-q'],
    ]) {
      const r = hpo(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('spec.algorithm.algorithmSettings.step');
      expect(r.stderr).toContain('step must be a positive number');
    }
  });
});
