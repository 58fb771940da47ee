/** Katib Experiment specs: load YAML, default, validate, convert the search space, render trial templates. */
export {
  type FoundContainer,
  findContainers,
  findPrimaryContainer,
  type TrialKindInfo,
  trialKindInfo,
} from './containers.ts';
export {
  type AlgorithmInput,
  type BuildManifestOptions,
  buildManifest,
  type Distribution,
  type RangeOptions,
  type SearchHelpers,
  type SettingsInput,
  search,
} from './create.ts';
export { applyDefaults } from './defaults.ts';
export { loadConfigMapFile, loadConfigMaps, loadExperimentFile, loadExperiments } from './load.ts';
export * from './optimizationJob/index.ts';
export {
  applyScheduling,
  bakeScheduling,
  checkScheduling,
  kueueQueueLabel,
  type TrialScheduling,
} from './scheduling.ts';
export { toSearchSpace } from './searchSpace.ts';
export { type RenderTrialOptions, renderTrialSpec, templateText } from './template.ts';
export type * from './types.ts';
export { type ValidateOptions, validateExperiment } from './validate.ts';
export { type ExperimentStatusView, validateUpdate } from './validateUpdate.ts';
