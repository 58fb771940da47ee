/**
 * The command line, environment, folder and log of one replica process, built the way the single-replica
 * executor builds a trial's (Katib substitution, trial variables, container `env`, `$(VAR)` expansion, per-trial
 * metrics and checkpoint paths) plus the variables its operator injects.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ContainerEnvVar, trialEnvironment } from '../../trial/env.ts';
import type { TrialContext } from '../../trial/executor.ts';
import { type LocalCollectorSettings, localCommand } from '../../trial/localProcess.ts';
import { replicaLogFile } from '../../trial/workspace.ts';
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
    ...(ctx.artifactsDir === undefined ? {} : { artifactsDir: ctx.artifactsDir }),
    containerEnv,
    extra: { HPO_EXPERIMENT_DIR: t.sourceDir, ...injected },
  });
  // Each replica gets its own metrics path; only the master's is collected, so replicas that all write
  // "the" metrics file do not overwrite the master's. The operator's variables count as declared.
  const { argv, metricsPath } = localCommand({
    command: commandFrom,
    containerEnv,
    env,
    collector: t.collector,
    dir: cwd,
    ...(ctx.checkpoint === undefined ? {} : { checkpoint: ctx.checkpoint }),
    declared: Object.keys(injected),
  });
  return {
    argv,
    env,
    cwd,
    logPath: replica.master ? ctx.logPath : replicaLogFile(ctx.logPath, replica.name),
    ...(metricsPath === undefined ? {} : { metricsPath }),
    warnings,
  };
}
