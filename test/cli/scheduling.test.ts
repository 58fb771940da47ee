// `hpo run --backend kubernetes --dry-run` shows the queue and gang policy set on the experiment; bad values are exit 2.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { hpo } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';

const file = fileURLToPath(new URL('../fixtures/gang-scheduling.yaml', import.meta.url));
const tmp = tempDir('hpo-gang-');
afterAll(() => tmp.cleanup());

describe('trialTemplate.scheduling through the CLI', () => {
  it('--dry-run prints each trial job with the Kueue label and runPolicy.schedulingPolicy', () => {
    const r = hpo(['run', file, '--backend', 'kubernetes', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [job] = parseAllDocuments(r.stdout).map(
      (d) => d.toJS() as { metadata: { labels: Record<string, string> }; spec: { runPolicy: unknown } },
    );
    expect(job?.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a-queue');
    expect(job?.spec.runPolicy).toEqual({ schedulingPolicy: { minAvailable: 3, priorityClass: 'high-priority' } });
  });

  it('refuses a queue name that is not a DNS label and a gang larger than the job, exit 2 with the paths', () => {
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(
      bad,
      readFileSync(file, 'utf8').replace('minAvailable: 3', 'minAvailable: 5').replace('team-a-queue', 'Team_A'),
    );
    for (const args of [
      ['run', bad, '--backend', 'kubernetes', '--dry-run'],
      ['validate', bad],
    ]) {
      const r = hpo(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('spec.trialTemplate.scheduling.queueName:');
      expect(r.stderr).toContain('spec.trialTemplate.scheduling.minAvailable:');
    }
  });
});
