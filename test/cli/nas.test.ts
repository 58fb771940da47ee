import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { katibExample } from '../search/nas/helpers.ts';

const tmp = tempDir('hpo-cli-nas-');
afterAll(() => tmp.cleanup());

const names = ['darts-cpu', 'darts-gpu', 'enas-cpu', 'enas-gpu'];

describe('hpo on Katib’s NAS examples', () => {
  it('hpo validate accepts all four', () => {
    const r = hpo(['validate', ...names.map((n) => katibExample(`nas__${n}.yaml`))]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter((l) => l.includes('is valid'))).toHaveLength(4);
    expect(r.status).toBe(0);
  });

  it('hpo run --dry-run renders the darts trial with Katib’s three parameters in its command', () => {
    const r = hpo(['run', katibExample('nas__darts-cpu.yaml'), '--backend', 'kubernetes', '--dry-run'], {
      cwd: tmp.dir,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('- --search-space="[\'max_pooling_3x3\']"');
    expect(r.stdout).toContain('- --num-layers="1"');
    expect(r.stdout).toContain("'num_epochs': '1', 'w_lr': 0.025,");
  });

  it('hpo run --dry-run renders enas trials with Katib’s architecture and nn_config in their command', () => {
    const r = hpo(['run', katibExample('nas__enas-gpu.yaml'), '--backend', 'kubernetes', '--dry-run'], {
      cwd: tmp.dir,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const archs = [...r.stdout.matchAll(/- --architecture="(\[\[.*\]\])"/g)].map(
      (m) => JSON.parse(m[1]!) as number[][],
    );
    expect(archs.length).toBeGreaterThan(0);
    for (const a of archs) expect(a.map((l) => l.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.stdout).toContain(
      "--nn_config=\\\"{'num_layers': 8, 'input_sizes': [32, 32, 3], 'output_sizes': [10], 'embedding': {",
    );
  });

  it('hpo run refuses a bad enas setting with exit 2, the path and no stack trace', () => {
    const text = readFileSync(katibExample('nas__enas-cpu.yaml'), 'utf8').replace(
      /algorithmName: enas/,
      'algorithmName: enas\n    algorithmSettings:\n      - name: controller_temperature\n        value: "-1"',
    );
    const file = join(tmp.dir, 'bad-enas.yaml');
    writeFileSync(file, text);
    const r = hpo(['run', file, '--backend', 'kubernetes', '--dry-run'], { cwd: tmp.dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('spec.algorithm.algorithmSettings[0].value');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
