/**
 * Builds an experiment's MLMD graph from what the store already records: the experiment is a `system.PipelineRun`
 * context, each trial a `system.ContainerExecution` (parameters as KFP's `inputs`, objective as `outputs`), each file
 * it left an OUTPUT artifact (`system.Model`, `system.Metrics` or `system.Artifact`, with sha256), its reported
 * metrics one `system.Metrics` artifact of values, and the data sets the experiment names INPUT `system.Dataset`
 * artifacts. Pure: `readLineageGraph` gathers the records, this only arranges them.
 */
import { pathToFileURL } from 'node:url';
import type { ExperimentRecord, TrialRecord } from '../../store/types.ts';
import type { ArtifactKind, ArtifactRecord } from '../../trial/artifacts.ts';
import type { CodeVersion } from './codeVersion.ts';
import {
  type MlmdArtifact,
  type MlmdAssociation,
  type MlmdAttribution,
  type MlmdContext,
  type MlmdEvent,
  type MlmdExecution,
  type MlmdExecutionState,
  type MlmdGraph,
  type MlmdProperties,
  type MlmdType,
  type MlmdValue,
  mlmdTypeNames,
} from './types.ts';

/** The annotation on an experiment naming the data its trials read: URIs separated by commas or whitespace. */
export const dataAnnotation = 'hpo-workbench.io/data';

/** One trial and what it left. */
export interface LineageTrial {
  readonly trial: TrialRecord;
  /** Its recorded artifacts, paths as the store is now (`readWinnerArtifacts`). */
  readonly artifacts: readonly ArtifactRecord[];
  /** The code it ran, when its working folder is in a git repository. */
  readonly code?: CodeVersion;
}

/** What {@link lineageGraph} arranges. */
export interface LineageInput {
  readonly experiment: ExperimentRecord;
  readonly trials: readonly LineageTrial[];
}

/** The prefix of every `external_id` we write, so our nodes are told from others in a shared MLMD. */
export const externalIdPrefix = 'hpo-workbench:';

/** Katib's trial states as MLMD execution states; an early-stopped trial ran to a result, so it is COMPLETE. */
const executionStates: Readonly<Record<TrialRecord['state'], MlmdExecutionState>> = {
  Pending: 'NEW',
  Running: 'RUNNING',
  Succeeded: 'COMPLETE',
  EarlyStopped: 'COMPLETE',
  Failed: 'FAILED',
  MetricsUnavailable: 'FAILED',
  Killed: 'CANCELED',
};

const typeOfKind: Readonly<Record<ArtifactKind, string>> = {
  model: mlmdTypeNames.model,
  metrics: mlmdTypeNames.metrics,
  checkpoint: mlmdTypeNames.artifact,
  plot: mlmdTypeNames.artifact,
  other: mlmdTypeNames.artifact,
};

/** The data set URIs an experiment names in its {@link dataAnnotation}, in order, without repeats. */
export function experimentData(experiment: ExperimentRecord): string[] {
  const raw = experiment.manifest.metadata.annotations?.[dataAnnotation] ?? '';
  return [...new Set(raw.split(/[\s,]+/).filter((u) => u !== ''))];
}

const str = (v: string): MlmdValue => ({ string_value: v });

/** A number as MLMD keeps it: NaN and infinities have no JSON form, so they are left out by the caller. */
const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

