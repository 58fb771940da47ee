/**
 * Emits a Trainer OptimizationJob from a Katib Experiment (`hpo convert --to optimizationjob`). What the
 * OptimizationJob cannot say is either refused (an issue: the job would mean something else) or dropped with a
 * warning naming the Katib field, so nothing is lost silently.
 */
import type { Issue } from '../../common/issue.ts';
import { findPrimaryContainer } from '../containers.ts';
import { applyDefaults } from '../defaults.ts';
import { at, isRecord, type Obj } from '../read.ts';
import { kueueQueueLabel } from '../scheduling.ts';
import type { ExperimentManifest, ParameterSpec } from '../types.ts';
import { trainJobOfContainer } from './trainer.ts';
import { type OptimizationJobManifest, type OptimizationSearchSpace, optEnvName, optEnvPrefix } from './types.ts';

/** Options of {@link toOptimizationJob}. */
export interface ToOptimizationJobOptions {
  /** The ClusterTrainingRuntime a batch Job's container runs under (default `torch-distributed`). */
  readonly runtime?: string;
}

/** The OptimizationJob, and warnings for every Katib field it drops; or the issues that make it impossible. */
export type OptimizationJobWriting =
  | { ok: true; job: OptimizationJobManifest; warnings: Issue[] }
  | { ok: false; issues: Issue[] };

const maxChoices = 100; // the CRD's MaxItems for categorical choices, parameters and trials

function formatDouble(n: number): string {
  // String() never writes `+` or a leading `.`, so its output matches the CRD's Double pattern.
  return String(n);
}

/** Every value of a stepped range, or undefined past the CRD's 100 choices. */
function enumerate(min: number, max: number, step: number): string[] | undefined {
  const count = Math.floor((max - min) / step + 1e-9) + 1;
  if (count > maxChoices) return undefined;
  return Array.from({ length: count }, (_, i) => formatDouble(Number((min + i * step).toPrecision(12))));
}

function searchSpaceOf(
  p: ParameterSpec,
  grid: boolean,
  path: string,
  issues: Issue[],
): OptimizationSearchSpace | undefined {
  const fs = p.feasibleSpace;
  if (p.parameterType === 'categorical' || p.parameterType === 'discrete') {
    return { categorical: { choices: [...new Set((fs.list ?? []).map(String))] } };
  }
  const min = Number(fs.min);
  const max = Number(fs.max);
  const int = p.parameterType === 'int';
  // Katib takes min = max (one value); the CRD's ranges need min < max, so one value is one choice.
  if (min === max) return { categorical: { choices: [formatDouble(min)] } };
  const stepText = fs.step;
  const step = stepText === undefined || stepText === '' ? (int && grid ? 1 : undefined) : Number(stepText);
  // OptimizationJob has no step: a stepped range (and any range under grid search) becomes its list of values.
  if (step !== undefined && !(int && step === 1 && !grid)) {
    const choices = enumerate(min, max, step);
    if (choices) return { categorical: { choices } };
    issues.push({
      path: at(path, 'feasibleSpace'),
      message: `a stepped range becomes categorical choices in an OptimizationJob, and this one has more than ${maxChoices} values.`,
      fix: 'Use a larger step, or drop the step (random search only).',
    });
    return undefined;
  }
  if (grid) {
    issues.push({
      path: at(path, 'feasibleSpace.step'),
      message:
        'grid search in an OptimizationJob takes only categorical parameters, and a double without a step has no values to list.',
      fix: 'Give the parameter a step.',
    });
    return undefined;
  }
  if (fs.distribution === 'normal' || fs.distribution === 'logNormal') {
    issues.push({
      path: at(path, 'feasibleSpace.distribution'),
      message: `OptimizationJob has no ${fs.distribution} distribution (only uniform and logUniform).`,
      fix: 'Use uniform or logUniform.',
    });
    return undefined;
  }
  const range = { min: formatDouble(min), max: formatDouble(max), type: int ? ('Int' as const) : ('Float' as const) };
  return fs.distribution === 'logUniform' ? { logUniform: range } : { uniform: range };
}

function warn(warnings: Issue[], path: string, message: string): void {
  warnings.push({ path, message, severity: 'warning' });
}

