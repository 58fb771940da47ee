import type { Issue } from '../../common/issue.ts';
import type { AlgorithmCapabilities, Settings, ValidationContext } from '../types.ts';

export { sampleArchitecture } from './architectureSampler.ts';
export { DartsSearch, dartsSearchSpace, dartsTrialParameters } from './darts.ts';
export { dartsAlgorithmSettings, dartsSettingNames } from './dartsSettings.ts';
export {
  type ControllerPass,
  type EnasControllerShape,
  type EnasWeights,
  initialWeights,
  runController,
} from './enasController.ts';
export {
  type Architecture,
  architectureText,
  doubleRangeValues,
  type EnasOperation,
  enasOperationCount,
  enasOperations,
  enasTrialParameters,
  nnConfigText,
} from './enasEncoding.ts';
export { EnasSearch, type EnasState, parseArchitecture, trialReward } from './enasSearch.ts';
export { type EnasSettings, enasSettings } from './enasSettings.ts';
export { enasNoneSettings, enasSettingRules, validateEnas } from './enasValidation.ts';
export { katibNasText, type PyDict, type PyValue, pythonFloatRepr, pythonJsonDumps } from './pythonJson.ts';
export type { NasOperation, NasParameter, NasSpace } from './space.ts';

/**
 * A Katib algorithm this version checks but cannot run yet: `hpo validate` and the gRPC service's
 * ValidateAlgorithmSettings run `validate`; `hpo run`, a dry run and GetSuggestions refuse with `reason`.
 */
export interface ValidateOnlyAlgorithm {
  readonly capabilities: AlgorithmCapabilities;
  validate(settings: Settings, ctx: ValidationContext): Issue[];
  /** Why it cannot run, in one sentence. */
  readonly reason: string;
}