/** The MLMD graph of one experiment and the given trials (all of them, or one for a single trial's lineage). */
export function lineageGraph(input: LineageInput): MlmdGraph {
  const { experiment } = input;
  const types = { artifact: new Map<string, MlmdType>(), execution: new Map<string, MlmdType>() };
  const typeId = (kind: 'artifact' | 'execution', name: string): MlmdType => {
    const map = types[kind];
    let t = map.get(name);
    if (t === undefined) {
      t = { id: map.size + 1, name };
      map.set(name, t);
    }
    return t;
  };
  const contextType: MlmdType = { id: 1, name: mlmdTypeNames.experiment };
  const base = `${experiment.namespace}/${experiment.name}`;
  const objective = experiment.manifest.spec.objective;
  const context: MlmdContext = {
    id: 1,
    type_id: contextType.id,
    type: contextType.name,
    name: base,
    external_id: `${externalIdPrefix}${base}`,
    custom_properties: {
      display_name: str(experiment.name),
      namespace: str(experiment.namespace),
      phase: str(experiment.phase),
      algorithm: str(experiment.manifest.spec.algorithm?.algorithmName ?? ''),
      objective_metric_name: str(objective?.objectiveMetricName ?? ''),
      objective_type: str(objective?.type ?? ''),
      created_at: str(experiment.createdAt),
    },
  };
  const artifacts: MlmdArtifact[] = [];
  const executions: MlmdExecution[] = [];
  const events: MlmdEvent[] = [];
  const associations: MlmdAssociation[] = [];
  const attributions: MlmdAttribution[] = [];
  const addArtifact = (a: Omit<MlmdArtifact, 'id' | 'type_id' | 'external_id'>): MlmdArtifact => {
    const t = typeId('artifact', a.type);
    const full = { id: artifacts.length + 1, type_id: t.id, external_id: `${externalIdPrefix}${a.name}`, ...a };
    artifacts.push(full);
    attributions.push({ artifact_id: full.id, context_id: context.id });
    return full;
  };

  // The data are the experiment's, read by every trial: one artifact each, an INPUT edge from every trial.
  const data = experimentData(experiment).map((uri, i) =>
    addArtifact({
      type: mlmdTypeNames.dataset,
      name: `${base}/data/${i}`,
      uri,
      state: 'LIVE',
      custom_properties: { display_name: str(uri) },
    }),
  );

  for (const { trial, artifacts: files, code } of input.trials) {
    const t = typeId('execution', mlmdTypeNames.trial);
    const name = `${base}/${trial.name}`;
    const props: Record<string, MlmdValue> = {
      display_name: str(trial.name),
      task_name: str(trial.name),
      namespace: str(experiment.namespace),
      state: str(trial.state),
      // KFP keeps a task's parameters in `inputs` and its output parameters in `outputs` (structs).
      inputs: { struct_value: { ...trial.params } },
      outputs: {
        struct_value: finite(trial.objective)
          ? { [objective?.objectiveMetricName ?? 'objective']: trial.objective }
          : {},
      },
    };
    if (trial.reason !== '') props.reason = str(trial.reason);
    if (trial.startedAt !== undefined) props.started_at = str(trial.startedAt);
    if (trial.completedAt !== undefined) props.completed_at = str(trial.completedAt);
    if (trial.workDir !== undefined) props.work_dir = str(trial.workDir);
    if (code !== undefined) {
      props.code_git_commit = str(code.commit);
      props.code_git_dirty = { bool_value: code.dirty };
      props.code_git_root = str(code.root);
      if (code.committedAt !== undefined) props.code_git_committed_at = str(code.committedAt);
    }
    const exec: MlmdExecution = {
      id: executions.length + 1,
      type_id: t.id,
      type: t.name,
      name,
      external_id: `${externalIdPrefix}${name}`,
      last_known_state: executionStates[trial.state] ?? 'UNKNOWN',
      custom_properties: props,
    };
    executions.push(exec);
    associations.push({ execution_id: exec.id, context_id: context.id });
    data.forEach((d, i) => {
      events.push({ artifact_id: d.id, execution_id: exec.id, type: 'INPUT', path: { steps: [{ key: `data-${i}` }] } });
    });
    const output = (a: MlmdArtifact, key: string): void => {
      events.push({ artifact_id: a.id, execution_id: exec.id, type: 'OUTPUT', path: { steps: [{ key }] } });
    };
    const reported = reportedMetrics(trial);
    if (Object.keys(reported).length > 0) {
      // KFP's metrics artifact: one double custom property per metric (the latest value, as Katib reports it).
      const m = addArtifact({
        type: mlmdTypeNames.metrics,
        name: `${name}/metrics`,
        state: 'LIVE',
        custom_properties: { display_name: str('metrics'), ...reported },
      });
      output(m, 'metrics');
    }
    for (const f of files) {
      const a = addArtifact({
        type: typeOfKind[f.kind] ?? mlmdTypeNames.artifact,
        // Under `artifacts/` (`checkpoints/` for PBT's folder) so no file name can collide with the reported
        // `metrics` above or with each other.
        name: `${name}/${f.folder === 'checkpoint' ? 'checkpoints' : 'artifacts'}/${f.name}`,
        // A cluster trial's file lives at its URI (a claim, an object store); a local one at its path.
        uri: f.uri ?? pathToFileURL(f.path).href,
        state: 'LIVE',
        custom_properties: {
          display_name: str(f.name),
          kind: str(f.kind),
          sha256: str(f.sha256),
          size: { int_value: f.size },
        },
      });
      output(a, f.folder === 'checkpoint' ? `checkpoints/${f.name}` : f.name);
    }
  }
  return {
    artifact_types: [...types.artifact.values()],
    execution_types: [...types.execution.values()],
    context_types: [contextType],
    artifacts,
    executions,
    contexts: [context],
    events,
    attributions,
    associations,
  };
}

/** A trial's metrics as KFP's metrics artifact holds them: name → latest value, when that is a finite number. */
function reportedMetrics(trial: TrialRecord): MlmdProperties {
  const out: Record<string, MlmdValue> = {};
  for (const m of trial.metrics) {
    const v = m.latest === undefined || m.latest.trim() === '' ? Number.NaN : Number(m.latest);
    if (Number.isFinite(v) && m.name !== 'display_name') out[m.name] = { double_value: v };
  }
  return out;
}
