/**
 * The winner document: everything another tool needs to take the best trial further (retrain it in a pipeline,
 * serve its model) without reading the store itself. `hpo best -o json|yaml` prints it, `ExperimentReader.winner()`
 * returns it, and `hpo-workbench/kfp` builds its pipeline from the same record.
 */

import { join } from 'node:path';
import { WorkbenchError } from '../common/errors.ts';
import type { Assignment } from '../search/space.ts';
import type { ObjectiveSpec } from '../search/types.ts';
import { renderTrialSpec } from '../spec/template.ts';
import type { ConfigMapSource, TrialParameterSpec } from '../spec/types.ts';
import type { ExperimentRecord, ExperimentRef, MetricSummary, Store, TrialRecord } from '../store/types.ts';
import { type ArtifactRecord, readArtifactRecord } from '../trial/artifacts.ts';
import { ExperimentWorkspace } from '../trial/workspace.ts';
import { type ParetoMember, paretoFront } from './paretoFront.ts';
import { bestTrial, severalObjectives, textObjectiveOf } from './report.ts';

/** The trial template the winner ran with. */
export interface WinnerTemplate {
  readonly primaryContainerName: string;
  readonly trialParameters: readonly TrialParameterSpec[];
  /**
   * The trial's job as every executor renders it first (Katib's substitution with the winning values, name and
   * namespace set; the Kubernetes backend then adds its labels); null when the template lives in a ConfigMap,
   * whose text the store does not keep.
   */
  readonly trialSpec: Record<string, unknown> | null;
  /** The ConfigMap the template was read from, when it was. */
  readonly configMap?: ConfigMapSource;
  /** Why `trialSpec` is null for an inline template: rendering it with the stored values failed (a damaged row). */
  readonly renderError?: string;
}

/** The best trial of an experiment with all it knows: parameters, every metric, its template, where it ran. */
export interface WinnerDocument {
  readonly experiment: string;
  readonly namespace: string;
  /** The trial's name. */
  readonly name: string;
  readonly state: string;
  readonly parameters: Assignment;
  /** The objective metric's value per its strategy (as `hpo best` always printed it); NaN (null in JSON) for text. */
  readonly objective: number;
  /** The objective's latest text, for an algorithm that takes a text objective (DARTS's `Best-Genotype`). */
  readonly objectiveText?: string;
  readonly objectiveMetricName: string;
  readonly objectiveType: 'minimize' | 'maximize';
  /** Every metric the trial reported, with min, max and latest as stored. */
  readonly metrics: readonly MetricSummary[];
  /** Null when trials were calls in this process (`optimize()`, ask/tell): there is nothing to run again. */
  readonly trialTemplate: WinnerTemplate | null;
  /** The trial's working folder, when it ran as a local process. */
  readonly workDir?: string;
  /** The trial's log (its stdout and stderr), when it ran as a local process. */
  readonly logPath?: string;
  /**
   * The files the trial left in its artifacts folder (`HPO_ARTIFACTS_DIR`), with kind and sha256 as recorded when it
   * ended (and `uri` for a Kubernetes trial's); empty when it left none or its executor keeps no artifacts folder.
   */
  readonly artifacts: readonly ArtifactRecord[];
  readonly startedAt?: string;
  readonly completedAt?: string;
  /**
   * With several objectives (`additionalObjectives`): every objective, primary first. The winner above is still the
   * primary objective's best, so a pipeline that retrains "the best trial" keeps one answer.
   */
  readonly objectives?: readonly ObjectiveSpec[];
  /** With several objectives: the Pareto front, each trial with its values, for choosing another trade-off. */
  readonly paretoFront?: readonly ParetoMember[];
}

/** What {@link winnerDocument} reads: the experiment, its winning trial, and the store folder for paths. */
export interface WinnerSource {
  readonly experiment: ExperimentRecord;
  readonly trial: TrialRecord;
  /** The store's folder; with it a local trial's log path is given. */
  readonly storeRoot?: string;
  /** The trial's recorded artifacts (read with {@link readWinnerArtifacts}); none when not given. */
  readonly artifacts?: readonly ArtifactRecord[];
  /** Every trial of the experiment: with several objectives the document carries their Pareto front. */
  readonly trials?: readonly TrialRecord[];
}

/**
 * The recorded artifacts of a trial of `experiment` in the store folder `storeRoot`, their paths taken from where
 * the store is now (a store moved or copied since keeps working), except for files recorded with a `uri` (a
 * Kubernetes trial's), which are not on this machine; a record naming a file outside the trial's artifacts folder
 * (`..`, an absolute name: a tampered record) is left out.
 */
