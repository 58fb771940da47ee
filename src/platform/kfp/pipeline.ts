/**
 * The Kubeflow Pipelines v2 pipeline (IR, `schemaVersion: 2.1.0`) that retrains an experiment's winner: one
 * component `retrain` whose container is the winner's primary container rendered with the winning values, with
 * the model and its metrics as typed output artifacts (`system.Model`, `system.Metrics`), plus, when the winner's
 * model is in an object store, an importer of that tuned model (tunedModel.ts).
 */
import { stringify } from 'yaml';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { bestTrial } from '../../experiment/report.ts';
import { readWinnerArtifacts } from '../../experiment/winner.ts';
import {
  describeExperimentKey,
  type ExperimentRecord,
  type ExperimentRef,
  experimentKey,
  type Store,
  type TrialRecord,
} from '../../store/types.ts';
import type { ArtifactRecord } from '../../trial/artifacts.ts';
import { type KfpContainer, retrainContainer } from './container.ts';
import { addTunedModel, importableModel } from './tunedModel.ts';

/** The only IR schema version KFP 2.x's API server accepts. */
export const kfpSchemaVersion = '2.1.0';

/** The pipeline's component, executor and task names (the IR keys that reference one another). */
export const retrainNames = { component: 'comp-retrain', executor: 'exec-retrain', task: 'retrain' } as const;

/**
 * The wrapper the retraining command runs under: it hands the program the paths KFP gives the output artifacts,
 * as `HPO_MODEL_PATH` and `HPO_METRICS_PATH`, then execs the command unchanged. The paths and the command arrive
 * as positional parameters, so nothing but this fixed text is ever shell source; it holds no `$(`, which the
 * kubelet would try to expand.
 */
export const handOffScript = 'export HPO_MODEL_PATH="$1" HPO_METRICS_PATH="$2"; shift 2; exec "$@"';

const artifact = (schemaTitle: string) => ({ artifactType: { schemaTitle, schemaVersion: '0.0.1' } });
const outputArtifacts = { metrics: artifact('system.Metrics'), model: artifact('system.Model') };

/** Options of {@link retrainPipeline}. */
export interface RetrainPipelineOptions {
  /** `sdkVersion` of the IR, a free string that names the compiler (default `hpo-workbench`). */
  readonly sdkVersion?: string;
  /**
   * The trial's model artifact; when it lives in an object store (a Kubernetes trial's) the pipeline also imports
   * it as `tuned_model` (tunedModel.ts). {@link readRetrainPipeline} passes the winner's.
   */
  readonly model?: ArtifactRecord;
}

/** A built pipeline: the IR object (write it with {@link pipelineYaml}) and what the export could not carry over. */
export interface RetrainPipeline {
  readonly spec: Record<string, unknown>;
  readonly warnings: readonly string[];
}

/** A DNS-1123 label from the experiment name, as KFP wants `pipelineInfo.name` (Katib names already are). */
function pipelineName(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? 'hpo-retrain' : label;
}

function describe(experiment: ExperimentRecord, trial: TrialRecord): string {
  const o = experiment.manifest.spec.objective;
  return `Retrains trial ${trial.name} of experiment ${experiment.namespace}/${experiment.name} (${o?.type ?? 'minimize'} ${o?.objectiveMetricName ?? 'objective'} = ${trial.objective}) with its parameters: ${JSON.stringify(trial.params)}`.slice(
    0,
    1024,
  );
}

function wrapped(c: KfpContainer): KfpContainer {
  return {
    ...c,
    command: [
      'sh',
      '-c',
      handOffScript,
      'hpo-retrain',
      "{{$.outputs.artifacts['model'].path}}",
      "{{$.outputs.artifacts['metrics'].path}}",
      ...(c.command ?? []),
    ],
  };
}

/** What {@link retrainPipelineSpec} varies between the retraining pipeline and the tuning one. */
export interface RetrainSpecParts {
  readonly description: string;
  /** The retrain component's input definitions (the tuning pipeline's parameters). */
  readonly inputs?: Record<string, unknown>;
  /** The retrain task's inputs (wired to the tuning step's outputs). */
  readonly taskInputs?: Record<string, unknown>;
  readonly sdkVersion?: string;
}

