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

  it('hpo run refuses enas with exit 2 and the reason, no stack trace', () => {
    const r = hpo(['run', katibExample('nas__enas-cpu.yaml')], { cwd: tmp.dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('learned LSTM controller');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
