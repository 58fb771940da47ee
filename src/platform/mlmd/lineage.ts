/**
 * `hpo lineage`: walks an MLMD graph back from a model to where it came from, following the graph's own edges
 * (OUTPUT event → the trial's execution → its INPUT events and its association → the experiment's context), so
 * what it prints is what a KFP UI or an MLMD query would find, not a second reading of the store.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { type MlmdArtifact, type MlmdGraph, type MlmdProperties, type MlmdValue, mlmdTypeNames } from './types.ts';

/** An artifact as the lineage shows it. */
export interface LineageArtifact {
  /** The event's key: the file's name relative to the artifacts folder, `metrics`, `data-0`. */
  readonly key: string;
  readonly type: string;
  readonly name: string;
  readonly uri?: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** Where a model came from. */
export interface LineageReport {
  /** The artifact the walk started from: the trial's model (its first by name), null when it left none. */
  readonly model: LineageArtifact | null;
  readonly trial: {
    readonly name: string;
    readonly execution: string;
    readonly type: string;
    readonly state: string;
    /** `inputs`: the parameter set it ran with. */
    readonly parameters: Readonly<Record<string, unknown>>;
    /** `outputs`: the objective. */
    readonly outputs: Readonly<Record<string, unknown>>;
    readonly properties: Readonly<Record<string, unknown>>;
  };
  /** Everything else it wrote (metrics, checkpoints, plots). */
  readonly outputs: readonly LineageArtifact[];
  readonly experiment: {
    readonly context: string;
    readonly type: string;
    readonly properties: Record<string, unknown>;
  };
  /** The data sets it read (INPUT events); empty when the experiment names none. */
  readonly data: readonly LineageArtifact[];
  /** The git commit of the trial's folder; null when it is not in a git repository. */
  readonly code: {
    readonly commit: string;
    readonly dirty: boolean;
    readonly root: string;
    readonly committedAt?: string;
  } | null;
  /** What the walk could not establish, said plainly. */
  readonly notes: readonly string[];
}

/** A property value as plain JSON. */
export function plainValue(v: MlmdValue): unknown {
  if ('string_value' in v) return v.string_value;
  if ('double_value' in v) return v.double_value;
  if ('int_value' in v) return v.int_value;
  if ('bool_value' in v) return v.bool_value;
  return v.struct_value;
}

function plain(props: MlmdProperties): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, plainValue(v)]));
}

/** Options of {@link walkLineage}: start at this trial (its display name); without it at the winner's model. */
export interface WalkLineageOptions {
  readonly trial: string;
}

/**
 * The lineage of trial `opts.trial` in `graph`: from its model (when it left one) back to the trial, its parameters,
 * the experiment, the data and the code version. `notFound` when the graph has no such trial.
 */
export function walkLineage(graph: MlmdGraph, opts: WalkLineageOptions): LineageReport {
  const exec = graph.executions.find(
    (e) => plainValue(e.custom_properties.display_name ?? { string_value: '' }) === opts.trial,
  );
  if (exec === undefined) throw new WorkbenchError(ErrorCode.notFound, `no trial '${opts.trial}' in the lineage graph`);
  const byId = new Map(graph.artifacts.map((a) => [a.id, a]));
  const shown = (a: MlmdArtifact, key: string): LineageArtifact => ({
    key,
    type: a.type,
    name: a.name,
    ...(a.uri === undefined ? {} : { uri: a.uri }),
    properties: plain(a.custom_properties),
  });
  const edges = graph.events.filter((e) => e.execution_id === exec.id);
  const ends = (type: 'INPUT' | 'OUTPUT'): LineageArtifact[] =>
    edges
      .filter((e) => e.type === type)
      .flatMap((e) => {
        const a = byId.get(e.artifact_id);
        return a === undefined ? [] : [shown(a, e.path.steps[0]?.key ?? '')];
      });
  const outputs = ends('OUTPUT');
  const models = outputs.filter((a) => a.type === mlmdTypeNames.model).sort((x, y) => x.key.localeCompare(y.key));
  const model = models[0] ?? null;
  const notes: string[] = [];
  if (model === null) {
    notes.push(
      `trial '${opts.trial}' left no model artifact (a file in its HPO_ARTIFACTS_DIR of kind model); the walk starts at the trial`,
    );
  } else if (models.length > 1) {
    notes.push(
      `trial '${opts.trial}' left ${models.length} models; the walk starts at the first by name, ${model.key}`,
    );
  }
  const assoc = graph.associations.find((a) => a.execution_id === exec.id);
  const ctx = graph.contexts.find((c) => c.id === assoc?.context_id);
  if (ctx === undefined)
    throw new WorkbenchError(ErrorCode.internal, `trial '${opts.trial}' has no experiment context`);
  const data = ends('INPUT').filter((a) => a.type === mlmdTypeNames.dataset);
  if (data.length === 0) {
    notes.push(
      "no data recorded: name the data the trials read in the experiment's annotation hpo-workbench.io/data (URIs)",
    );
  }
  const props = plain(exec.custom_properties);
  const commit = props.code_git_commit;
  const code =
    typeof commit === 'string'
      ? {
          commit,
          dirty: props.code_git_dirty === true,
          root: String(props.code_git_root ?? ''),
          ...(typeof props.code_git_committed_at === 'string' ? { committedAt: props.code_git_committed_at } : {}),
        }
      : null;
  if (code === null) notes.push("no code version: the trial's folder is not in a git repository (or is gone)");
  else {
    if (code.dirty)
      notes.push(`code ${code.commit.slice(0, 12)} has uncommitted changes: the trial may have run other code`);
    const ended = props.completed_at;
    if (
      code.committedAt !== undefined &&
      typeof ended === 'string' &&
      Date.parse(code.committedAt) > Date.parse(ended)
    ) {
      notes.push(
        `code ${code.commit.slice(0, 12)} was committed after the trial ended: it is read now, not when the trial ran`,
      );
    }
  }
  const { inputs, outputs: outs, ...rest } = props;
  return {
    model,
    trial: {
      name: opts.trial,
      execution: exec.name,
      type: exec.type,
      state: exec.last_known_state,
      parameters: (inputs as Record<string, unknown> | undefined) ?? {},
      outputs: (outs as Record<string, unknown> | undefined) ?? {},
      properties: rest,
    },
    outputs: outputs.filter((a) => a !== model),
    experiment: { context: ctx.name, type: ctx.type, properties: plain(ctx.custom_properties) },
    data,
    code,
    notes,
  };
}
