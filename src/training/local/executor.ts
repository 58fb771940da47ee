import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { OverlongLine } from '../../metrics/types.ts';
import { trialKindInfo } from '../../spec/containers.ts';
import { renderTrialSpec } from '../../spec/template.ts';
import {
  type ExecutorResult,
  type ExperimentSource,
  experimentConfig,
  type TrialContext,
  type TrialExecutor,
  type TrialHandle,
} from '../../trial/executor.ts';
import { type RunningTrial, startTrial } from '../../trial/handle.ts';
import {
  deadlineSeconds,
  type LocalCollectorSettings,
  type LocalTrialTemplate,
  localTrialTemplate,
} from '../../trial/localProcess.ts';
import { type RecoveryNote, recordTrialProcesses, stopRecordedProcesses } from '../../trial/orphans.ts';
import { type ProcessExit, startTrialProcess, type TrialProcess } from '../../trial/process.ts';
import { type GpuAllocator, sharedGpuAllocator } from './gpu.ts';
import { assignGpus } from './gpuAssign.ts';
import { type LaunchedTrial, launchReplicas } from './launch.ts';
import { planTrial, type ReplicaPlan, type TrialPlan } from './plan.ts';
import { killSession } from './session.ts';
import { superviseReplicas } from './supervise.ts';
import { isDistributedKind } from './topology.ts';

/** Output lines quoted from a failed replica: enough for an Open MPI error block after the program's own last words. */
const tailLines = 20;

/** Options of {@link LocalDistributedExecutor}: the experiment (its config, or a manifest) and launcher settings. */
export type LocalDistributedExecutorOptions = ExperimentSource & LauncherOptions;

/** The launcher settings of {@link LocalDistributedExecutorOptions}. */
export interface LauncherOptions {
  /** The Experiment file; its folder is `HPO_EXPERIMENT_DIR`. */
  readonly sourcePath?: string;
  /** GPUs to hand out; default the process-wide allocator over `nvidia-smi -L`; `null` means this machine has none. */
  readonly gpus?: GpuAllocator | null;
  /** How long other replicas may take to exit after the master replica completed; default 30 s. */
  readonly finishGraceMs?: number;
  /** SIGTERM → SIGKILL grace when replicas are stopped; default 5 s. */
  readonly killGraceMs?: number;
  /** The address replicas reach each other at; default 127.0.0.1. */
  readonly host?: string;
}

function failed(message: string, exitCode?: number): ExecutorResult {
  return { outcome: 'failed', reason: 'TrialFailed', message, ...(exitCode === undefined ? {} : { exitCode }) };
}

/**
 * A replica process whose leftovers in its session (e.g. MPI ranks in groups of their own) die when it exits;
 * `warn` hears of processes that outlived even the token sweep of `startTrialProcess`.
 */
function withSessionCleanup(proc: TrialProcess, label: string, warn: (message: string) => void): TrialProcess {
  let warned = false;
  const cleanup = (exit: ProcessExit): ProcessExit => {
    killSession(proc.pid);
    if (exit.survivors !== undefined && !warned) {
      warned = true;
      warn(`replica ${label}: processes ${exit.survivors.join(', ')} it started could not be ended after it exited`);
    }
    return exit;
  };
  const exited = proc.exited.then(cleanup);
  return { ...proc, exited, stop: (reason) => proc.stop(reason).then(cleanup) };
}

function describeExit(label: string, exit: ProcessExit, logPath: string): string {
  if (exit.error !== undefined) return `replica ${label}: ${exit.error}`;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  const tail = exit.tail.trim().split('\n').slice(-tailLines).join('\n');
  return `replica ${label} ${how} (log: ${logPath})${tail ? `; last output:\n${tail}` : ''}`;
}

/**
 * Runs a multi-replica trial (PyTorchJob, TFJob, MPIJob, XGBoostJob, JAXJob, PaddleJob, TrainJob) as local
 * processes, one per replica, with the variables its operator injects pointing at 127.0.0.1 and free ports.
 * Metrics come from the master replica (Katib's primary pod); the first failing replica fails the trial and
 * stops the others; GPU requests get disjoint `CUDA_VISIBLE_DEVICES` slices. Its handle's lines are the master
 * replica's output; its files folder is the master replica's folder.
 */
export class LocalDistributedExecutor implements TrialExecutor {
  readonly kind = 'local-distributed';
  readonly needsWorkDir = true;
  private readonly template: LocalTrialTemplate['template'];
  private readonly sourceDir: string;
  private readonly collector: LocalCollectorSettings;
  private readonly options: LauncherOptions;

  constructor(options: LocalDistributedExecutorOptions) {
    this.options = options;
    // The config carries Katib's defaults (a File collector without a path gets Katib's path), however built.
    const local = localTrialTemplate(experimentConfig(options));
    this.sourceDir = options.sourcePath ? dirname(options.sourcePath) : process.cwd();
    const kind = trialKindInfo(local.template.trialSpec).kind;
    if (!isDistributedKind(kind)) {
      throw new WorkbenchError(
        ErrorCode.unsupported,
        `spec.trialTemplate.trialSpec: a ${kind || 'job without a kind'} is not a distributed training job; run it with the local-process executor`,
      );
    }
    this.template = local.template;
    this.collector = local.collector;
  }

