// The options of an Experiment (src/experiment/experiment.ts): where it keeps its records, how one run goes, and
// its ask/tell session and the trials it hands out.
import type { Store, TrialRecord } from '../store/types.ts';
import type { TrialExecutor } from '../trial/executor.ts';
import type { ExperimentController } from './controller.ts';
import type { JoinSettings } from './join.ts';
import type { ManualExecutor } from './manualExecutor.ts';
import type { BudgetEdit, Prepared } from './prepare.ts';
import type { Progress } from './stepReport.ts';

/** Where an Experiment keeps its records, and how a run reports progress. */
export interface ExperimentOptions {
  /** A Store, a store path (default: `HPO_STORE` or `.hpo` in the current directory), or `':memory:'` for a throw-away one. */
  readonly store?: Store | string;
  /** The YAML file the Experiment came from; relative paths in it resolve against its folder. */
  readonly sourcePath?: string;
  /** The clock of every timestamp the experiment writes (default: the system clock; tests pass a fake one). */
  readonly now?: () => Date;
}

/** Options of one run. */
export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Overrides the executor (tests, custom backends). */
  readonly executor?: TrialExecutor;
  /**
   * New budget fields for a stored experiment (`hpo resume --max-trials`), with Katib's rules for editing them.
   * Stored only once this run holds the experiment's lock: a run refused because another controller runs the
   * experiment changes nothing.
   */
  readonly budget?: BudgetEdit;
  /**
   * Works the experiment as one more worker of a shared experiment instead of alone, exactly as `hpo worker` and
   * `joinExperiment` do: no experiment lock, but trial leases, so several `optimize()` or `run()` calls (in
   * other processes, on other machines, on one store) share its budget, each running up to `parallelTrialCount`
   * trials. The first caller creates the experiment; the call returns once the experiment ended, whoever ended it.
   * `true`, or the worker's id and lease terms. Not with `budget` (a budget edit needs the experiment's lock).
   */
  readonly join?: boolean | JoinSettings;
}

/** A trial handed out by `Experiment.ask`. */
export interface AskedTrial {
  readonly name: string;
  readonly params: TrialRecord['params'];
  /** Aborted when the controller stops the trial (an early-stopping rule, the experiment's end, an interrupt). */
  readonly signal: AbortSignal;
  /** The trial's folder in the workspace (created only for executors that need one). */
  readonly workDir: string;
  /** The trial's checkpoint folder with Katib's `suggestion_trial_dir` (PBT); a child's starts as its parent's copy. */
  readonly checkpointDir?: string;
}

/** The ask/tell session of an Experiment (`ask()` opens it, `optimize()` runs in one); internal to experiment.ts. */
export interface AskTellSession {
  controller: ExperimentController;
  executor: ManualExecutor;
  prepared: Prepared;
  lease: { stop(): void };
  /** Aborted when the lock is lost or one of optimize's workers failed: the controller interrupts. */
  stop: AbortController;
  /** The lock was taken over by another controller. */
  readonly lost: boolean;
  /** The experiment's parallelTrialCount: how many workers optimize() runs. */
  parallel: number;
  stopFlushing: () => void;
  /** Why the interrupt on an abort could not be stored; `optimize()` rethrows it. */
  failure?: unknown;
}
