import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { MetricLog } from '../metrics/types.ts';
import type { Assignment } from '../search/space.ts';
import type { ExecutorResult, TrialContext, TrialExecutor, TrialHandle } from './executor.ts';
import { type RunningTrial, startTrial } from './handle.ts';

/** Values a trial reports: metric name → number (or string, e.g. a genotype). */
export type Metrics = Readonly<Record<string, number | string>>;

/**
 * The Push collector of an in-process trial. Returns true once the controller wants the trial to stop
 * (early stopping, experiment over, interrupt); the objective should then return. `options.step` is the
 * training step (or epoch) the values belong to; without it a metric's n-th report is step n.
 */
export type Report = (metrics: Metrics, options?: { readonly step?: number }) => boolean;

/** Extra context for an objective. */
export interface ObjectiveContext {
  readonly trial: string;
  readonly experiment: string;
  /** Aborted when the controller stops the trial. */
  readonly signal: AbortSignal;
  readonly workDir: string;
  /** The trial's checkpoint directory when the algorithm uses Katib's `suggestion_trial_dir` (PBT); a child's starts as a copy of its parent's. */
  readonly checkpointDir?: string;
}

/**
 * An in-process objective. It may `report()` values as it goes and/or return the final value: a number
 * (the objective metric) or a record of metrics. Throwing fails the trial. `P` is the parameters' type:
 * `Experiment.create` infers it from the search space (`{ lr: number; kernel: 'rbf' | 'poly' }`).
 */
export type Objective<P extends Assignment = Assignment> = (
  params: P,
  report: Report,
  ctx: ObjectiveContext,
) => unknown;

/** Refuses a `report()` step that is not a whole number >= 0 (the in-process and ask/tell `report` alike). */
export function checkReportStep(step: number | undefined): void {
  if (step !== undefined && !(Number.isSafeInteger(step) && step >= 0)) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `report(): step must be a whole number >= 0, got ${step}`);
  }
}

/**
 * The final metrics of an objective's return value: a number is the objective metric, a record is metrics, anything
 * else (nothing returned) is none.
 */
export function returnedMetrics(value: unknown, objectiveMetric: string): Metrics | undefined {
  if (typeof value === 'number') return { [objectiveMetric]: value };
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Metrics) : undefined;
}

function toLogs(metrics: Metrics, time: string, step: number | undefined): MetricLog[] {
  const logs: MetricLog[] = [];
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    logs.push(step === undefined ? { name, value: String(value), time } : { name, value: String(value), time, step });
  }
  return logs;
}

/** Runs trials as calls of an async function in this process; `report()` is the Push collector (the handle's pushed metrics). */
export class InProcessExecutor implements TrialExecutor {
  readonly kind = 'in-process';
  readonly needsWorkDir: boolean;
  private readonly objective: Objective;
  private readonly objectiveMetric: string;

  constructor(objective: Objective, options: { objectiveMetric: string; needsWorkDir?: boolean }) {
    this.objective = objective;
    this.objectiveMetric = options.objectiveMetric;
    this.needsWorkDir = options.needsWorkDir ?? false;
  }

  start(ctx: TrialContext): TrialHandle {
    return startTrial((trial) => this.execute(ctx, trial));
  }

  private async execute(ctx: TrialContext, trial: RunningTrial): Promise<ExecutorResult> {
    const { signal } = trial;
    const report: Report = (metrics, options) => {
      const step = options?.step;
      checkReportStep(step);
      if (!signal.aborted) trial.metrics(toLogs(metrics, new Date().toISOString(), step));
      return signal.aborted;
    };
    try {
      const value = await this.objective(ctx.params, report, {
        trial: ctx.trial,
        experiment: ctx.experiment,
        signal,
        workDir: ctx.workDir,
        ...(ctx.checkpoint ? { checkpointDir: ctx.checkpoint.dir } : {}),
      });
      if (signal.aborted) return { outcome: 'stopped' };
      const final = returnedMetrics(value, this.objectiveMetric);
      if (final !== undefined) report(final);
      return { outcome: 'completed' };
    } catch (err) {
      if (signal.aborted) return { outcome: 'stopped' };
      const e = err as Error;
      return { outcome: 'failed', reason: 'TrialFailed', message: e?.message ?? String(err) };
    }
  }
}
