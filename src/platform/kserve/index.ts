/**
 * `hpo-workbench/kserve`: hands an experiment's winning model to KServe. `inferenceService` builds the
 * `InferenceService` (`serving.kserve.io/v1beta1`) for the winner's model artifact, `validateInferenceService` checks
 * one against KServe's CRD, and `serveModel` answers the Open Inference Protocol (v2) locally for a scikit-learn
 * model through Debian's Python.
 */
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
export { type InferRequest, type InferTensor, readInferRequest, v2Datatype } from './openInference.ts';
export { type ModelServer, type ServeModelOptions, serveModel } from './serve.ts';
export { servableModel } from './servedModel.ts';
export { defaultPython, type HelperPrediction, type HelperReady, SklearnHelper } from './sklearnHelper.ts';