/** Katib-only features with no OptimizationJob field: each present one is dropped with a warning. */
function dropped(m: ExperimentManifest, warnings: Issue[]): void {
  const s = m.spec;
  const o = s.objective;
  if (o?.goal !== undefined)
    warn(warnings, 'spec.objective.goal', 'dropped: an OptimizationJob has no goal and runs every trial.');
  if (o?.additionalMetricNames?.length)
    warn(warnings, 'spec.objective.additionalMetricNames', 'dropped: an OptimizationJob records one metric.');
  if (o?.metricStrategies?.length)
    warn(warnings, 'spec.objective.metricStrategies', "dropped: Trainer reads the TrainJob's latest reported value.");
  if (s.earlyStopping) warn(warnings, 'spec.earlyStopping', 'dropped: an OptimizationJob has no early stopping.');
  if (s.maxFailedTrialCount !== undefined)
    warn(warnings, 'spec.maxFailedTrialCount', 'dropped: an OptimizationJob has no failure budget.');
  if (s.metricsCollectorSpec)
    warn(
      warnings,
      'spec.metricsCollectorSpec',
      "dropped: Trainer takes metrics from the TrainJob's progress API (trainerStatus).",
    );
  if (s.resumePolicy !== undefined && s.resumePolicy !== 'Never')
    warn(warnings, 'spec.resumePolicy', 'dropped: an OptimizationJob cannot be resumed.');
  const t = s.trialTemplate;
  for (const k of ['successCondition', 'failureCondition', 'primaryPodLabels', 'retain'] as const) {
    if (t?.[k] !== undefined)
      warn(warnings, `spec.trialTemplate.${k}`, "dropped: Trainer judges a trial by the TrainJob's conditions.");
  }
}

/** Replaces `${trialParameters.x}` by `$(KUBEFLOW_TRAINER_OPT_<REF>)`, which Kubernetes expands in command/args. */
function rewriteText(text: string, refs: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{trialParameters\.([^}]+)\}/g, (whole, name: string) => {
    const ref = refs.get(name);
    return ref === undefined ? whole : `$(${optEnvName(ref)})`;
  });
}

function rewriteTrainer(spec: Obj, refs: ReadonlyMap<string, string>): void {
  const trainer = isRecord(spec.trainer) ? spec.trainer : undefined;
  if (!trainer) return;
  for (const k of ['command', 'args'] as const) {
    if (Array.isArray(trainer[k]))
      trainer[k] = trainer[k].map((a) => (typeof a === 'string' ? rewriteText(a, refs) : a));
  }
  // The variables `hpo run` adds when it reads an OptimizationJob: Trainer's controller sets them itself.
  if (Array.isArray(trainer.env)) {
    trainer.env = trainer.env.filter(
      (e) => !(isRecord(e) && typeof e.name === 'string' && e.name.startsWith(optEnvPrefix)),
    );
    if ((trainer.env as unknown[]).length === 0) delete trainer.env;
  }
}

function templateOf(m: ExperimentManifest, opts: ToOptimizationJobOptions, issues: Issue[], warnings: Issue[]) {
  const t = m.spec.trialTemplate;
  const path = 'spec.trialTemplate';
  if (!t?.trialSpec) {
    issues.push({
      path,
      message: 'an OptimizationJob needs the trial spec written out (a ConfigMap template cannot be carried).',
      fix: 'Inline the template as trialSpec.',
    });
    return undefined;
  }
  const refs = new Map((t.trialParameters ?? []).map((p) => [p.name, p.reference]));
  const ts = t.trialSpec;
  let out: { metadata?: Obj; spec: Obj };
  if (ts.kind === 'TrainJob') {
    const meta = isRecord(ts.metadata) ? { ...ts.metadata } : undefined;
    if (meta) {
      delete meta.name;
      delete meta.namespace;
    }
    const spec = structuredClone(isRecord(ts.spec) ? ts.spec : {});
    out = { ...(meta && Object.keys(meta).length > 0 ? { metadata: meta } : {}), spec };
  } else if (ts.kind === 'Job' && ts.apiVersion === 'batch/v1') {
    const found = findPrimaryContainer(ts, t.primaryContainerName ?? '');
    if (!found) {
      issues.push({
        path: `${path}.primaryContainerName`,
        message: 'the Job has no container of that name to run as the trainer.',
      });
      return undefined;
    }
    out = { spec: trainJobOfContainer(ts, found.container, opts.runtime ?? 'torch-distributed', warnings) };
  } else {
    issues.push({
      path: `${path}.trialSpec.kind`,
      message: `an OptimizationJob runs TrainJob trials only, not ${String(ts.kind)}.`,
      fix: 'Write the trial as a Trainer TrainJob (runtimeRef + trainer), or as a batch/v1 Job to run under a runtime.',
    });
    return undefined;
  }
  rewriteTrainer(out.spec, refs);
  // Kueue admits a TrainJob by its queue label, which the template's metadata carries to every trial.
  if (t.scheduling?.queueName !== undefined) {
    const labels = isRecord(out.metadata?.labels) ? out.metadata.labels : {};
    out.metadata = { ...out.metadata, labels: { ...labels, [kueueQueueLabel]: t.scheduling.queueName } };
  }
  const left = JSON.stringify(out.spec).match(/\$\{trial(Parameters|Spec)\.[^}]*\}/);
  if (left) {
    issues.push({
      path: `${path}.trialSpec`,
      message: `${left[0]} is used outside the trainer's command and args; an OptimizationJob can pass values only as $(${optEnvPrefix}<NAME>) there.`,
      fix: 'Move the value into the trainer command or args.',
    });
  }
  return out;
}

