/**
 * hpo-workbench: Katib-compatible hyperparameter tuning. Explicit named exports only; heavy integrations
 * live behind subpath exports.
 */
export { ErrorCode, throwIfIssues, WorkbenchError } from './common/errors.ts';
export { errorsOnly, formatIssue, type Issue } from './common/issue.ts';
export {
  type ControllerOptions,
  ExperimentController,
  type Progress,
  type StepReport,
  type StepState,
  type SuggestionSource,
} from './experiment/controller.ts';
export { type ControllerReport, controllerReport, describeLockHolder } from './experiment/controllerReport.ts';
export { deleteExperiment } from './experiment/deleteExperiment.ts';
export { type AskedTrial, Experiment, type ExperimentOptions, type RunOptions } from './experiment/experiment.ts';
export { type JoinOptions, type JoinSettings, joinExperiment } from './experiment/join.ts';
export { dominates, type ObjectiveDirection, paretoFrontIndices } from './experiment/pareto.ts';
export { type ParetoMember, paretoFront, trialValues } from './experiment/paretoFront.ts';
export { applyBudget, type BudgetEdit, checkExperiment, parseForThisInstallation } from './experiment/prepare.ts';
export { type PreviewTrial, previewTrials } from './experiment/preview.ts';
export { ExperimentReader, type ReaderChanges } from './experiment/reader.ts';
export {
  bestTrial,
  type ExperimentResult,
  experimentResult,
  severalObjectives,
  type TrialSummary,
} from './experiment/report.ts';
export { describeSpecChanges, type SpecChange, specChanges } from './experiment/specChanges.ts';
export { countTrials, ExperimentReason, type TrialCounts, type Verdict } from './experiment/status.ts';
export {
  readWinner,
  readWinnerArtifacts,
  type WinnerDocument,
  type WinnerSource,
  type WinnerTemplate,
  winnerDocument,
  winnerTemplate,
} from './experiment/winner.ts';
export { ExperimentWorker, type WorkerOptions, type WorkerSummary, workerHeartbeatMs } from './experiment/worker.ts';
export {
  drawFeasible,
  type Feasibility,
  feasibilityOf,
  infeasibleError,
  maxInfeasibleDraws,
  type ParameterConstraint,
} from './search/constraints.ts';
export { decideEarlyStop, evaluateRules, type RuleVerdict } from './search/earlyStopping/rules.ts';
export {
  type CompiledExpression,
  compileExpression,
  type ExpressionProblem,
  type ExpressionValue,
  loadParser,
  type ParseFunction,
  type ValueType,
} from './search/expression.ts';
export { builtinAlgorithms } from './search/index.ts';
export {
  type Architecture,
  dartsTrialParameters,
  type EnasOperation,
  enasOperations,
  enasTrialParameters,
  type NasOperation,
  type NasParameter,
  type NasSpace,
  sampleArchitecture,
} from './search/nas/index.ts';
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
export {
  type CollectorConfig,
  configOf,
  type ExperimentConfig,
  type MetricStrategyName,
  objectivesOf,
  type ParsedExperiment,
  parseExperiment,
  type ResolvedObjectives,
  type SeedPolicy,
  seedPolicyOf,
  statelessSeed,
  suggestRequest,
} from './spec/config.ts';
export {
  type BuildManifestOptions,
  buildManifest,
  type CheckedAlgorithmName,
  type CheckedEarlyStoppingName,
  type ExperimentDefinition,
  type ListParameter,
  type NamedParameter,
  type SettingsInput,
  search,
} from './spec/create.ts';
export { applyDefaults } from './spec/defaults.ts';
export { loadExperimentFile, loadExperiments } from './spec/load.ts';
export {
  type OptimizationJobManifest,
  type OptimizationJobReading,
  type OptimizationJobWriting,
  readOptimizationJob,
  type ToOptimizationJobOptions,
  toOptimizationJob,
} from './spec/optimizationJob/index.ts';
export { applyScheduling, bakeScheduling, kueueQueueLabel, type TrialScheduling } from './spec/scheduling.ts';
export { toSearchSpace } from './spec/searchSpace.ts';
export { renderTrialSpec } from './spec/template.ts';
export type {
  AlgorithmName,
  EarlyStoppingName,
  ParameterInput,
  ParameterValueOf,
  ParamsOf,
  RegisteredAlgorithmName,
} from './spec/typedParameters.ts';
export type {
  AdditionalObjective,
  DerivedMetric,
  ExperimentManifest,
  ExperimentSpec,
  ParameterConstraintSpec,
  ParameterSpec,
} from './spec/types.ts';
export { validateExperiment } from './spec/validate.ts';
export type { StoreDamage } from './store/codec.ts';
export { type LockStatus, lockStatus } from './store/lockStatus.ts';
export { openStore, openStoreForReading } from './store/open.ts';
export { SqliteStore } from './store/sqliteStore.ts';
export {
  type ChangeKind,
  type ChangePage,
  type ChangeRow,
  defaultNamespace,
  describeExperimentKey,
  type EventRow,
  type ExperimentKey,
  type ExperimentLock,
  type ExperimentPatch,
  type ExperimentRecord,
  type ExperimentRef,
  experimentKey,
  type MetricSummary,
  type ObservationQuery,
  type ObservationRow,
  type Store,
  type StoredObservation,
  type TrialPatch,
  type TrialRecord,
} from './store/types.ts';
export { SuggestionHost } from './suggestion/host.ts';
export {
  earlyStoppingNames,
  knownAlgorithmNames,
  registerAlgorithm,
  runnableAlgorithmNames,
} from './suggestion/registry.ts';
export {
  type ArtifactKind,
  type ArtifactRecord,
  artifactKind,
  artifactKinds,
  artifactManifestName,
  readArtifactRecord,
  scanArtifacts,
} from './trial/artifacts.ts';
export type {
  ExecutorResult,
  ExperimentSource,
  StopReason,
  TrialContext,
  TrialExecutor,
  TrialHandle,
  TrialOutputListener,
} from './trial/executor.ts';
export { type RunningTrial, startTrial } from './trial/handle.ts';
export {
  InProcessExecutor,
  type Metrics,
  type Objective,
  type ObjectiveContext,
  type Report,
} from './trial/inProcess.ts';
export { localRunProblems } from './trial/localPreflight.ts';
export { LocalProcessExecutor, type LocalProcessExecutorOptions } from './trial/localProcess.ts';
export { copyLogRange, logSize } from './trial/logFile.ts';
export { type RunTrialOptions, runTrial } from './trial/runTrial.ts';
export { ExperimentWorkspace, type ReplicaLog } from './trial/workspace.ts';
