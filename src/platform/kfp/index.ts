/**
 * `hpo-workbench/kfp`: hands an experiment's winner to Kubeflow Pipelines. `retrainPipeline` builds the KFP v2
 * pipeline (IR, `schemaVersion: 2.1.0`) that retrains the best configuration from the trial template, with the
 * model and its metrics as typed artifacts; `validatePipeline` checks a pipeline file against KFP's real
 * `pipeline_spec.proto` (through the optional peer protobufjs, loaded only then) and the wiring rules of KFP's
 * compiler; `uploadPipeline` hands it to a KFP API server (v2beta1 REST) and starts a run; `tuningPipeline` runs the
 * Katib Experiment in a first step and retrains with the values it found.
 */
export {
  type KfpContainer,
  type KfpResources,
  kfpInputPlaceholder,
  kubeletLiteral,
  type RetrainContainer,
  retrainContainer,
} from './container.ts';
export {
  handOffScript,
  kfpSchemaVersion,
  pipelineYaml,
  type RetrainPipeline,
  type RetrainPipelineOptions,
  type RetrainSpecParts,
  readRetrainPipeline,
  retrainNames,
  retrainPipeline,
  retrainPipelineSpec,
} from './pipeline.ts';
export { jsonName, ProtoJsonReader } from './protoJson.ts';
export { type KfpSchema, loadKfpSchema } from './schema.ts';
export { checkPipelineSemantics } from './semantics.ts';
export { addTunedModel, importableModel, tunedModelNames } from './tunedModel.ts';
export {
  defaultTuningImage,
  readTuningPipeline,
  type TuningPipelineOptions,
  tuningNames,
  tuningPipeline,
  tuningScript,
} from './tuning.ts';
export { type UploadedPipeline, type UploadPipelineOptions, uploadPipeline } from './upload.ts';
export { type PipelineValidation, type ValidatePipelineOptions, validatePipeline } from './validate.ts';
