/**
 * The command line, environment, folder and log of one replica process, built the way the single-replica
 * executor builds a trial's (Katib substitution, trial variables, container `env`, `$(VAR)` expansion, per-trial
 * metrics and checkpoint paths) plus the variables its operator injects.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveTrialPath } from '../../metrics/collector.ts';
import { type ContainerEnvVar, expandEnvReferences, trialEnvironment } from '../../trial/env.ts';
import type { TrialContext } from '../../trial/executor.ts';
import type { LocalCollectorSettings } from '../../trial/localProcess.ts';
import type { ReplicaPlan } from './plan.ts';

/** What every replica of one trial shares. */
export interface TrialLaunchContext {
  readonly ctx: TrialContext;
  /** The Experiment file's folder (`HPO_EXPERIMENT_DIR`). */
  readonly sourceDir: string;
  readonly collector: LocalCollectorSettings;
}

/** A replica ready to start. */
export interface ReplicaLaunch {
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly logPath: string;
  /** The metrics file or folder this replica's template paths point to (the collected one for the master). */
  readonly metricsPath?: string;
  readonly warnings: readonly string[];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => String(x)) : [];
}

/** Where a replica runs: its own folder under the trial's, like a pod's own filesystem. */
export function replicaDir(workDir: string, replica: ReplicaPlan): string {
  return join(workDir, replica.name);
}

/**
 * Builds replica `replica`'s launch. `injected` are its operator variables (plus GPU ones); they win over the
 * container's own `env` list, as the operator appends them after it. `commandFrom` is the container whose
 * command/args run (an MPI launcher without a command of its own runs the worker's under `mpirun`).
 */
export function replicaLaunch(
  replica: ReplicaPlan,
  t: TrialLaunchContext,
  injected: Readonly<Record<string, string>>,
  commandFrom: Readonly<Record<string, unknown>> = replica.container,
): ReplicaLaunch {
  const { ctx } = t;
  const cwd = replicaDir(ctx.workDir, replica);
  mkdirSync(cwd, { recursive: true });
  const container = replica.container;
  const containerEnv = Array.isArray(container.env) ? (container.env as ContainerEnvVar[]) : [];
  const { env, warnings } = trialEnvironment({
    experiment: ctx.experiment,
    trial: ctx.trial,
    namespace: ctx.namespace,
    workDir: cwd,
    params: ctx.params,
    containerEnv,
    extra: { HPO_EXPERIMENT_DIR: t.sourceDir, ...injected },
  });
  // The metrics path and the PBT checkpoint path written in the template are rewritten to per-trial ones
  // (longest first). Only the master's metrics path is collected; the others get their own, so replicas that
  // all write "the" metrics file do not overwrite the master's.
  const c = t.collector;
  const pairs: [string, string][] = [];
  let metricsPath: string | undefined;
  if (c.path !== undefined) {
    metricsPath = resolveTrialPath(cwd, c.path);
    mkdirSync(c.kind === 'TensorFlowEvent' ? metricsPath : dirname(metricsPath), { recursive: true });
    pairs.push([c.path, metricsPath]);
    env.HPO_METRICS_PATH = metricsPath;
  }
  if (ctx.checkpoint) {
    const mount = ctx.checkpoint.mountPath.replace(/\/+$/, '');
    if (mount !== '') pairs.push([mount, ctx.checkpoint.dir]);
    env.HPO_CHECKPOINT_DIR = ctx.checkpoint.dir;
  }
  pairs.sort((a, b) => b[0].length - a[0].length);
  const rewrite = (s: string): string => pairs.reduce((acc, [from, to]) => acc.split(from).join(to), s);
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('HPO_')) env[k] = rewrite(v);
  // Kubernetes expands $(VAR) in command/args from the container's variables, which include the operator's.
  const declared = new Set([...containerEnv.map((e) => String(e.name)), ...Object.keys(injected)]);
  const lookup = (name: string): string | undefined =>
    declared.has(name) || name.startsWith('HPO_') || name === 'KATIB_TRIAL_NAME' ? env[name] : undefined;
  const argv = [...strings(commandFrom.command), ...strings(commandFrom.args)].map((a) =>
    rewrite(expandEnvReferences(a, lookup)),
  );
  return {
    argv,
    env,
    cwd,
    logPath: replica.master ? ctx.logPath : `${ctx.logPath}.${replica.name}`,
    ...(metricsPath === undefined ? {} : { metricsPath }),
    warnings,
  };
}
