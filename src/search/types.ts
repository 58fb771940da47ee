import type { Issue } from '../common/issue.ts';
import type { ParameterConstraint } from './constraints.ts';
import type { NasSpace } from './nas/space.ts';
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
  /** The primary objective's value according to its metric strategy, in the user's units (not negated); `values[0]`. */
  readonly objective?: number;
  /**
   * One value per objective, aligned with {@link SuggestRequest.objectives} (primary first), each by its metric
   * strategy; absent while the trial has no value for every objective. Multi-objective algorithms read this.
   */
  readonly values?: readonly number[];
  /** Objective-metric history in report order (step = 1-based report index unless the trial gave one). */
  readonly intermediate?: readonly { readonly step: number; readonly value: number }[];
  readonly budget?: number;
  readonly parent?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Context for validating settings (Katib's ValidateAlgorithmSettings sees the whole Experiment). */
export interface ValidationContext {
  readonly space: SearchSpace;
  /** The primary objective: `objectives[0]`. */
  readonly objective: ObjectiveSpec;
  /** Every objective, primary first; absent means `[objective]` (a v1 caller). */
  readonly objectives?: readonly ObjectiveSpec[];
  readonly maxTrialCount?: number;
  readonly parallelTrialCount: number;
  /** The architecture search space of a NAS Experiment (`spec.nasConfig`); absent for a hyperparameter search. */
  readonly nas?: NasSpace;
}

/** Katib's GetSuggestions: the full history in, `count` assignments out. */
export interface SuggestRequest {
  readonly experiment: string;
  readonly space: SearchSpace;
  /** Every objective, primary first; an algorithm without `capabilities.multiObjective` only ever sees one. */
  readonly objectives: readonly ObjectiveSpec[];
  /** The primary objective, `objectives[0]`: what single-objective (and v1) algorithms optimise. */
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
  /** The architecture search space of a NAS Experiment (then `space` is empty); only NAS algorithms see one. */
  readonly nas?: NasSpace;
  /**
   * `spec.parameterConstraints`: every suggestion must satisfy each (see `feasibilityOf`). Only an algorithm with
   * `capabilities.constraints` sees them; the controller filters the proposals of the others.
   */
  readonly constraints?: readonly ParameterConstraint[];
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
 * What an algorithm declares it can do; the run refuses an experiment that needs more (prepare's check), so
 * `suggest` never sees several objectives unless `multiObjective` is set. Plain data: it crosses the worker.
 */
export interface AlgorithmCapabilities {
  /** It optimises several objectives at once (reads `objectives` and `TrialView.values`). */
  readonly multiObjective?: boolean;
  /**
   * It never proposes a point that violates `SuggestRequest.constraints` (it samples inside the feasible region);
   * without it the controller discards infeasible proposals and asks again, up to a limit.
   */
  readonly constraints?: boolean;
  /** It searches a neural architecture (Katib's `nasConfig`). */
  readonly nas?: boolean;
  /**
   * It ranks no trials by their objective value, so the objective may be text (Katib's DARTS: one trial reports
   * `Best-Genotype=Genotype(...)`). A trial whose objective metric reported only text then succeeds with its latest
   * value as its result (Katib keeps the latest string), instead of ending MetricsUnavailable.
   */
  readonly textObjective?: boolean;
  /**
   * The built-in early-stopping algorithm (`builtinEarlyStopping` name, e.g. `asha`) whose rules run beside it,
   * fed this algorithm's settings, without a `spec.earlyStopping` (ASHA's search proposes, its rung rule stops).
   */
  readonly earlyStopping?: string;
}

/**
 * The search-algorithm contract. Implementations are pure: no I/O, no clock, no global RNG; randomness
 * comes from `req.seed`. The suggestion host calls `validate` once per experiment and `suggest` whenever
 * the controller has free trial slots.
 */
export interface SearchAlgorithm {
  readonly name: string;
  /** What it can do beyond one objective on a plain search space; absent means nothing more. */
  readonly capabilities?: AlgorithmCapabilities;
  validate(settings: Settings, ctx: ValidationContext): Issue[];
  suggest(req: SuggestRequest): SuggestResult | Promise<SuggestResult>;
}

/** What an early-stopping algorithm sees when a running trial reports a new objective value, or a trial is created. */
export interface EarlyStoppingRequest {
  readonly objective: ObjectiveSpec;
  /** Every trial (creation order), with `intermediate` objective histories; completed ones carry their final state. */
  readonly trials: readonly TrialView[];
  /** The trial the rules are for: a running one that just reported (also in `trials`), or a new one without reports. */
  readonly trial: TrialView;
  readonly settings: Settings;
}

/**
 * Katib's declarative early-stopping rule (`EarlyStoppingRule` of its API): stop the trial when its metric `name`
 * compares to `value` as `comparison` says, once it has made `startStep` reports. A rule is met (the trial stops)
 * when `observed <comparison> value`, where `observed` is the metric's best value so far (Katib's metrics collector)
 * or, with `of: 'latest'`, its latest report. `evaluateRules` is the one place rules are applied.
 */
export interface EarlyStoppingRule {
  /** The metric the rule reads (the objective metric for the built-ins). */
  readonly name: string;
  readonly value: number;
  readonly comparison: 'EQUAL' | 'LESS' | 'GREATER';
  /** Reports the trial must have made before the rule applies; absent or 0 means from the first report (Katib). */
  readonly startStep?: number;
  /**
   * Which value is compared (not in Katib's rule, whose collector always compares the best so far): `latest` is
   * for rules about the value at a point of the curve, such as ASHA's rung value. Katib cannot be given such a rule.
   */
  readonly of?: 'best' | 'latest';
  /** Why the trial stops when the rule is met, recorded on the trial (ours; not sent to Katib). */
  readonly reason?: string;
  /** What the rule was computed from, recorded on the trial when it stops (ours; not sent to Katib). */
  readonly explain?: Readonly<Record<string, unknown>>;
}

/** An early-stopping verdict; `reason` and `explain` are recorded on the trial when it is stopped. */
export interface StopDecision {
  readonly stop: boolean;
  readonly reason?: string;
  readonly explain?: Readonly<Record<string, unknown>>;
}

/**
 * An early-stopping algorithm (Katib's medianstop, or the rung rule of ASHA), declarative as in Katib: `rules`
 * says, from the current history, which rules `req.trial` is held to; `evaluateRules` applies them to its curve.
 * The controller asks again after each new objective value of a running trial (so rules follow the history), the
 * Katib service asks for a new trial and hands the rules to Katib's metrics collector. Pure and cheap; only the
 * controller stops trials. Stopped trials end `EarlyStopped`, keep their observations and count as completed.
 * The trial stops when every rule is met (Katib's collector); no rules means it runs on.
 */
export interface EarlyStoppingAlgorithm {
  readonly name: string;
  validate(settings: Settings, ctx: ValidationContext): Issue[];
  rules(req: EarlyStoppingRequest): EarlyStoppingRule[];
}
