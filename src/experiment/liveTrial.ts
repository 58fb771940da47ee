import type { MetricLog } from '../metrics/types.ts';
import type { Settings } from '../search/types.ts';
import type { CollectorConfig, ExperimentConfig } from '../spec/config.ts';
import type { ExperimentRecord, TrialRecord } from '../store/types.ts';
import { type ArtifactRecord, scanArtifacts, writeArtifactRecord } from '../trial/artifacts.ts';
import type { ExecutorResult, StopReason, TrialExecutor } from '../trial/executor.ts';
import { runTrial } from '../trial/runTrial.ts';
import { TrialMetrics } from '../trial/trialMetrics.ts';
import type { ExperimentWorkspace } from '../trial/workspace.ts';

/** The algorithm setting (Katib's PBT) that gives every trial a checkpoint directory, seeded from its parent's. */
export const checkpointSetting = 'suggestion_trial_dir';

/** What {@link LiveTrial.start} needs besides the trial. */
export interface LiveTrialOptions {
  readonly experiment: ExperimentRecord;
  readonly executor: TrialExecutor;
  readonly workspace: ExperimentWorkspace;
  /** Algorithm settings (for {@link checkpointSetting}). */
  readonly settings: Settings;
  readonly metricNames: readonly string[];
  /** The derived metrics among `metricNames`: computed by the controller, never collected from the trial. */
  readonly derivedMetrics: readonly string[];
  /** The experiment's metrics collector, wired to the trial by `runTrial`. */
  readonly collector: CollectorConfig;
  readonly objectiveMetric: string;
  /** Called after the trial reported a new objective value (early stopping reads its curve). */
  readonly onObjective: () => void;
  /** Records a warning event on the trial. */
  readonly warn: (message: string) => void;
  /** Called once the executor returned; the result is then in {@link LiveTrial.result}. */
  readonly onEnded: () => void;
  /** The executor starts once this resolves: the controller stores the trial as Running first. */
  readonly ready: Promise<void>;
}

/** The options of a {@link LiveTrial} that come from the experiment's config: the same for a controller and a worker. */
export function liveTrialConfig(
  config: ExperimentConfig,
): Pick<LiveTrialOptions, 'metricNames' | 'derivedMetrics' | 'collector' | 'objectiveMetric'> {
  return {
    metricNames: config.metricNames,
    derivedMetrics: (config.derivedMetrics ?? []).map((d) => d.name),
    collector: config.collector,
    objectiveMetric: config.objectives[0]!.metricName,
  };
}

/**
 * One trial while its executor runs: its metrics as reported so far, the abort that stops it, and the executor's
 * result once it returned. Started by the controller's launch stage; the reap stage judges it.
 */
export class LiveTrial {
  readonly metrics: TrialMetrics;
  private readonly abort = new AbortController();
  /** Settles (never rejects) once the executor returned and {@link LiveTrial.result} is set. */
  readonly ended: Promise<void>;
  result: ExecutorResult | undefined;

  /** Starts the executor on stored trial `t` without waiting for it. */
  constructor(t: TrialRecord, o: LiveTrialOptions) {
    this.metrics = new TrialMetrics(t.name, o.metricNames, o.objectiveMetric, o.derivedMetrics);
    this.ended = this.execute(t, o)
      .catch(
        (err: unknown): ExecutorResult => ({
          outcome: 'failed',
          reason: 'TrialFailed',
          message: `executor error: ${(err as Error).message ?? String(err)}`,
        }),
      )
      .then((result) => {
        this.result = result;
        o.onEnded();
      });
  }

  /** Aborted once the controller stopped the trial; its reason is the {@link StopReason}. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Stops the trial; the first reason wins. */
  stop(why: StopReason): void {
    this.abort.abort(why);
  }

