import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { configOf, type ExperimentConfig } from '../spec/config.ts';
import { describeExperimentKey, type ExperimentRecord, type ObservationRow, type TrialRecord } from '../store/types.ts';
import type { ControllerOptions } from './controllerStages.ts';
import { type CurvePoint, storedCurve } from './trialBook.ts';

/** What {@link loadController} read from the store. */
export interface Loaded {
  readonly record: ExperimentRecord;
  readonly config: ExperimentConfig;
  readonly trials: readonly TrialRecord[];
  readonly curves: ReadonlyMap<string, CurvePoint[]>;
  readonly algorithmState: unknown;
}

/**
 * Reads the experiment, its trials, the objective curves of trials that ended and the algorithm state from the
 * store: what a controller starts from.
 */
export async function loadController(options: ControllerOptions): Promise<Loaded> {
  const { store, experiment } = options;
  const record = await store.getExperiment(experiment);
  if (!record) {
    throw new WorkbenchError(
      ErrorCode.notFound,
      `experiment '${describeExperimentKey(experiment)}' is not in the store`,
    );
  }
  if (!record.manifest.spec.objective) throw new WorkbenchError(ErrorCode.invalidSpec, 'spec.objective is required');
  const config = configOf(record.manifest);
  const metric = config.objectives[0]!.metricName;
  const trials = await store.listTrials(experiment);
  // Every trial's objective history in one bulk read (one query, not one per trial, on a resume of 10,000).
  const rows = new Map<string, ObservationRow[]>();
  for (const o of await store.getObservationsOf(experiment, { metric })) {
    const list = rows.get(o.trial);
    if (list === undefined) rows.set(o.trial, [o]);
    else list.push(o);
  }
  const curves = new Map(trials.map((t) => [t.name, storedCurve(rows.get(t.name) ?? [])]));
  const algorithmState = await store.loadAlgorithmState(experiment);
  return { record, config, trials, curves, algorithmState };
}
