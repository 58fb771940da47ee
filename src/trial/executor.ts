import type { MetricLog, OverlongLine } from '../metrics/types.ts';
import type { Assignment } from '../search/space.ts';
import { configOf, type ExperimentConfig } from '../spec/config.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import type { ArtifactRecord } from './artifacts.ts';
import type { RecoveryNote } from './orphans.ts';

/** What an executor is given to start one trial. The trial row is already stored when `start` is called. */
export interface TrialContext {
  readonly experiment: string;
  readonly namespace: string;
  readonly trial: string;
  readonly params: Assignment;
  /** The trial's own directory (created by the controller when the executor asks for one). */
  readonly workDir: string;
  /** Where the trial's combined stdout/stderr go. */
  readonly logPath: string;
  /**
   * The trial's artifacts folder (`HPO_ARTIFACTS_DIR`), created by the controller with `workDir`; what the trial
   * leaves there is recorded with kind and digest once it ended.
   */
  readonly artifactsDir?: string;
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

/**
 * How a trial's program ended; the controller turns it into a Katib trial condition. `artifacts` is for an executor
 * whose trial leaves its files where this machine cannot scan them (the Kubernetes backend's inventory): the
 * controller records that list instead of scanning `artifactsDir`.
 */
export type ExecutorResult = (
  | {
      readonly outcome: 'completed';
      readonly exitCode?: number;
      /** Why metrics may be missing (the collector's `problems`), for a `MetricsUnavailable` message. */
      readonly metricsProblems?: readonly string[];
    }
  | { readonly outcome: 'failed'; readonly reason: string; readonly message: string; readonly exitCode?: number }
  | { readonly outcome: 'stopped'; readonly exitCode?: number }
) & { readonly artifacts?: readonly ArtifactRecord[] };

/**
 * What a running trial produces, in the order it happens. `runTrial` (runTrial.ts) is the one listener in the product: it
 * feeds lines and the files folder to the experiment's metrics collector and records pushed metrics as they are.
 */
export interface TrialOutputListener {
  /** One line (without its newline) of the primary container's stdout/stderr; of the master replica's for a job. */
  line(text: string): void;
  /** A line over the line limit, which the line splitter skipped; `stream` names where it was (`stdout`, a file). */
  overlongLine(line: OverlongLine, stream: string): void;
  /**
   * The folder where the collector's File / TensorFlowEvent path resolves (the primary process's own folder, where
   * the trial's rewritten metrics path points); announced at most once, before the program starts.
   */
  files(dir: string): void;
  /** Metric values the trial pushed (in-process `report()`, ask/tell): recorded as they are, no parsing. */
  metrics(logs: readonly MetricLog[]): void;
}

/**
 * One started trial. Its output reaches the listener given to `listen` (what came before is replayed first);
 * `result` settles once the program ended and all its output was delivered; `stop` asks it to end.
 */
export interface TrialHandle {
  /** Subscribes the trial's one listener. */
  listen(listener: TrialOutputListener): void;
  /** How the trial ended. A failing trial is an outcome, never a rejection; it rejects only on a bug. */
  readonly result: Promise<ExecutorResult>;
  /** Stops the trial; the first reason wins. The result is then `stopped` unless the trial had already ended. */
  stop(reason: StopReason): void;
}

/**
 * Runs trials. The controller (through `runTrial` (runTrial.ts)) calls `start` once per trial after writing its row and
 * calls the handle's `stop` to stop it. `start` returns synchronously, before any output can arrive, and does
 * its work in the background; an executor never creates a metrics collector itself.
 */
export interface TrialExecutor {
  /** Short name for logs and `hpo status` (`in-process`, `local-process`). */
  readonly kind: string;
  /** Whether the controller should create `workDir` before `start`. */
  readonly needsWorkDir: boolean;
  start(ctx: TrialContext): TrialHandle;
  /**
   * Called for a trial that a previous controller process left Pending/Running (it was killed): stop
   * anything of that trial that may still be running, e.g. an orphaned process group. Returns notes the
   * controller records as the trial's events (what was stopped, what was refused and why).
   */
  recover?(trial: { readonly name: string; readonly workDir?: string }): readonly RecoveryNote[] | undefined;
  /** Called once when the run ends: finish background clean-up (e.g. deletions of recovered cluster jobs). */
  close?(): Promise<void>;
}

/**
 * Which experiment a template executor runs: its parsed {@link ExperimentConfig}, or, as a convenience, a
 * manifest that has passed validation (resolved once with `configOf`, Katib's defaults applied).
 */
export type ExperimentSource =
  | { readonly config: ExperimentConfig; readonly manifest?: undefined }
  | { readonly manifest: ExperimentManifest; readonly config?: undefined };

/** The config of an {@link ExperimentSource}; executors' constructors call it once. */
export function experimentConfig(source: ExperimentSource): ExperimentConfig {
  return source.config ?? configOf(source.manifest);
}
