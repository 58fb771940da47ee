import type { Issue } from '../../common/issue.ts';
import type { AlgorithmCapabilities, Settings, ValidationContext } from '../types.ts';
import { validateEnas } from './enasValidation.ts';

export { sampleArchitecture } from './architectureSampler.ts';
export { DartsSearch, dartsSearchSpace, dartsTrialParameters } from './darts.ts';
export { dartsAlgorithmSettings, dartsSettingNames } from './dartsSettings.ts';
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

/**
 * ENAS: its settings and nasConfig are checked as Katib checks them, and its trial parameters (`architecture`,
 * `nn_config`) are built here, but the learned LSTM controller that chooses architectures is not in this version.
 * Offering uniformly random architectures under Katib's name would pass random search off as ENAS, so it refuses.
 */
export const enasValidateOnly: ValidateOnlyAlgorithm = {
  capabilities: { nas: true },
  validate: validateEnas,
  reason:
    'enas cannot run here yet: its learned LSTM controller is not in this version of hpo-workbench (it comes in ' +
    'the next step of issue #13).',
};
