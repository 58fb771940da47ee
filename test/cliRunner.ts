import { spawn, spawnSync } from 'node:child_process';
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
