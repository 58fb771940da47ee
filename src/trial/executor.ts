import type { MetricLog } from '../metrics/types.ts';
import type { Assignment } from '../search/space.ts';
import type { RecoveryNote } from './orphans.ts';

/** What an executor is given to run one trial. The trial row is already stored when `run` is called. */
export interface TrialContext {
  readonly experiment: string;
  readonly namespace: string;
  readonly trial: string;
  readonly params: Assignment;
  /** The trial's own directory (created by the controller when the executor asks for one). */
  readonly workDir: string;
  /** Where the trial's combined stdout/stderr go. */
  readonly logPath: string;
  /** Aborted when the controller stops the trial; `signal.reason` is a {@link StopReason}. */
  readonly signal: AbortSignal;
  /** Hands observed metric values to the controller (stored, summarised, checked for early stopping). */
  report(logs: readonly MetricLog[]): void;
  /** The trial's checkpoint directory and the path the trial template knows it by (Katib's `suggestion_trial_dir`). */
  readonly checkpoint?: { readonly dir: string; readonly mountPath: string; readonly parent?: string };
  /** Records a warning event on the trial (e.g. an env var that cannot be set locally). */
  warn(message: string): void;
}

/** Why the controller stopped a trial. */
export interface StopReason {
  readonly kind: 'Killed' | 'EarlyStopped';
  readonly reason: string;
  readonly message: string;
}

/** How a trial's program ended; the controller turns it into a Katib trial condition. */
export type ExecutorResult =
  | {
      readonly outcome: 'completed';
      readonly exitCode?: number;
      /** Why metrics may be missing (the collector's `problems`), for a `MetricsUnavailable` message. */
      readonly metricsProblems?: readonly string[];
    }
  | { readonly outcome: 'failed'; readonly reason: string; readonly message: string; readonly exitCode?: number }
  | { readonly outcome: 'stopped'; readonly exitCode?: number };

/**
 * Runs trials. The controller calls `run` once per trial after writing its row, and aborts `ctx.signal`
 * to stop it. A failing trial is an outcome, never a rejected promise; `run` rejects only on a bug.
 */
export interface TrialExecutor {
  /** Short name for logs and `hpo status` (`in-process`, `local-process`). */
  readonly kind: string;
  /** Whether the controller should create `workDir` before `run`. */
  readonly needsWorkDir: boolean;
  run(ctx: TrialContext): Promise<ExecutorResult>;
  /**
   * Called for a trial that a previous controller process left Pending/Running (it was killed): stop
   * anything of that trial that may still be running, e.g. an orphaned process group. Returns notes the
   * controller records as the trial's events (what was stopped, what was refused and why).
   */
  recover?(trial: { readonly name: string; readonly workDir?: string }): readonly RecoveryNote[] | undefined;
  /** Called once when the run ends: finish background clean-up (e.g. deletions of recovered cluster jobs). */
  close?(): Promise<void>;
}
