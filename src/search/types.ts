import type { Issue } from '../common/issue.ts';
import type { Assignment, SearchSpace } from './space.ts';

/** Trial states, named as Katib's trial conditions. */
export type TrialState =
  | 'Pending'
  | 'Running'
  | 'Succeeded'
  | 'Failed'
  | 'Killed'
  | 'EarlyStopped'
  | 'MetricsUnavailable';

/** Terminal trial states. */
export const completedStates: ReadonlySet<TrialState> = new Set([
  'Succeeded',
  'Failed',
  'Killed',
  'EarlyStopped',
  'MetricsUnavailable',
]);

/** The optimisation direction and metric. */
export interface ObjectiveSpec {
  readonly type: 'minimize' | 'maximize';
  readonly metricName: string;
  readonly goal?: number;
}

/** Katib's `algorithmSettings`, name → string value, as the user wrote them. */
export type Settings = Readonly<Record<string, string>>;

/** What an algorithm sees of a trial: plain, structured-cloneable data. */
export interface TrialView {
  readonly name: string;
  readonly params: Assignment;
  readonly state: TrialState;
  /** The objective value according to the metric strategy, in the user's units (not negated). */
  readonly objective?: number;
  /** Objective-metric history in report order (step = 1-based report index unless the trial gave one). */
  readonly intermediate?: readonly { readonly step: number; readonly value: number }[];
  readonly budget?: number;
  readonly parent?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Context for validating settings (Katib's ValidateAlgorithmSettings sees the whole Experiment). */
export interface ValidationContext {
  readonly space: SearchSpace;
  readonly objective: ObjectiveSpec;
  readonly maxTrialCount?: number;
  readonly parallelTrialCount: number;
}

/** Katib's GetSuggestions: the full history in, `count` assignments out. */
export interface SuggestRequest {
  readonly experiment: string;
  readonly space: SearchSpace;
  readonly objective: ObjectiveSpec;
  /** Every trial created so far, in creation order, in every state. */
  readonly trials: readonly TrialView[];
  /** How many new assignments are wanted. */
  readonly count: number;
  /** Seed for this request; the same seed and history must give the same answer. */
  readonly seed: number;
  readonly settings: Settings;
  /** The opaque state this algorithm returned last time, or undefined on the first call. */
  readonly state?: unknown;
  readonly maxTrialCount?: number;
  readonly parallelTrialCount: number;
}

/** One proposed trial. */
export interface Suggestion {
  readonly params: Assignment;
  /** A trial name chosen by the algorithm (PBT), else the controller names it. */
  readonly name?: string;
  readonly budget?: number;
  readonly parent?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Why this point was chosen (acquisition value, generation, ...), stored on the trial for `hpo explain`. */
  readonly explain?: Readonly<Record<string, unknown>>;
}

/** The answer to a {@link SuggestRequest}. Fewer than `count` suggestions with `exhausted` set means the search space is used up. */
export interface SuggestResult {
  readonly suggestions: readonly Suggestion[];
  /** Opaque JSON-serialisable state to be stored and sent back on the next request. */
  readonly state?: unknown;
  /** True when the algorithm will never propose anything again (e.g. a finished grid). */
  readonly exhausted?: boolean;
}

/**
 * The search-algorithm contract. Implementations are pure: no I/O, no clock, no global RNG; randomness
 * comes from `req.seed`. The suggestion host calls `validate` once per experiment and `suggest` whenever
 * the controller has free trial slots.
 */
export interface SearchAlgorithm {
  readonly name: string;
  validate(settings: Settings, ctx: ValidationContext): Issue[];
  suggest(req: SuggestRequest): SuggestResult | Promise<SuggestResult>;
}

/** What an early-stopping rule sees when a running trial reports a new objective value. */
export interface EarlyStoppingRequest {
  readonly objective: ObjectiveSpec;
  /** Every trial (creation order), with `intermediate` objective histories; completed ones carry their final state. */
  readonly trials: readonly TrialView[];
  /** The running trial that just reported (also present in `trials`). */
  readonly trial: TrialView;
  readonly settings: Settings;
}

/** An early-stopping verdict; `reason` and `explain` are recorded on the trial when it is stopped. */
export interface StopDecision {
  readonly stop: boolean;
  readonly reason?: string;
  readonly explain?: Readonly<Record<string, unknown>>;
}

/**
 * An early-stopping rule (Katib's medianstop, or the rung rule of ASHA). Pure and cheap: the controller calls
 * `shouldStop` in its own thread after each new objective value of a running trial, and only the controller
 * stops trials. Stopped trials end `EarlyStopped`, keep their observations and count as completed.
 */
export interface EarlyStoppingAlgorithm {
  readonly name: string;
  validate(settings: Settings, ctx: ValidationContext): Issue[];
  shouldStop(req: EarlyStoppingRequest): StopDecision;
}
