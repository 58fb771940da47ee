import { describe, expect, it } from 'vitest';
import { hpoAsync } from '../cliRunner.ts';

describe('hpo suggestion-server', () => {
  it('listens, says where, and exits 0 on SIGTERM', async () => {
    const child = hpoAsync(['suggestion-server', '--port', '0', '--host', '127.0.0.1']);
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 30_000);
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/listening on 127\.0\.0\.1:\d+/.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(err).toMatch(/Suggestion/);
  });
});
