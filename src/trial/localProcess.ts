import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { resolveTrialPath } from '../metrics/collector.ts';
import type { CollectorSpec } from '../spec/collectorSpec.ts';
import type { CollectorConfig, ExperimentConfig } from '../spec/config.ts';
import { findPrimaryContainer, trialKindInfo } from '../spec/containers.ts';
import { renderTrialSpec } from '../spec/template.ts';
import type { TrialTemplate } from '../spec/types.ts';
import { expandEnvReferences, trialEnvironment } from './env.ts';
import {
  type ExecutorResult,
  type ExperimentSource,
  experimentConfig,
  type TrialContext,
  type TrialExecutor,
  type TrialHandle,
} from './executor.ts';
import { type RunningTrial, startTrial } from './handle.ts';
import { type RecoveryNote, recordTrialProcesses, stopRecordedProcesses } from './orphans.ts';
import { startTrialProcess } from './process.ts';

/** What both local executors need from an Experiment: its trial template (with an inline trialSpec) and collector. */
export interface LocalTrialTemplate {
  readonly template: TrialTemplate & { readonly trialSpec: Record<string, unknown> };
  readonly collector: LocalCollectorSettings;
}

/**
 * Checks that an Experiment can run locally (an inline trialSpec with the primary container, a collector a local
 * process can feed) and returns what a local executor needs; throws a WorkbenchError naming the field otherwise.
 */
export function localTrialTemplate(config: ExperimentConfig): LocalTrialTemplate {
  const tt = config.trialTemplate;
  if (!tt?.trialSpec) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      tt?.configMap
        ? 'spec.trialTemplate.configMap: a ConfigMap template needs a cluster; inline it as spec.trialTemplate.trialSpec to run locally'
        : 'spec.trialTemplate.trialSpec is required to run trials as local processes (or call optimize() with an in-process objective)',
    );
  }
  if (!findPrimaryContainer(tt.trialSpec, tt.primaryContainerName ?? '')) {
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      `spec.trialTemplate.primaryContainerName: no container named '${tt.primaryContainerName}' in the trial template`,
    );
  }
  return {
    template: { ...tt, trialSpec: tt.trialSpec },
    collector: localCollectorOf(config.collector),
  };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => String(x)) : [];
}

/** `activeDeadlineSeconds` of a job (`spec.runPolicy` for training-operator jobs, `spec` for TrainJob and batch Jobs). */
export function deadlineSeconds(spec: Readonly<Record<string, unknown>>): number | undefined {
  const s = spec.spec as Record<string, unknown> | undefined;
  const direct = s?.activeDeadlineSeconds;
  const run = (s?.runPolicy as Record<string, unknown> | undefined)?.activeDeadlineSeconds;
  const v = Number(direct ?? run);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** The collector of a locally run trial: the experiment's flattened collector, never Push. */
export type LocalCollectorSettings = CollectorSpec & { readonly kind: 'StdOut' | 'File' | 'TensorFlowEvent' };

/**
 * The Experiment's collector (`ExperimentConfig.collector`, with Katib's default paths) as a local process feeds
 * it; throws `unsupported` for kinds a local process cannot feed.
 */
export function localCollectorOf(collector: CollectorConfig): LocalCollectorSettings {
  if (collector.kind === 'PrometheusMetric' || collector.kind === 'Custom') {
    throw new WorkbenchError(ErrorCode.unsupported, `metrics collector kind ${collector.kind} cannot run locally`, {
      issues: [
        {
          path: 'spec.metricsCollectorSpec.collector.kind',
          message: `${collector.kind} cannot collect from a local process`,
          fix: "Use StdOut (print name=value lines), File or TensorFlowEvent, or run the experiment under Katib with 'hpo submit'.",
        },
      ],
    });
  }
  if (collector.kind === 'Push') {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      'spec.metricsCollectorSpec.collector.kind: Push cannot collect from a local process; use StdOut (print name=value lines), File or TensorFlowEvent, or run the objective in-process with optimize() for Push',
    );
  }
  return collector as LocalCollectorSettings;
}

