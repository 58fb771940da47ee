import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProcessExit, type StartTrialProcessOptions, startTrialProcess } from '../../src/trial/process.ts';
import { processesWithToken, trialTokenVariable } from '../../src/trial/processIdentity.ts';
import { isAlive, tempDir, waitUntilGone } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('hpo-tree-');
});
afterAll(() => tmp.cleanup());

/** Pids this file must not leave behind whatever happens. */
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

let runs = 0;
/** Runs a shell script as a trial; the first numeric line it prints is the escaped process's pid. */
async function runScript(
  script: string,
  extra: Partial<StartTrialProcessOptions> = {},
): Promise<{ exit: ProcessExit; escaped: number; lines: string[]; ms: number }> {
  const lines: string[] = [];
  let escaped = 0;
  const t0 = performance.now();
  const proc = startTrialProcess({
    argv: ['sh', '-c', script],
    cwd: tmp.dir,
    env: { PATH: process.env.PATH ?? '' },
    logPath: join(tmp.dir, `run-${runs++}.log`),
    onLine: (line) => {
      lines.push(line);
      if (escaped === 0 && /^\d+$/.test(line)) {
        escaped = Number(line);
        started.push(escaped);
      }
    },
    ...extra,
  });
  const exit = await proc.exited;
  return { exit, escaped, lines, ms: performance.now() - t0 };
}

describe('a trial ends with its main process', () => {
  it('succeeds promptly when a `setsid sleep 1000 &` child holds stdout, and the sleep is gone', async () => {
    const r = await runScript('setsid sleep 1000 & echo $!; echo loss=0.25');
    expect(r.exit).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    expect(r.lines).toContain('loss=0.25');
    expect(r.escaped).toBeGreaterThan(0);
    // Well under the drain window: the sleep was found by its token and killed, which closed the pipe.
    expect(r.ms).toBeLessThan(5000);
    expect(await waitUntilGone(r.escaped)).toBe(true);
    expect(r.exit.survivors).toBeUndefined();
  });

  it('ends a double-forked, re-sessioned grandchild too', async () => {
    const pidFile = join(tmp.dir, 'double.pid');
    // The inner shell is in a new session; its background sleep is in that session's group, not the trial's.
    const r = await runScript(
      `( setsid sh -c 'sleep 1000 & echo $! > ${pidFile}; wait' & ); while [ ! -s ${pidFile} ]; do sleep 0.05; done; cat ${pidFile}; echo loss=1`,
    );
    expect(r.exit).toMatchObject({ exitCode: 0, timedOut: false });
    expect(r.lines).toContain('loss=1');
    expect(r.escaped).toBeGreaterThan(0);
    expect(await waitUntilGone(r.escaped)).toBe(true);
  });

  it('enforces the deadline while an escaped child holds stdout, and ends the child', async () => {
    const r = await runScript('setsid sleep 1000 & echo $!; sleep 1000', { timeoutMs: 400, graceMs: 300 });
    expect(r.exit).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
    expect(r.ms).toBeLessThan(4000);
    expect(await waitUntilGone(r.escaped)).toBe(true);
  });

  it('stops reading output after the drain window when an untraceable descendant keeps the pipe', async () => {
    // `env -i` clears the token: nothing can find this sleep, but the trial must still end with its program.
    // The main process waits until the child is in its own session; exiting earlier would kill it with the group.
    const ready = join(tmp.dir, 'cleared.ready');
    const r = await runScript(
      `setsid env -i sh -c 'echo > ${ready}; exec sleep 1000' & echo $!; while [ ! -e ${ready} ]; do sleep 0.05; done; echo loss=2`,
      { drainMs: 300 },
    );
    expect(r.exit).toMatchObject({ exitCode: 0, timedOut: false });
    expect(r.lines).toContain('loss=2');
    expect(r.ms).toBeLessThan(4000);
    expect(isAlive(r.escaped)).toBe(true); // documented limit; afterEach kills it
  });
});

describe('processesWithToken', () => {
  it('finds exactly the processes whose environment holds the whole token entry', async () => {
    const { spawn } = await import('node:child_process');
    const token = `t-${process.pid}-${Date.now()}`;
    const spawnWith = (env: Record<string, string>) => {
      const c = spawn('sleep', ['30'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
      started.push(c.pid ?? 0);
      return c.pid ?? 0;
    };
    const holder = spawnWith({ [trialTokenVariable]: token });
    const longer = spawnWith({ [trialTokenVariable]: `${token}x` });
    const prefixed = spawnWith({ [`X${trialTokenVariable}`]: token });
    await new Promise((r) => setTimeout(r, 100));
    const found = processesWithToken(token);
    expect(found).toContain(holder);
    expect(found).not.toContain(longer);
    expect(found).not.toContain(prefixed);
  });
});
