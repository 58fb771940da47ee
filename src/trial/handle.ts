import type { MetricLog, OverlongLine } from '../metrics/types.ts';
import type { ExecutorResult, StopReason, TrialHandle, TrialOutputListener } from './executor.ts';

/** What an executor's trial body is given by {@link startTrial}: the stop signal and the output to emit. */
export interface RunningTrial extends TrialOutputListener {
  /** Aborted by the handle's `stop`; `signal.reason` is the {@link StopReason}. */
  readonly signal: AbortSignal;
  /** The stop's message once stopped (for the process's log), else a generic one. */
  stopMessage(): string;
}

/**
 * Output emitted before the listener subscribed is kept and replayed, so that a caller subscribing late loses
 * nothing (`runTrial` subscribes as soon as `start` returns, before the body runs).
 */
class OutputChannel {
  private listener: TrialOutputListener | undefined;
  private pending: ((l: TrialOutputListener) => void)[] = [];

  emit(event: (l: TrialOutputListener) => void): void {
    if (this.listener === undefined) this.pending.push(event);
    else event(this.listener);
  }

  listen(listener: TrialOutputListener): void {
    if (this.listener !== undefined) throw new Error('a trial handle has one listener');
    this.listener = listener;
    const pending = this.pending;
    this.pending = [];
    for (const event of pending) event(listener);
  }
}

/**
 * Builds the {@link TrialHandle} of an executor's `start`: runs `body` (it returns the result) one microtask
 * later, once the caller has subscribed and applied a stop that came first, and hands it the stop signal and the
 * emit side of the output. So an in-process `report()` reaches the controller synchronously and can return its
 * early-stopping answer. A body that throws gives a rejected `result` (a bug).
 */
export function startTrial(body: (trial: RunningTrial) => Promise<ExecutorResult>): TrialHandle {
  const abort = new AbortController();
  const channel = new OutputChannel();
  const trial: RunningTrial = {
    signal: abort.signal,
    stopMessage: () => (abort.signal.reason as StopReason | undefined)?.message ?? 'stopped by the controller',
    line: (text: string) => channel.emit((l) => l.line(text)),
    overlongLine: (line: OverlongLine, stream: string) => channel.emit((l) => l.overlongLine(line, stream)),
    files: (dir: string) => channel.emit((l) => l.files(dir)),
    metrics: (logs: readonly MetricLog[]) => channel.emit((l) => l.metrics(logs)),
  };
  const result = Promise.resolve().then(() => body(trial));
  return {
    listen: (listener) => channel.listen(listener),
    result,
    // AbortController keeps the first reason: a later stop changes nothing.
    stop: (reason) => abort.abort(reason),
  };
}
