import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of the `hpo` entry script. */
export const hpoBin: string = fileURLToPath(new URL('../bin/hpo.js', import.meta.url));

/** Runs `hpo ARGS` to completion and returns its exit status and output. */
export function hpo(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [hpoBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `hpo ARGS` in the background (for kill -9 tests). */
export function hpoAsync(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  return spawn(process.execPath, [hpoBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** What a finished child process printed, and its exit status (null when a signal ended it). */
export interface Finished {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Collects a child's stdout and stderr as it runs and resolves when it closes; a child still running after `ms` is
 * SIGKILLed (the test then sees a null status). `stdout()` reads what has arrived so far.
 */
export function collect(child: ChildProcess, ms: number): { result: Promise<Finished>; stdout: () => string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const result = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('close', (status: number | null) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
  return { result, stdout: () => stdout };
}

/**
 * Runs `hpo ARGS` to completion without blocking this process's event loop (a fake server the command talks to may
 * live in this process), and returns its exit status and output; killed after `ms`.
 */
export function hpoFinished(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
  ms = 120_000,
): Promise<Finished> {
  return collect(hpoAsync(args, options), ms).result;
}
