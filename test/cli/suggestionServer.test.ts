import { describe, expect, it } from 'vitest';
import { hpo, hpoAsync } from '../cliRunner.ts';

describe('hpo suggestion-server', () => {
  it('listens, says where (and where PBT checkpoints go, from HPO_SUGGESTION_DATA_DIR), and exits 0 on SIGTERM', async () => {
    const child = hpoAsync(['suggestion-server', '--port', '0', '--host', '127.0.0.1', '--keep-generations', '3'], {
      env: { HPO_SUGGESTION_DATA_DIR: '/mnt/pbt-volume' },
    });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 30_000);
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/listening on 127\.0\.0\.1:\d+[\s\S]*PBT checkpoint folders: .*\n/.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(err).toMatch(/Suggestion/);
    expect(err).toContain(
      'PBT checkpoint folders: /mnt/pbt-volume/<experiment>/<trial> (the newest 3 generations and the best trial kept)',
    );
  });

  it.each(['1', 'x'])('refuses --keep-generations %s (exit 2)', (value) => {
    const r = hpo(['suggestion-server', '--keep-generations', value]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "--keep-generations must be a whole number of at least 2 (parents and their re-queued children) or 'all'",
    );
  });
});
