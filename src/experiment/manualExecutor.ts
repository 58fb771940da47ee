import type { ExecutorResult, TrialContext, TrialExecutor, TrialHandle } from '../trial/executor.ts';
import { type RunningTrial, startTrial } from '../trial/handle.ts';
import type { Metrics } from '../trial/inProcess.ts';

/** A trial as the executor started it: what `ask()` hands out. */
export interface StartedTrial {
  /** Aborted when the controller stops the trial. */
  readonly signal: AbortSignal;
  readonly context: TrialContext;
}

interface Started {
  readonly promise: Promise<StartedTrial>;
  resolve(s: StartedTrial): void;
}

/**
 * The executor behind ask/tell: a trial "runs" until the caller tells its result. `tell` reports the
 * metrics (pushed through the trial's handle) and ends the trial; `fail` ends it as Failed.
 */
export class ManualExecutor implements TrialExecutor {
  readonly kind = 'ask-tell';
  readonly needsWorkDir = false;
  private readonly waiting = new Map<string, { trial: RunningTrial; resolve: (r: ExecutorResult) => void }>();
  /** Callers of {@link ManualExecutor.started} waiting for a trial to reach the executor. */
  private readonly starting = new Map<string, Started>();
  /** Trials the controller stopped (early stopping, the end of the experiment) before they were told. */
  private readonly stopped = new Set<string>();
  private readonly now: () => Date;

  /** `now` stamps reported values (the experiment's clock; default the system clock). */
  constructor(now: () => Date = () => new Date()) {
    this.now = now;
  }

  start(ctx: TrialContext): TrialHandle {
    return startTrial(
      (trial) =>
        new Promise((resolve) => {
          this.waiting.set(ctx.trial, { trial, resolve });
          this.startedEntry(ctx.trial).resolve({ signal: trial.signal, context: ctx });
          trial.signal.addEventListener('abort', () => {
            this.waiting.delete(ctx.trial);
            this.stopped.add(ctx.trial);
            resolve({ outcome: 'stopped' });
          });
        }),
    );
  }

  /**
   * Resolves once the controller started `trial` here (its Running state stored, its checkpoint folder ready), with
   * its stop signal and context.
   */
  started(trial: string): Promise<StartedTrial> {
    return this.startedEntry(trial).promise;
  }

  private startedEntry(trial: string): Started {
    let entry = this.starting.get(trial);
    if (entry === undefined) {
      let resolve!: (s: StartedTrial) => void;
      const promise = new Promise<StartedTrial>((r) => {
        resolve = r;
      });
      entry = { promise, resolve };
      this.starting.set(trial, entry);
    }
    return entry;
  }

  /** Forgets what is kept for `trial` once it was handed out (or ended before it started). */
  forget(trial: string): void {
    this.starting.delete(trial);
  }

  /** Whether `trial` was asked and not yet told. */
  has(trial: string): boolean {
    return this.waiting.has(trial);
  }

  /** Whether the controller stopped `trial` before it was told (an early-stopping rule, the experiment's end). */
  wasStopped(trial: string): boolean {
    return this.stopped.has(trial);
  }

  /**
   * Reports intermediate values without ending the trial (at `step` when given, else a metric's n-th report is
   * step n); returns true if the trial should stop. The controller checks its early-stopping rules while the
   * values are handed over, so a rule that fires makes this very call return true.
   */
  report(trial: string, metrics: Metrics, step?: number): boolean {
    const w = this.waiting.get(trial);
    if (!w) return true;
    const time = this.now().toISOString();
    w.trial.metrics(
      Object.entries(metrics)
        .filter(([, value]) => typeof value !== 'number' || Number.isFinite(value))
        .map(([name, value]) =>
          step === undefined ? { name, value: String(value), time } : { name, value: String(value), time, step },
        ),
    );
    return w.trial.signal.aborted;
  }

  /** Ends a trial with its final metrics. */
  tell(trial: string, metrics: Metrics): void {
    const w = this.waiting.get(trial);
    if (!w) return;
    this.report(trial, metrics);
    this.waiting.delete(trial);
    w.resolve({ outcome: 'completed' });
  }

  /** Ends a trial as Failed. */
  fail(trial: string, message: string): void {
    const w = this.waiting.get(trial);
    if (!w) return;
    this.waiting.delete(trial);
    w.resolve({ outcome: 'failed', reason: 'TrialFailed', message });
  }
}