/**
 * The pipeline IR around the retrain `container`: component, executor and task `retrain` (caching off), its model
 * and metrics as the pipeline's outputs. Used by {@link retrainPipeline} and the tuning pipeline (tuning.ts).
 */
export function retrainPipelineSpec(
  experiment: ExperimentRecord,
  container: KfpContainer,
  parts: RetrainSpecParts,
): Record<string, unknown> {
  const { component, executor, task } = retrainNames;
  const selector = (key: string) => ({ artifactSelectors: [{ outputArtifactKey: key, producerSubtask: task }] });
  return {
    components: {
      [component]: {
        executorLabel: executor,
        ...(parts.inputs === undefined ? {} : { inputDefinitions: parts.inputs }),
        outputDefinitions: { artifacts: outputArtifacts },
      },
    },
    deploymentSpec: { executors: { [executor]: { container: wrapped(container) } } },
    pipelineInfo: { name: pipelineName(experiment.name), description: parts.description },
    root: {
      dag: {
        outputs: { artifacts: { metrics: selector('metrics'), model: selector('model') } },
        tasks: {
          // Caching off: a retrain is asked for to get a fresh model, not the cached one of an earlier run.
          [task]: {
            cachingOptions: { enableCache: false },
            componentRef: { name: component },
            ...(parts.taskInputs === undefined ? {} : { inputs: parts.taskInputs }),
            taskInfo: { name: task },
          },
        },
      },
      outputDefinitions: { artifacts: outputArtifacts },
    },
    schemaVersion: kfpSchemaVersion,
    sdkVersion: parts.sdkVersion ?? 'hpo-workbench',
  };
}

/**
 * The retraining pipeline of `trial` (normally the experiment's best trial). Throws `unsupported` (exit 2) when
 * the template cannot run as one KFP container (see `retrainContainer`).
 */
export function retrainPipeline(
  experiment: ExperimentRecord,
  trial: TrialRecord,
  options: RetrainPipelineOptions = {},
): RetrainPipeline {
  const { container, warnings: containerWarnings } = retrainContainer(experiment, trial);
  const warnings = [...containerWarnings];
  const spec = retrainPipelineSpec(experiment, container, {
    description: describe(experiment, trial),
    ...(options.sdkVersion === undefined ? {} : { sdkVersion: options.sdkVersion }),
  });
  const model = options.model;
  if (importableModel(model)) addTunedModel(spec, model, trial.name);
  else if (model?.uri !== undefined) {
    warnings.push(
      `the tuned model ${model.uri} is not imported: KFP imports artifacts from object stores (gs://, s3://, minio://), not from a claim`,
    );
  }
  return { spec, warnings };
}

/** The stored experiment a pipeline is made from; `notFound` naming the store when there is none. */
export async function storedExperiment(store: Store, experiment: ExperimentRef): Promise<ExperimentRecord> {
  const exp = await store.getExperiment(experiment);
  if (exp === undefined)
    throw new WorkbenchError(
      ErrorCode.notFound,
      `no experiment '${describeExperimentKey(experimentKey(experiment))}' in store ${store.location}`,
    );
  return exp;
}

/** The retraining pipeline of a stored experiment's best trial; `notFound`/`unsupported` say why there is none. */
export async function readRetrainPipeline(
  store: Store,
  experiment: ExperimentRef,
  options: RetrainPipelineOptions = {},
): Promise<RetrainPipeline> {
  const exp = await storedExperiment(store, experiment);
  const best = bestTrial(exp, await store.listTrials(exp));
  if (best === undefined) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `experiment '${exp.name}' has no winner yet: no trial has reported the objective ${exp.manifest.spec.objective?.objectiveMetricName ?? ''}`.trimEnd(),
    );
  }
  // The winner's model, when it has one in an object store, is imported next to the retrain.
  const model = (await readWinnerArtifacts(store.root, exp, best)).find((a) => a.kind === 'model');
  return retrainPipeline(exp, best, { ...options, ...(model === undefined ? {} : { model }) });
}

/** The IR as YAML, the form KFP's upload and `kfp` CLI take; strings that look like numbers stay quoted. */
export function pipelineYaml(spec: Record<string, unknown>): string {
  return `# PIPELINE DEFINITION\n# Name: ${String((spec.pipelineInfo as { name?: string } | undefined)?.name ?? '')}\n${stringify(spec, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}