  private async execute(t: TrialRecord, o: LiveTrialOptions): Promise<ExecutorResult> {
    // The trial's Running row is written before its program starts.
    await o.ready;
    if (o.executor.needsWorkDir) await o.workspace.prepareTrial(t.name);
    const checkpoint = await prepareCheckpoint(t, o);
    const artifactsDir = o.executor.needsWorkDir ? o.workspace.artifactsDir(t.name) : undefined;
    const result = await runTrial({
      executor: o.executor,
      context: {
        experiment: o.experiment.name,
        namespace: o.experiment.namespace,
        trial: t.name,
        params: t.params,
        workDir: o.workspace.trialDir(t.name),
        logPath: o.workspace.logPath(t.name),
        ...(artifactsDir === undefined ? {} : { artifactsDir }),
        ...(checkpoint === undefined ? {} : { checkpoint }),
        warn: o.warn,
      },
      collector: o.collector,
      metricNames: o.metricNames.filter((n) => !o.derivedMetrics.includes(n)),
      signal: this.abort.signal,
      onMetrics: (logs: readonly MetricLog[]) => {
        const before = this.metrics.intermediate.length;
        this.metrics.add(logs);
        if (this.metrics.intermediate.length > before) o.onObjective();
      },
    });
    // Recorded whatever the outcome: a failed or stopped trial's checkpoint is still worth finding. An executor whose
    // files are out of this machine's reach (a cluster) lists them itself.
    if (result.artifacts !== undefined) await writeRecord(t.name, result.artifacts, o);
    else if (artifactsDir !== undefined) await recordArtifacts(t.name, artifactsDir, checkpoint?.dir, o);
    return result;
  }
}

/**
 * Records the files a trial left in its artifacts folder and, under PBT, in its checkpoint folder (each of kind
 * `checkpoint`: what a later generation inherits, with the digest it had when this trial ended); a failure to do
 * so is a warning, never the trial's.
 */
async function recordArtifacts(
  trial: string,
  dir: string,
  checkpointDir: string | undefined,
  o: LiveTrialOptions,
): Promise<void> {
  try {
    const { artifacts, problems } = await scanArtifacts(dir);
    for (const p of problems) o.warn(`artifacts: ${p}`);
    if (checkpointDir !== undefined) {
      const ck = await scanArtifacts(checkpointDir);
      for (const p of ck.problems) o.warn(`checkpoint artifacts: ${p}`);
      artifacts.push(
        ...ck.artifacts.map((a) => ({ ...a, kind: 'checkpoint' as const, folder: 'checkpoint' as const })),
      );
    }
    await writeRecord(trial, artifacts, o);
  } catch (e) {
    o.warn(`artifacts of ${trial} could not be recorded: ${(e as Error).message}`);
  }
}

/** Writes a trial's artifact record; a failure to do so is a warning, never the trial's. */
async function writeRecord(trial: string, artifacts: readonly ArtifactRecord[], o: LiveTrialOptions): Promise<void> {
  try {
    // No record for no artifacts: reading a missing record gives none, and most trials leave nothing.
    if (artifacts.length > 0) await writeArtifactRecord(o.workspace.artifactRecordPath(trial), artifacts);
  } catch (e) {
    o.warn(`artifacts of ${trial} could not be recorded: ${(e as Error).message}`);
  }
}

/**
 * With Katib's `suggestion_trial_dir` setting every trial gets its checkpoint folder (see ExperimentWorkspace),
 * a copy of its parent's when the algorithm names one (PBT exploit, copied without blocking the controller),
 * and the executor maps the setting's path to it.
 */
async function prepareCheckpoint(
  t: TrialRecord,
  o: LiveTrialOptions,
): Promise<{ dir: string; mountPath: string; parent?: string } | undefined> {
  const mountPath = o.settings[checkpointSetting];
  if (mountPath === undefined) return undefined;
  const dir = await o.workspace.prepareCheckpoint(t.name, t.parent);
  return t.parent === undefined ? { dir, mountPath } : { dir, mountPath, parent: t.parent };
}
