// An in-process executor for the shared-experiment early-stopping tests (free of vitest, like sleepExecutor.ts):
// every trial reports `loss` at steps 1..steps, one report every `stepMs`, then completes; stopping it ends it at
// once, with the reports made so far.
import type {
  ExecutorResult,
  StopReason,
  TrialExecutor,
  TrialHandle,
  TrialOutputListener,
} from '../../src/trial/executor.ts';

/** What a {@link curveExecutor}'s trials report: `loss(trial, step)` at steps 1..`steps(trial)`, `stepMs` apart. */
export interface Curve {
  readonly loss: (trial: string, step: number) => number;
  /** How many steps `trial` reports before it completes. */
  readonly steps: (trial: string) => number;
  readonly stepMs: number;
  /** Hears of every trial started. */
  readonly onStart?: (trial: string) => void;
}

/** Trials that report a loss curve step by step (see {@link Curve}). */
export function curveExecutor(c: Curve): TrialExecutor {
  return {
    kind: 'test-curve',
    needsWorkDir: false,
    start(ctx): TrialHandle {
      c.onStart?.(ctx.trial);
      let listener: TrialOutputListener | undefined;
      let finish!: (r: ExecutorResult) => void;
      const result = new Promise<ExecutorResult>((resolve) => {
        finish = resolve;
      });
      let step = 0;
      const timer = setInterval(() => {
        step++;
        listener?.metrics([{ name: 'loss', value: String(c.loss(ctx.trial, step)), step }]);
        if (step < c.steps(ctx.trial)) return;
        clearInterval(timer);
        finish({ outcome: 'completed' });
      }, c.stepMs);
      return {
        listen: (l) => {
          listener = l;
        },
        result,
        stop: (_why: StopReason) => {
          clearInterval(timer);
          finish({ outcome: 'stopped' });
        },
      };
    },
  };
}