export async function readWinnerArtifacts(
  storeRoot: string,
  experiment: ExperimentRecord,
  trial: TrialRecord,
): Promise<ArtifactRecord[]> {
  const ws = new ExperimentWorkspace(storeRoot, experiment);
  const dir = ws.artifactsDir(trial.name);
  const checkpoints = ws.checkpointDir(trial.name);
  const records = await readArtifactRecord(ws.artifactRecordPath(trial.name));
  return (
    records
      .filter((a) => typeof a.name === 'string' && !a.name.startsWith('/') && !a.name.split('/').includes('..'))
      // A file with a URI lives elsewhere (a cluster's volume, an object store): its recorded path is the pod's.
      .map((a) =>
        typeof a.uri === 'string'
          ? a
          : { ...a, path: join(a.folder === 'checkpoint' ? checkpoints : dir, ...a.name.split('/')) },
      )
  );
}

/** The template of `experiment` rendered for `trial`, as the executor rendered it when the trial ran. */
export function winnerTemplate(experiment: ExperimentRecord, trial: TrialRecord): WinnerTemplate | null {
  const tt = experiment.manifest.spec.trialTemplate;
  if (tt === undefined || (tt.trialSpec === undefined && tt.configMap === undefined)) return null;
  const trialParameters = tt.trialParameters ?? [];
  const base = { primaryContainerName: tt.primaryContainerName ?? '', trialParameters };
  if (tt.trialSpec === undefined)
    return { ...base, trialSpec: null, ...(tt.configMap ? { configMap: tt.configMap } : {}) };
  try {
    const trialSpec = renderTrialSpec({
      template: tt.trialSpec,
      trialParameters,
      assignment: trial.params,
      trialName: trial.name,
      namespace: experiment.namespace,
    });
    return { ...base, trialSpec };
  } catch (e) {
    // A read command must still show the rest: the trial rendered when it ran, so only a damaged row gets here.
    if (!(e instanceof WorkbenchError)) throw e;
    return { ...base, trialSpec: null, renderError: e.message };
  }
}

/** The winner document of `trial` (normally the best trial; any trial with an objective works). */
export function winnerDocument(source: WinnerSource): WinnerDocument {
  const { experiment, trial } = source;
  const objective = experiment.manifest.spec.objective;
  const local = trial.workDir !== undefined && source.storeRoot !== undefined;
  const text = textObjectiveOf(experiment, trial);
  return {
    experiment: experiment.name,
    namespace: experiment.namespace,
    name: trial.name,
    state: trial.state,
    parameters: trial.params,
    objective: trial.objective ?? Number.NaN,
    ...(text === undefined ? {} : { objectiveText: text }),
    objectiveMetricName: objective?.objectiveMetricName ?? '',
    objectiveType: objective?.type ?? 'minimize',
    metrics: trial.metrics,
    trialTemplate: winnerTemplate(experiment, trial),
    ...(trial.workDir === undefined ? {} : { workDir: trial.workDir }),
    ...(local ? { logPath: new ExperimentWorkspace(source.storeRoot!, experiment).logPath(trial.name) } : {}),
    artifacts: source.artifacts ?? [],
    ...(trial.startedAt === undefined ? {} : { startedAt: trial.startedAt }),
    ...(trial.completedAt === undefined ? {} : { completedAt: trial.completedAt }),
    ...frontOf(experiment, source.trials),
  };
}

/** The objectives and Pareto front fields of the document: only with several objectives and the trials given. */
function frontOf(
  experiment: ExperimentRecord,
  trials: readonly TrialRecord[] | undefined,
): Pick<WinnerDocument, 'objectives' | 'paretoFront'> {
  const several = severalObjectives(experiment);
  if (several === undefined || trials === undefined) return {};
  return { objectives: several.objectives, paretoFront: paretoFront(several, trials) };
}

/** The winner document of a stored experiment, or undefined when no trial has the objective yet. */
export async function readWinner(store: Store, experiment: ExperimentRef): Promise<WinnerDocument | undefined> {
  const exp = await store.getExperiment(experiment);
  if (exp === undefined) return undefined;
  const trials = await store.listTrials(experiment);
  const trial = bestTrial(exp, trials);
  if (trial === undefined) return undefined;
  const artifacts = await readWinnerArtifacts(store.root, exp, trial);
  return winnerDocument({ experiment: exp, trial, storeRoot: store.root, artifacts, trials });
}
