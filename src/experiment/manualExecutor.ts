import type { ExecutorResult, TrialContext, TrialExecutor } from '../trial/executor.ts';
import type { Metrics } from '../trial/inProcess.ts';

/**
 * The executor behind ask/tell: a trial "runs" until the caller tells its result. `tell` reports the
 * metrics and ends the trial; `fail` ends it as Failed.
 */
export class ManualExecutor implements TrialExecutor {
  readonly kind = 'ask-tell';
  readonly needsWorkDir = false;
  private readonly waiting = new Map<string, { ctx: TrialContext; resolve: (r: ExecutorResult) => void }>();
  private readonly now: () => Date;

  /** `now` stamps reported values (the experiment's clock; default the system clock). */
  constructor(now: () => Date = () => new Date()) {
    this.now = now;
  }

  run(ctx: TrialContext): Promise<ExecutorResult> {
    return new Promise((resolve) => {
      this.waiting.set(ctx.trial, { ctx, resolve });
      ctx.signal.addEventListener('abort', () => {
        this.waiting.delete(ctx.trial);
        resolve({ outcome: 'stopped' });
      });
    });
  }

  /** Whether `trial` was asked and not yet told. */
  has(trial: string): boolean {
    return this.waiting.has(trial);
  }

  /** Reports intermediate values without ending the trial; returns true if the trial should stop. */
  report(trial: string, metrics: Metrics): boolean {
    const w = this.waiting.get(trial);
    if (!w) return true;
    const time = this.now().toISOString();
    w.ctx.report(Object.entries(metrics).map(([name, value]) => ({ name, value: String(value), time })));
    return w.ctx.signal.aborted;
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
