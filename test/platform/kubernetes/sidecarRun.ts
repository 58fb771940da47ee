// Runs the metrics sidecar's script for real under /bin/sh, as its container would, and returns what it printed.
import { spawn } from 'node:child_process';
import { metricsSidecarName, metricsSidecarScript } from '../../../src/platform/kubernetes/metricsSidecar.ts';

/**
 * Starts the script on `path` (polling every 50 ms), lets `during` write files, then sends SIGTERM as the kubelet
 * does to a native sidecar once the training container exited. Rejects unless it exits 0 with nothing on stderr.
 */
export async function runSidecar(
  mode: 'file' | 'dir',
  path: string,
  during: (printed: () => number) => Promise<void>,
): Promise<string[]> {
  const child = spawn('/bin/sh', ['-c', metricsSidecarScript, metricsSidecarName, mode, path, '0.05'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await during(() => out.split('\n').filter((l) => l !== '').length);
  child.kill('SIGTERM');
  const code = await exited;
  if (code !== 0 || err !== '') throw new Error(`sidecar script exited ${code}: ${err}`);
  return out.split('\n').filter((l) => l !== '');
}

/** Resolves after `ms`. */
export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once `ready()` holds, polling every 10 ms; rejects after `ms` (a loaded machine polls late, never wrongly). */
export async function until(ready: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await pause(10);
  }
}