  /**
   * Stops the replica process groups (and mpirun's rank sessions) a dead controller left running for this trial,
   * each only once /proc shows its leader is still the recorded program; escaped processes are found by token.
   */
  recover(trial: { readonly name: string; readonly workDir?: string }): readonly RecoveryNote[] {
    return stopRecordedProcesses(trial.workDir, (pid) => killSession(pid));
  }

  start(ctx: TrialContext): TrialHandle {
    return startTrial((trial) => this.execute(ctx, trial));
  }

  private async execute(ctx: TrialContext, trial: RunningTrial): Promise<ExecutorResult> {
    const tt = this.template;
    const rendered = renderTrialSpec({
      template: tt.trialSpec,
      trialParameters: tt.trialParameters ?? [],
      assignment: ctx.params,
      trialName: ctx.trial,
      namespace: ctx.namespace,
    });
    let plan: TrialPlan;
    try {
      plan = planTrial(rendered, tt.primaryContainerName ?? '');
    } catch (err) {
      if (err instanceof WorkbenchError) return failed(err.message);
      throw err;
    }
    const gpus = await assignGpus(plan.replicas, {
      allocator: this.options.gpus === undefined ? sharedGpuAllocator() : (this.options.gpus ?? undefined),
      ignoreRequests: process.env.HPO_IGNORE_GPU_REQUESTS === '1',
      signal: trial.signal,
      baseEnv: process.env,
    });
    if (gpus.kind === 'stopped') return { outcome: 'stopped' };
    if (gpus.kind === 'failed') return failed(gpus.message);
    try {
      return await this.runPlanned(ctx, trial, rendered, plan, gpus.envOf);
    } finally {
      gpus.release();
    }
  }

  private async runPlanned(
    ctx: TrialContext,
    trial: RunningTrial,
    rendered: Record<string, unknown>,
    plan: TrialPlan,
    gpuEnv: (replica: ReplicaPlan) => Record<string, string>,
  ): Promise<ExecutorResult> {
    let launched: LaunchedTrial;
    try {
      launched = await launchReplicas(plan, {
        trial: { ctx, sourceDir: this.sourceDir, collector: this.collector },
        host: this.options.host ?? '127.0.0.1',
        gpuEnv,
        root: process.getuid?.() === 0,
        cores: availableParallelism(),
      });
    } catch (err) {
      if (err instanceof WorkbenchError) return failed(err.message);
      throw err;
    }
    const master = launched.replicas.find((r) => r.plan.master) ?? launched.replicas[0]!;
    // Katib's primary pod: the collector reads the master's metrics path, resolved in the master's own folder.
    trial.files(master.launch.cwd);
    const supervised = launched.replicas.map((r) => ({
      label: `${r.plan.role}-${r.plan.index}`,
      role: r.plan.role,
      master: r === master,
      logPath: r.launch.logPath,
      process: withSessionCleanup(
        startTrialProcess({
          argv: r.launch.argv,
          cwd: r.launch.cwd,
          env: r.launch.env,
          logPath: r.launch.logPath,
          ...(this.options.killGraceMs === undefined ? {} : { graceMs: this.options.killGraceMs }),
          ...(r === master
            ? {
                onLine: (line: string) => trial.line(line),
                onOverlongLine: (line: OverlongLine, stream: string) => trial.overlongLine(line, stream),
              }
            : {}),
        }),
        `${r.plan.role}-${r.plan.index}`,
        (message) => ctx.warn(message),
      ),
    }));
    // Remembered so that a controller restarted after kill -9 can stop these orphaned process groups.
    recordTrialProcesses(
      ctx.workDir,
      supervised.map((s) => s.process),
    );
    for (const w of launched.warnings) ctx.warn(w);
    const timeout = deadlineSeconds(rendered);
    const outcome = await superviseReplicas(supervised, {
      signal: trial.signal,
      stopReason: () => trial.stopMessage(),
      ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
      finishGraceMs: this.options.finishGraceMs ?? 30_000,
      // TF parameter servers serve until stopped (evaluators exit after the last checkpoint, like workers).
      serverRoles: new Set(plan.shape.kind === 'TFJob' ? ['PS'] : []),
    });
    switch (outcome.kind) {
      case 'stopped':
        return { outcome: 'stopped' };
      case 'deadline':
        return {
          outcome: 'failed',
          reason: 'DeadlineExceeded',
          message: `Trial ran past activeDeadlineSeconds (${timeout}s) and was stopped`,
        };
      case 'failed':
        return failed(
          describeExit(outcome.replica.label, outcome.exit, outcome.replica.logPath),
          outcome.exit.exitCode ?? undefined,
        );
      default:
        for (const late of outcome.late) {
          ctx.warn(`after the master completed, ${describeExit(late.replica.label, late.exit, late.replica.logPath)}`);
        }
        return { outcome: 'completed', exitCode: 0 };
    }
  }
}
