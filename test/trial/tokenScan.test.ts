// processesWithToken's narrowing: a descendant is born after its ancestor, so the scan may skip lower pids while
// the kernel's pid counter has not wrapped; it still finds every token holder born after the given pid.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { processesWithToken } from '../../src/trial/processIdentity.ts';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function holder(token: string): number {
  const c = spawn('sleep', ['30'], { env: { ...process.env, HPO_TRIAL_TOKEN: token }, stdio: 'ignore' });
  children.push(c);
  return c.pid!;
}

describe('processesWithToken', () => {
  it('finds a holder born after the given pid, and skips pids at or below it', async () => {
    const token = `scan-${process.pid}-${Date.now()}`;
    const a = holder(token);
    const b = holder(token);
    await new Promise((r) => setTimeout(r, 100)); // both have exec'd sleep with the token
    expect(processesWithToken(token).sort()).toEqual([a, b].sort());
    expect(processesWithToken(token, a - 1).sort()).toEqual([a, b].sort());
    expect(processesWithToken(token, a)).toEqual([b]);
    expect(processesWithToken(`${token}-other`, a - 1)).toEqual([]);
  });
});
