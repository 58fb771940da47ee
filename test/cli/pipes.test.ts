// The CLI through pipes, as shell users run it: large `-o json` output arrives complete, a reader that stops
// early (`head -1`) ends the CLI quietly, and signals end it with the documented status 130.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { ExperimentWorkspace } from '../../src/trial/workspace.ts';
import { collect, hpoBin } from '../cliRunner.ts';
import { tempDir } from '../helpers.ts';
import { experiment, fullTrial } from '../store/fixtures-data.ts';

const quickstart = fileURLToPath(new URL('../../examples/quickstart/experiment.yaml', import.meta.url));
const stackFrame = /\n\s+at .+:\d+:\d+/;

/** Runs `hpo ARGS | consumer` through a real pipe: `consumer` is the shell command that reads hpo's stdout. */
function piped(
  args: readonly string[],
  consumer: string,
  env: Record<string, string> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const line = `${quote(process.execPath)} ${quote(hpoBin)} ${args.map(quote).join(' ')} 2>"$HPO_ERR" | ${consumer}; echo "hpo=\${PIPESTATUS[0]}" >&2`;
  const child = spawn('bash', ['-c', `HPO_ERR=$(mktemp); ${line}; cat "$HPO_ERR" >&2; rm -f "$HPO_ERR"`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child, 90_000).result.then(({ stdout, stderr }) => {
    const m = /hpo=(\d+)/.exec(stderr);
    return { status: m ? Number(m[1]) : -1, stdout, stderr: stderr.replace(/hpo=\d+\n?/, '') };
  });
}

let tmp: ReturnType<typeof tempDir>;
let store: string;
const trialCount = 2500;
beforeAll(async () => {
  tmp = tempDir();
  store = join(tmp.dir, 'store');
  const s = openStore(store);
  try {
    await s.createExperiment(experiment('big', { phase: 'Succeeded', reason: 'ExperimentMaxTrialsReached' }));
    await s.transaction(async (tx) => {
      for (let i = 0; i < trialCount; i++) await tx.insertTrial(fullTrial('big', i));
    });
  } finally {
    await s.close();
  }
});
afterAll(() => tmp.cleanup());

describe('hpo through pipes', () => {
  it('writes more than 1 MB of `trials -o json` through a pipe completely', async () => {
    const r = await piped(['trials', 'big', '--store', store, '-o', 'json'], 'cat');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Buffer.byteLength(r.stdout)).toBeGreaterThan(1_000_000);
    const doc = JSON.parse(r.stdout) as { trials: unknown[] };
    expect(doc.trials).toHaveLength(trialCount);
  });

  it('ends quietly with status 0 when the reader closes the pipe early', async () => {
    for (const args of [
      ['trials', 'big', '--store', store, '-o', 'json'],
      ['trials', 'big', '--store', store],
      ['status', 'big', '--store', store],
    ]) {
      const r = await piped(args, 'head -c 1 >/dev/null');
      expect(r.stderr).not.toMatch(stackFrame);
      expect(r.stderr).not.toContain('EPIPE');
      expect(r.status).toBe(0);
    }
  });

  it('`hpo logs -f | head -3` ends quietly with status 0 while the trial still runs', async () => {
    const s = openStore(store);
    try {
      await s.createExperiment(experiment('tailed', { phase: 'Running', reason: 'ExperimentRunning' }));
      await s.insertTrial(fullTrial('tailed', 0));
      await s.updateTrial('tailed', 'tailed-t0', { state: 'Running', reason: 'TrialRunning' });
      // This test process plays the controller, so the trial stays live: only the closed pipe can end `-f`.
      expect(await s.acquireExperimentLock('tailed')).toBe(true);
      const log = new ExperimentWorkspace(store, 'tailed').logPath('tailed-t0');
      mkdirSync(dirname(log), { recursive: true });
      writeFileSync(log, Array.from({ length: 100_000 }, (_, i) => `step=${i}\n`).join(''));
      const r = await piped(['logs', 'tailed', 'tailed-t0', '-f', '--store', store], 'head -3');
      expect(r.stdout).toBe('step=0\nstep=1\nstep=2\n');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('exits 130 on SIGTERM while starting, like SIGINT', async () => {
    const child = spawn(process.execPath, [hpoBin, 'run', quickstart, '--store', join(tmp.dir, 'sig')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    // Early: while the CLI is still loading, before `hpo run` has installed its own handlers.
    setTimeout(() => child.kill('SIGTERM'), 700);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(stackFrame);
    expect(code).toBe(130);
  });
});