/**
 * The argv a local trial process runs, with the environment adjusted to match: the collector's File /
 * TensorFlowEvent path and PBT's checkpoint path are made per process under `dir` (so parallel trials and
 * replicas never share them) and rewritten wherever the command, args or env name them (longest first);
 * `$(VAR)` in command/args expands, as Kubernetes does, only from variables the container declares, ours
 * (`HPO_*`, `KATIB_TRIAL_NAME`) and `declared`. Mutates `env`; returns the per-process metrics path.
 */
export function localCommand(o: {
  readonly command: Readonly<Record<string, unknown>>;
  readonly containerEnv: readonly { readonly name?: unknown }[];
  readonly env: Record<string, string>;
  readonly collector: LocalCollectorSettings;
  readonly dir: string;
  readonly checkpoint?: { readonly dir: string; readonly mountPath: string };
  readonly declared?: readonly string[];
}): { argv: string[]; metricsPath?: string } {
  const { collector: c, env } = o;
  const pairs: [string, string][] = [];
  let metricsPath: string | undefined;
  if (c.path !== undefined) {
    metricsPath = resolveTrialPath(o.dir, c.path);
    mkdirSync(c.kind === 'TensorFlowEvent' ? metricsPath : dirname(metricsPath), { recursive: true });
    pairs.push([c.path, metricsPath]);
    env.HPO_METRICS_PATH = metricsPath;
  }
  if (o.checkpoint) {
    const mount = o.checkpoint.mountPath.replace(/\/+$/, '');
    if (mount !== '') pairs.push([mount, o.checkpoint.dir]);
    env.HPO_CHECKPOINT_DIR = o.checkpoint.dir;
  }
  pairs.sort((a, b) => b[0].length - a[0].length);
  const rewrite = (s: string): string => pairs.reduce((acc, [from, to]) => acc.split(from).join(to), s);
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('HPO_')) env[k] = rewrite(v);
  const declared = new Set([...o.containerEnv.map((e) => String(e.name)), ...(o.declared ?? [])]);
  const lookup = (name: string): string | undefined =>
    declared.has(name) || name.startsWith('HPO_') || name === 'KATIB_TRIAL_NAME' ? env[name] : undefined;
  const argv = [...strings(o.command.command), ...strings(o.command.args)].map((a) =>
    rewrite(expandEnvReferences(a, lookup)),
  );
  return metricsPath === undefined ? { argv } : { argv, metricsPath };
}

/** Options of {@link LocalProcessExecutor}: the experiment (its config, or a manifest) and its file. */
export type LocalProcessExecutorOptions = ExperimentSource & {
  /** The Experiment file; its folder is `HPO_EXPERIMENT_DIR`. */
  readonly sourcePath?: string;
};

/**
 * Runs a trial as a local process: the trial template is rendered with Katib's substitution, the primary
 * container's `command` + `args` are spawned as an argument array (never through a shell) in the trial's
 * own folder, with Katib's trial variables, the container's `env`, and `activeDeadlineSeconds` as a
 * timeout. The image is not pulled: the command must exist on this machine. Its handle's lines are the
 * process's stdout and stderr; its files folder is the trial's folder.
 */
export class LocalProcessExecutor implements TrialExecutor {
  readonly kind = 'local-process';
  readonly needsWorkDir = true;
  private readonly template: LocalTrialTemplate['template'];
  private readonly sourceDir: string;
  private readonly collector: LocalCollectorSettings;