/**
 * The OptimizationJob for a Katib Experiment (already validated; Katib's defaults are applied here):
 * objective → objectives[0], random/grid → searchAlgorithm, parameters → searchSpace (stepped ranges as
 * categorical choices), maxTrialCount/parallelTrialCount → numTrials/parallelTrials, TrainJob or batch Job → trainJobTemplate.
 */
export function toOptimizationJob(
  raw: ExperimentManifest,
  opts: ToOptimizationJobOptions = {},
): OptimizationJobWriting {
  const issues: Issue[] = [];
  const warnings: Issue[] = [];
  // What the user wrote decides the warnings (Katib's defaults would warn about fields nobody set); the defaulted
  // copy decides the values (parallelTrialCount 3).
  dropped(raw, warnings);
  const m = applyDefaults(raw);
  const s = m.spec;
  if (s.objective?.additionalObjectives?.length)
    issues.push({
      path: 'spec.objective.additionalObjectives',
      message: 'an OptimizationJob optimises exactly one objective.',
    });
  if (s.nasConfig)
    issues.push({ path: 'spec.nasConfig', message: 'an OptimizationJob has no neural architecture search.' });
  const name = s.algorithm?.algorithmName ?? 'random';
  const grid = name === 'grid';
  let seed: number | undefined;
  for (const [i, st] of (s.algorithm?.algorithmSettings ?? []).entries()) {
    // random_state seeds whichever algorithm Katib runs; it seeds the random search written in its place.
    if (st.name === 'random_state') seed = Number(st.value);
    else warn(warnings, `spec.algorithm.algorithmSettings[${i}]`, `dropped: ${st.name} has no OptimizationJob field.`);
  }
  if (name !== 'random' && name !== 'grid')
    warn(
      warnings,
      'spec.algorithm.algorithmName',
      `${name} has no OptimizationJob equivalent (random or grid): random search is written.`,
    );
  const parameters: OptimizationJobManifest['spec']['parameters'] = [];
  const envNames = new Map<string, string>();
  (s.parameters ?? []).forEach((p, i) => {
    const env = optEnvName(p.name);
    const other = envNames.get(env);
    if (other !== undefined)
      issues.push({
        path: `spec.parameters[${i}].name`,
        message: `${p.name} and ${other} would both reach the trial as ${env}.`,
        fix: 'Rename one of them.',
      });
    envNames.set(env, p.name);
    const space = searchSpaceOf(p, grid, `spec.parameters[${i}]`, issues);
    if (space) parameters.push({ name: p.name, searchSpace: space });
  });
  const max = s.maxTrialCount;
  if (max === undefined || max > maxChoices)
    issues.push({
      path: 'spec.maxTrialCount',
      message: `an OptimizationJob runs 1 to ${maxChoices} trials, got ${max ?? 'no limit'}.`,
      fix: `Set maxTrialCount to at most ${maxChoices}.`,
    });
  const template = templateOf(m, opts, issues, warnings);
  const objective = s.objective;
  if (issues.length > 0 || !template || !objective || max === undefined) return { ok: false, issues };
  // The user's metadata, not the defaulted one: a job written without a namespace goes where it is applied.
  const meta: OptimizationJobManifest['metadata'] = { name: raw.metadata.name };
  for (const k of ['namespace', 'labels', 'annotations'] as const)
    if (raw.metadata[k] !== undefined) Object.assign(meta, { [k]: raw.metadata[k] });
  const job: OptimizationJobManifest = {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'OptimizationJob',
    metadata: meta,
    spec: {
      objectives: [
        { metric: objective.objectiveMetricName, direction: objective.type === 'maximize' ? 'Maximize' : 'Minimize' },
      ],
      searchAlgorithm: grid ? { grid: {} } : { random: seed !== undefined ? { seed } : {} },
      parameters,
      numTrials: max,
      // Katib never runs more at once than it may run in all; the CRD's rule says so outright.
      parallelTrials: Math.min(s.parallelTrialCount ?? 3, max),
      trainJobTemplate: template,
    },
  };
  return { ok: true, job, warnings };
}
