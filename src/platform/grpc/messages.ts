/**
 * The Katib API messages as `@grpc/proto-loader` decodes them with {@link protoLoaderOptions}: snake_case field
 * names, enums as their names, unset scalars as proto3 defaults ('' and 0), unset messages as null, repeated
 * fields as arrays and maps as objects. Only the fields of `katib-api.proto` appear here.
 */

/** Katib's `ParameterType` enum names. */
export type ParameterTypeName = 'UNKNOWN_TYPE' | 'DOUBLE' | 'INT' | 'DISCRETE' | 'CATEGORICAL';
/** Katib's `Distribution` enum names. */
export type DistributionName = 'DISTRIBUTION_UNSPECIFIED' | 'UNIFORM' | 'LOG_UNIFORM' | 'NORMAL' | 'LOG_NORMAL';
/** Katib's `ObjectiveType` enum names. */
export type ObjectiveTypeName = 'UNKNOWN' | 'MINIMIZE' | 'MAXIMIZE';
/** Katib's `TrialStatus.TrialConditionType` enum names (the trial's latest condition). */
export type TrialConditionName =
  | 'CREATED'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'KILLED'
  | 'FAILED'
  | 'METRICSUNAVAILABLE'
  | 'EARLYSTOPPED'
  | 'UNKNOWN';
/** Katib's `ComparisonType` enum names. */
export type ComparisonName = 'UNKNOWN_COMPARISON' | 'EQUAL' | 'LESS' | 'GREATER';

/** A `{name, value}` pair (AlgorithmSetting, EarlyStoppingSetting, ParameterAssignment, Metric). */
export interface NameValue {
  readonly name: string;
  readonly value: string;
}

/** `FeasibleSpace`: bounds and list entries are text. */
export interface FeasibleSpaceMessage {
  readonly max: string;
  readonly min: string;
  readonly list: readonly string[];
  readonly step: string;
  readonly distribution: DistributionName;
}

/** `ParameterSpec`. */
export interface ParameterSpecMessage {
  readonly name: string;
  readonly parameter_type: ParameterTypeName;
  readonly feasible_space: FeasibleSpaceMessage | null;
}

/** `ObjectiveSpec` (`goal` is 0 when unset: proto3 cannot tell). */
export interface ObjectiveSpecMessage {
  readonly type: ObjectiveTypeName;
  readonly goal: number;
  readonly objective_metric_name: string;
  readonly additional_metric_names: readonly string[];
}

/** `AlgorithmSpec` and `EarlyStoppingSpec` (same shape). */
export interface AlgorithmSpecMessage {
  readonly algorithm_name: string;
  readonly algorithm_settings: readonly NameValue[];
}

/** `GraphConfig`: `num_layers` is 0 when unset. */
export interface GraphConfigMessage {
  readonly num_layers: number;
  readonly input_sizes: readonly number[];
  readonly output_sizes: readonly number[];
}

/** `Operation`: an operation type and its parameters. */
export interface OperationMessage {
  readonly operation_type: string;
  readonly parameter_specs: { readonly parameters: readonly ParameterSpecMessage[] } | null;
}

/** `NasConfig`: the architecture search space of a NAS Experiment. */
export interface NasConfigMessage {
  readonly graph_config: GraphConfigMessage | null;
  readonly operations: { readonly operation: readonly OperationMessage[] } | null;
}

/** `ExperimentSpec`: `max_trial_count` is 0 when the Experiment has none; `nas_config` is null for a hyperparameter search. */
export interface ExperimentSpecMessage {
  readonly parameter_specs: { readonly parameters: readonly ParameterSpecMessage[] } | null;
  readonly objective: ObjectiveSpecMessage | null;
  readonly algorithm: AlgorithmSpecMessage | null;
  readonly early_stopping: AlgorithmSpecMessage | null;
  readonly parallel_trial_count: number;
  readonly max_trial_count: number;
  readonly nas_config: NasConfigMessage | null;
}

/** `Experiment`. */
export interface ExperimentMessage {
  readonly name: string;
  readonly spec: ExperimentSpecMessage | null;
}

/** `Trial`: its assignments, labels, latest condition and one value per metric (already chosen by metric strategy). */
export interface TrialMessage {
  readonly name: string;
  readonly spec: {
    readonly objective: ObjectiveSpecMessage | null;
    readonly parameter_assignments: { readonly assignments: readonly NameValue[] } | null;
    readonly labels: Readonly<Record<string, string>>;
  } | null;
  readonly status: {
    readonly start_time: string;
    readonly completion_time: string;
    readonly condition: TrialConditionName;
    readonly observation: { readonly metrics: readonly NameValue[] } | null;
  } | null;
}

/** `GetSuggestionsRequest`. */
export interface GetSuggestionsRequestMessage {
  readonly experiment: ExperimentMessage | null;
  readonly trials: readonly TrialMessage[];
  readonly current_request_number: number;
  readonly total_request_number: number;
}

/** One proposed trial of a `GetSuggestionsReply`. */
export interface AssignmentsMessage {
  readonly assignments: readonly NameValue[];
  readonly trial_name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** `EarlyStoppingRule`. */
export interface EarlyStoppingRuleMessage {
  readonly name: string;
  readonly value: string;
  readonly comparison: ComparisonName;
  readonly start_step: number;
}

/** `GetSuggestionsReply`. */
export interface GetSuggestionsReplyMessage {
  readonly parameter_assignments: readonly AssignmentsMessage[];
  readonly algorithm: AlgorithmSpecMessage;
  readonly early_stopping_rules: readonly EarlyStoppingRuleMessage[];
}

/** `ValidateAlgorithmSettingsRequest`. */
export interface ValidateAlgorithmSettingsRequestMessage {
  readonly experiment: ExperimentMessage | null;
}

/** `GetEarlyStoppingRulesRequest`. */
export interface GetEarlyStoppingRulesRequestMessage {
  readonly experiment: ExperimentMessage | null;
  readonly trials: readonly TrialMessage[];
  readonly db_manager_address: string;
}

/** `ValidateEarlyStoppingSettingsRequest`. */
export interface ValidateEarlyStoppingSettingsRequestMessage {
  readonly early_stopping: AlgorithmSpecMessage | null;
}

/** `SetTrialStatusRequest`. */
export interface SetTrialStatusRequestMessage {
  readonly trial_name: string;
}

/** `GetObservationLogReply`: the metric's logs in time order. */
export interface GetObservationLogReplyMessage {
  readonly observation_log: {
    readonly metric_logs: readonly { readonly time_stamp: string; readonly metric: NameValue | null }[];
  } | null;
}