  constructor(options: LocalProcessExecutorOptions) {
    // The config carries Katib's defaults (a File collector without a path gets Katib's path), however built.
    const local = localTrialTemplate(experimentConfig(options));
    this.sourceDir = options.sourcePath ? dirname(options.sourcePath) : process.cwd();
    const info = trialKindInfo(local.template.trialSpec);
    const replicas = Object.values(info.replicas).reduce((a, b) => a + b, 0);
    if (replicas > 1) {
      const roles = Object.entries(info.replicas)
        .map(([r, n]) => `${r}: ${n}`)
        .join(', ');
      throw new WorkbenchError(
        ErrorCode.unsupported,
        `spec.trialTemplate.trialSpec: a ${info.kind} with ${replicas} replicas (${roles}) needs the local distributed launcher: run it with 'hpo run', or pass executor: new LocalDistributedExecutor({ config }) to run()`,
      );
    }
    this.template = local.template;
    this.collector = local.collector;
  }

  /** Stops the process group a dead controller left running for this trial, if /proc shows it is still the trial's. */
  recover(trial: { readonly name: string; readonly workDir?: string }): readonly RecoveryNote[] {
    return stopRecordedProcesses(trial.workDir);
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
    const container = findPrimaryContainer(rendered, tt.primaryContainerName ?? '')!.container;
    const { env, warnings } = trialEnvironment({
      experiment: ctx.experiment,
      trial: ctx.trial,
      namespace: ctx.namespace,
      workDir: ctx.workDir,
      params: ctx.params,
      ...(ctx.artifactsDir === undefined ? {} : { artifactsDir: ctx.artifactsDir }),
      containerEnv: (container.env as never) ?? [],
      extra: { HPO_EXPERIMENT_DIR: this.sourceDir },
    });
    const containerEnv = Array.isArray(container.env) ? (container.env as { name?: unknown }[]) : [];
    const { argv } = localCommand({
      command: container,
      containerEnv,
      env,
      collector: this.collector,
      dir: ctx.workDir,
      ...(ctx.checkpoint === undefined ? {} : { checkpoint: ctx.checkpoint }),
    });
    if (argv.length === 0) {
      return {
        outcome: 'failed',
        reason: 'TrialFailed',
        message: `container '${tt.primaryContainerName}' has no command: locally the image's entrypoint is unknown; set command in the trial template`,
      };
    }
    // The collector resolves its path in this folder exactly as localCommand did for the process.
    trial.files(ctx.workDir);
    const timeout = deadlineSeconds(rendered);
    const proc = startTrialProcess({
      argv,
      cwd: ctx.workDir,
      env,
      logPath: ctx.logPath,
      ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
      onLine: (line) => trial.line(line),
      onOverlongLine: (line, stream) => trial.overlongLine(line, stream),
    });
    // Remembered so that a controller restarted after kill -9 can stop this orphaned process group.
    recordTrialProcesses(ctx.workDir, [proc]);
    for (const w of warnings) ctx.warn(w);
    const signal = trial.signal;
    const onAbort = (): void => void proc.stop(trial.stopMessage());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const exit = await proc.exited;
    signal.removeEventListener('abort', onAbort);
    if (exit.survivors !== undefined) {
      ctx.warn(`processes ${exit.survivors.join(', ')} started by the trial could not be ended after it exited`);
    }
    const exitCode = exit.exitCode ?? undefined;
    const code = exitCode === undefined ? {} : { exitCode };
    if (signal.aborted) return { outcome: 'stopped', ...code };
    if (exit.error) return { outcome: 'failed', reason: 'TrialFailed', message: exit.error, ...code };
    if (exit.timedOut) {
      return {
        outcome: 'failed',
        reason: 'DeadlineExceeded',
        message: `Trial ran past activeDeadlineSeconds (${timeout}s) and was stopped`,
        ...code,
      };
    }
    if (exit.exitCode === 0) return { outcome: 'completed', exitCode: 0 };
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
    const tail = exit.tail.trim().split('\n').slice(-5).join('\n');
    return {
      outcome: 'failed',
      reason: 'TrialFailed',
      message: `${argv[0]} ${how}${tail ? `; last output:\n${tail}` : ''}`,
      ...code,
    };
  }
}
