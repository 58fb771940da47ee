/**
 * `hpo-workbench/kserve`: hands an experiment's winning model to KServe. `inferenceService` builds the
 * `InferenceService` (`serving.kserve.io/v1beta1`) for the winner's model artifact, `validateInferenceService` checks
 * one against KServe's CRD, `applyInferenceService` creates or replaces it in a cluster and waits until it is ready, and `serveModel` answers the Open Inference Protocol (v2) locally for a scikit-learn
 * or TorchScript model through Debian's Python.
 */
export { type ApplyOptions, type ApplyResult, applyInferenceService } from './apply.ts';
export { inferenceServiceYaml, readInferenceService, validateInferenceService } from './document.ts';
export {
  formatOfModel,
  type InferenceServiceExport,
  type InferenceServiceOptions,
  inferenceService,
  type PredictorFormat,
  predictorFormats,
  storageUriSchemes,
  winnerModel,
} from './inferenceService.ts';
export { type IsvcCondition, type IsvcStatus, type IsvcTraffic, readIsvcStatus } from './isvcStatus.ts';
export {
  defaultPython,
  type HelperPrediction,
  type HelperReady,
  ModelHelper,
  ModelHelper as SklearnHelper,
  type ServedFormat,
} from './modelHelper.ts';
export { type InferRequest, type InferTensor, readInferRequest, v2Datatype } from './openInference.ts';
export { type ModelServer, type ServeModelOptions, serveModel } from './serve.ts';
export { servableModel } from './servedModel.ts';
