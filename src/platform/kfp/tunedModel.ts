/**
 * The tuned model in the retraining pipeline: when the winner's model artifact lives in an object store (a Kubernetes
 * trial's, recorded with its URI), the pipeline also imports it, as KFP's `dsl.importer` compiles (an `importer`
 * executor whose `artifactUri` is the recorded URI, a `uri` input parameter, one `artifact` output), and outputs it as
 * `tuned_model` (`system.Model`, with the trial and the sha256 it had when the trial ended as metadata). A later step
 * can then take the model that scored the objective, not only a fresh retrain of it.
 */
import type { ArtifactRecord } from '../../trial/artifacts.ts';

/** The importer's component, executor and task names and the pipeline output it feeds. */
export const tunedModelNames = {
  component: 'comp-importer',
  executor: 'exec-importer',
  task: 'importer',
  output: 'tuned_model',
} as const;

/** The schemes KFP's launcher imports from (its object-store backends). */
const importable = ['gs://', 's3://', 'minio://'];

/** Whether KFP can import `model` (an object-store URI; a claim's `pvc://` or a local file it cannot). */
export function importableModel(model: ArtifactRecord | undefined): model is ArtifactRecord & { uri: string } {
  return model?.uri !== undefined && importable.some((s) => model.uri!.startsWith(s));
}

type Obj = Record<string, unknown>;

/**
 * Adds the importer of `model` to the pipeline `spec` (in place): its component, executor and task, and the
 * `tuned_model` output of the root DAG and of the pipeline.
 */
export function addTunedModel(spec: Obj, model: ArtifactRecord & { uri: string }, trial: string): void {
  const { component, executor, task, output } = tunedModelNames;
  const type = { schemaTitle: 'system.Model', schemaVersion: '0.0.1' };
  (spec.components as Obj)[component] = {
    executorLabel: executor,
    inputDefinitions: { parameters: { uri: { parameterType: 'STRING' } } },
    outputDefinitions: { artifacts: { artifact: { artifactType: type } } },
  };
  ((spec.deploymentSpec as Obj).executors as Obj)[executor] = {
    importer: {
      artifactUri: { constant: model.uri },
      typeSchema: type,
      metadata: { trial, name: model.name, sha256: model.sha256, size: model.size },
    },
  };
  const root = spec.root as { dag: { tasks: Obj; outputs: { artifacts: Obj } }; outputDefinitions: { artifacts: Obj } };
  root.dag.tasks[task] = {
    // Caching on, as KFP's compiler sets for an importer: the same URI is the same artifact.
    cachingOptions: { enableCache: true },
    componentRef: { name: component },
    inputs: { parameters: { uri: { runtimeValue: { constant: model.uri } } } },
    taskInfo: { name: task },
  };
  root.dag.outputs.artifacts[output] = {
    artifactSelectors: [{ outputArtifactKey: 'artifact', producerSubtask: task }],
  };
  root.outputDefinitions.artifacts[output] = { artifactType: type };
}
