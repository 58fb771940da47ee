// An in-process executor for the shared-experiment tests (free of vitest, so worker child processes use it too):
// every trial sleeps, then pushes `loss = x` and completes; stopping it ends it at once.
import type {
  ExecutorResult,
  StopReason,
  TrialExecutor,
  TrialHandle,
  TrialOutputListener,
} from '../../src/trial/executor.ts';

/**
 * Trials sleep `ms(trial)` milliseconds; `onStart` hears of every trial started, `onRecover` of every trial the
 * controller asks it to recover (a trial left behind by a dead process), which answers with one note.
 */
export function sleepExecutor(
  ms: (trial: string) => number,
  onStart: (trial: string) => void = () => {},
  onRecover: (trial: string) => void = () => {},
): TrialExecutor {
  return {
    kind: 'test-sleep',
    needsWorkDir: false,
    recover: (t) => {
      onRecover(t.name);
      return [{ type: 'Normal', reason: 'OrphanChecked', message: `nothing of ${t.name} runs here` }];
    },
    start(ctx): TrialHandle {
      onStart(ctx.trial);
      let listener: TrialOutputListener | undefined;
      let finish!: (r: ExecutorResult) => void;
      const result = new Promise<ExecutorResult>((resolve) => {
        finish = resolve;
      });
      const timer = setTimeout(() => {
        listener?.metrics([{ name: 'loss', value: String(ctx.params.x) }]);
        finish({ outcome: 'completed' });
      }, ms(ctx.trial));
      return {
        listen: (l) => {
          listener = l;
        },
        result,
        stop: (_why: StopReason) => {
          clearTimeout(timer);
          finish({ outcome: 'stopped' });
        },
      };
    },
  };
}
