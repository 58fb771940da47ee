/**
 * hpo-workbench: Katib-compatible hyperparameter tuning. Explicit named exports only; heavy integrations
 * live behind subpath exports.
 */
export { ErrorCode, WorkbenchError } from './common/errors.ts';
export { formatIssue, type Issue } from './common/issue.ts';
export { type ControllerOptions, ExperimentController, type Progress } from './experiment/controller.ts';
export { type AskedTrial, Experiment, type ExperimentOptions, type RunOptions } from './experiment/experiment.ts';
export { bestTrial, type ExperimentResult, experimentResult, type TrialSummary } from './experiment/report.ts';
export { decideEarlyStop, evaluateRules, type RuleVerdict } from './search/earlyStopping/rules.ts';
export { builtinAlgorithms } from './search/index.ts';
export type { Assignment, Domain, Parameter, ParamValue, Scale, SearchSpace } from './search/space.ts';
export type {
  AlgorithmCapabilities,
  EarlyStoppingAlgorithm,
  EarlyStoppingRequest,
  EarlyStoppingRule,
  ObjectiveSpec,
  SearchAlgorithm,
  Settings,
  StopDecision,
  Suggestion,
  SuggestRequest,
  SuggestResult,
  TrialState,
  TrialView,
  ValidationContext,
} from './search/types.ts';
export { type BuildManifestOptions, buildManifest, search } from './spec/create.ts';
export { applyDefaults } from './spec/defaults.ts';
export { loadExperimentFile, loadExperiments } from './spec/load.ts';
export { toSearchSpace } from './spec/searchSpace.ts';
export { renderTrialSpec } from './spec/template.ts';
export type { ExperimentManifest, ExperimentSpec, ParameterSpec } from './spec/types.ts';
export { validateExperiment } from './spec/validate.ts';
export { openStore } from './store/open.ts';
export type { ExperimentRecord, MetricSummary, ObservationRow, Store, TrialRecord } from './store/types.ts';
export { SuggestionHost } from './suggestion/host.ts';
export { registerAlgorithm, runnableAlgorithmNames } from './suggestion/registry.ts';
export type { ExecutorResult, TrialContext, TrialExecutor } from './trial/executor.ts';
export {
  InProcessExecutor,
  type Metrics,
  type Objective,
  type ObjectiveContext,
  type Report,
} from './trial/inProcess.ts';
export { LocalProcessExecutor } from './trial/localProcess.ts';
