import type { Verdict } from './status.ts';

/**
 * How a controller step left the experiment: `running` (step again once the controller's `changed()` resolves),
 * or ended: `completed` (a completion rule holds; the phase is stored), `failed` (the algorithm failed),
 * `interrupted` (the signal aborted; the experiment stays resumable).
 */
export type StepState = 'running' | 'completed' | 'failed' | 'interrupted';

/** What one `ExperimentController.step()` did, stage by stage, and what the next step waits on. */
export interface StepReport {
  readonly state: StepState;
  /** Stage 1: trials whose end this step judged and stored, in the order they ended. */
  readonly reaped: readonly string[];
  /** Stage 3: trials created from the algorithm's answer (stored Pending first) and launched. */
  readonly launched: readonly string[];
  /** Stage 4: how many suggestions this step asked the algorithm for; 0 when none. */
  readonly requested: number;
  /** Trials running after this step: the next step waits for one of them to end... */
  readonly running: readonly string[];
  /** ...or for the algorithm's outstanding answer. */
  readonly suggesting: boolean;
  /** The completion rule that ended the experiment (state `completed`). */
  readonly verdict?: Verdict;
}

/** A snapshot for progress displays, sent by the controller when a run starts and after every stored trial end. */
export interface Progress {
  readonly done: number;
  readonly total: number | undefined;
  readonly running: number;
  readonly failed: number;
  readonly best: number | undefined;
  readonly bestTrial: string | undefined;
  readonly elapsedMs: number;
}
