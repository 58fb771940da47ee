/**
 * The ML Metadata (MLMD) data model as plain data: types, artifacts, executions, contexts and the edges between
 * them (events, attributions, associations), in the shape of MLMD's `metadata_store.proto` messages with their
 * proto field names (`type_id`, `custom_properties`, `last_known_state`), so one graph is printed as JSON, walked
 * by `hpo lineage` and sent to an MLMD server field for field.
 */

/** A property value: one of MLMD's `Value` oneof members (a struct is kept as plain JSON here). */
export type MlmdValue =
  | { readonly int_value: number }
  | { readonly double_value: number }
  | { readonly string_value: string }
  | { readonly bool_value: boolean }
  | { readonly struct_value: Readonly<Record<string, unknown>> };

/** `custom_properties` of a node. */
export type MlmdProperties = Readonly<Record<string, MlmdValue>>;

/** An `ArtifactType`, `ExecutionType` or `ContextType`: KFP's type names (`system.Model`, `system.PipelineRun`). */
export interface MlmdType {
  /** Local id, unique among the graph's types of its kind (MLMD assigns its own when the graph is stored). */
  readonly id: number;
  readonly name: string;
}

/** MLMD's `Artifact.State`. */
export type MlmdArtifactState = 'UNKNOWN' | 'PENDING' | 'LIVE' | 'MARKED_FOR_DELETION' | 'DELETED' | 'ABANDONED';

/** MLMD's `Execution.State`. */
export type MlmdExecutionState = 'UNKNOWN' | 'NEW' | 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CACHED' | 'CANCELED';

/** An `Artifact`: a file a trial left, the metrics it reported, or a data set it read. */
export interface MlmdArtifact {
  readonly id: number;
  readonly type_id: number;
  /** The type's name, as MLMD's read calls fill it in. */
  readonly type: string;
  /** Unique within its type: `<namespace>/<experiment>/<trial>/…`. */
  readonly name: string;
  /** Where the bytes are (`file://…`, a data set's URI); absent for reported metrics, which are values only. */
  readonly uri?: string;
  /** `hpo-workbench:` + name: how a second export finds what the first stored. */
  readonly external_id: string;
  readonly state: MlmdArtifactState;
  readonly custom_properties: MlmdProperties;
}

/** An `Execution`: one trial. */
export interface MlmdExecution {
  readonly id: number;
  readonly type_id: number;
  readonly type: string;
  readonly name: string;
  readonly external_id: string;
  readonly last_known_state: MlmdExecutionState;
  readonly custom_properties: MlmdProperties;
}

/** A `Context`: the experiment, which groups its trials and their artifacts (KFP's run context). */
export interface MlmdContext {
  readonly id: number;
  readonly type_id: number;
  readonly type: string;
  readonly name: string;
  readonly external_id: string;
  readonly custom_properties: MlmdProperties;
}

/** An `Event`: an execution read (INPUT) or wrote (OUTPUT) an artifact, under a key (`model`, `metrics`, `data-0`). */
export interface MlmdEvent {
  readonly artifact_id: number;
  readonly execution_id: number;
  readonly type: 'INPUT' | 'OUTPUT';
  readonly path: { readonly steps: readonly { readonly key: string }[] };
}

/** An `Attribution`: an artifact belongs to a context. */
export interface MlmdAttribution {
  readonly artifact_id: number;
  readonly context_id: number;
}

/** An `Association`: an execution belongs to a context. */
export interface MlmdAssociation {
  readonly execution_id: number;
  readonly context_id: number;
}

/** One experiment's lineage as an MLMD graph; ids are local (1, 2, …) and every edge names existing nodes. */
export interface MlmdGraph {
  readonly artifact_types: readonly MlmdType[];
  readonly execution_types: readonly MlmdType[];
  readonly context_types: readonly MlmdType[];
  readonly artifacts: readonly MlmdArtifact[];
  readonly executions: readonly MlmdExecution[];
  readonly contexts: readonly MlmdContext[];
  readonly events: readonly MlmdEvent[];
  readonly attributions: readonly MlmdAttribution[];
  readonly associations: readonly MlmdAssociation[];
}

/** The type names used, KFP's own (`backend/src/v2/metadata` and the IR's schema titles), so KFP's UI shows them. */
export const mlmdTypeNames = {
  /** The experiment: KFP records a pipeline run as a context of this type. */
  experiment: 'system.PipelineRun',
  /** A trial: KFP's execution type for a container task. */
  trial: 'system.ContainerExecution',
  model: 'system.Model',
  metrics: 'system.Metrics',
  dataset: 'system.Dataset',
  /** Checkpoints, plots and other files: KFP's generic artifact type, with the kind as a property. */
  artifact: 'system.Artifact',
} as const;
