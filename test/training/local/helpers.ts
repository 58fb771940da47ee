import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricLog } from '../../../src/metrics/types.ts';
import { configOf } from '../../../src/spec/config.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import { type LauncherOptions, LocalDistributedExecutor } from '../../../src/training/local/index.ts';
import { type Runnable, runnable, type TestTrial } from '../../trial/runExecutor.ts';

/** Absolute path of a fixture under test/fixtures/distributed. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/distributed/${name}`, import.meta.url));
}

/** A minimal Experiment around an inline trial job; metrics `score` (objective) and `loss`. */
export function manifestFor(
  trialSpec: Record<string, unknown>,
  opts: { primary?: string; parameters?: { name: string; reference: string }[] } = {},
): ExperimentManifest {
  return {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: 'dist' },
    spec: {
      objective: { type: 'maximize', objectiveMetricName: 'score', additionalMetricNames: ['loss'] },
      trialTemplate: {
        primaryContainerName: opts.primary ?? 'main',
        trialParameters: opts.parameters ?? [],
        trialSpec,
      },
    },
  };
}

/** A replica's pod template, as written under `<kind>ReplicaSpecs.<Role>`. */
export type PodTemplate = { template: { spec: { containers: Record<string, unknown>[] } } };

/** A replica pod template running `node replica.mjs ...args` in a container called `name`. */
export function pod(name: string, args: readonly string[], extra: Record<string, unknown> = {}): PodTemplate {
  const container = { name, image: 'node:20', command: ['node', fixture('replica.mjs'), ...args], ...extra };
  return { template: { spec: { containers: [container] } } };
}

/** A fake trial context with its reports, warnings and the abort controller that stops it. */
export function fakeContext(
  workDir: string,
  params: Record<string, number | string> = {},
): { ctx: TestTrial; reports: MetricLog[]; warnings: string[]; abort: AbortController } {
  const reports: MetricLog[] = [];
  const warnings: string[] = [];
  const abort = new AbortController();
  const ctx: TestTrial = {
    experiment: 'dist',
    namespace: 'default',
    trial: 'dist-trial',
    params,
    workDir,
    logPath: join(workDir, 'trial.log'),
    signal: abort.signal,
    report: (logs) => reports.push(...logs),
    warn: (m) => warnings.push(m),
  };
  return { ctx, reports, warnings, abort };
}

/** The environment a replica.mjs process recorded, minus what it inherited from this test process. */
export function addedEnv(replicaDir: string): Record<string, string> {
  const env = JSON.parse(readFileSync(join(replicaDir, 'env.json'), 'utf8')) as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('HPO_') || k === 'KATIB_TRIAL_NAME') continue;
    if (process.env[k] === v) continue;
    out[k] = v;
  }
  return out;
}

/** The pid a replica.mjs process recorded. */
export function recordedPid(replicaDir: string): number {
  return Number(readFileSync(join(replicaDir, 'pid'), 'utf8'));
}

/** Whether a process is still alive (a zombie waiting to be reaped counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until `file` exists (a replica has started), polling. */
export async function waitForFile(file: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`${file} did not appear`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A local distributed executor built from the experiment's config (converted once from `manifest`), whose `run`
 * goes through `runTrial` as the controller's does.
 */
export function distributed(
  options: { readonly manifest: ExperimentManifest } & LauncherOptions,
): Runnable<LocalDistributedExecutor> {
  const { manifest, ...launcher } = options;
  const config = configOf(manifest);
  return runnable(new LocalDistributedExecutor({ config, ...launcher }), config);
}
