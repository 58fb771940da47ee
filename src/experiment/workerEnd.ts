/**
 * What a worker (`hpo worker`, see worker.ts) stores when one of its trials ended: the trial judged as the single
 * controller judges it (derived metrics first, then every objective) and its last observations; the worker stores a
 * round's ends together, fenced by their leases (Store.endLeasedTrials).
 */
import type { StrategyName } from '../metrics/types.ts';
import type { ExperimentConfig } from '../spec/config.ts';
import type { ExperimentKey, ObservationRow, TrialPatch } from '../store/types.ts';
import type { SuggestionSource } from './claimAndLaunch.ts';
import type { DerivedMetrics } from './derivedMetrics.ts';
import type { LiveTrial } from './liveTrial.ts';
import { acceptsTextObjective, furtherObjectives, judgeTrial } from './outcome.ts';

/** What {@link trialEnd} judges. */
export interface EndedTrial {
  readonly experiment: ExperimentKey;
  readonly config: ExperimentConfig;
  readonly strategy: StrategyName;
  readonly host: SuggestionSource;
  /** The experiment's derived metrics, compiled (undefined for none). */
  readonly derived: DerivedMetrics | undefined;
  readonly name: string;
  /** The trial, whose executor returned (`live.result` is set). */
  readonly live: LiveTrial;
  readonly completedAt: string;
}

/** What {@link trialEnd} found: the trial's rows not written yet, and its end. */
export interface TrialEnd {
  /** Written before the end, with the rows and ends of the other trials that ended in the same round. */
  readonly rows: readonly ObservationRow[];
  /** The trial's end as stored. */
  readonly patch: TrialPatch;
}

/**
 * Judges the ended trial now and returns its end, which the worker stores under its lease with the round's other
 * ends (Store.endLeasedTrials). Its buffered rows are taken now: they go with the end.
 */
export async function trialEnd(e: EndedTrial): Promise<TrialEnd> {
  const { live } = e;
  const result = live.result;
  if (result === undefined) throw new Error(`trial ${e.name} has not ended`);
  e.derived?.apply(live.metrics);
  const outcome = judgeTrial(
    result,
    live.signal,
    live.metrics,
    e.strategy,
    furtherObjectives(e.config),
    await acceptsTextObjective(live.metrics, e.host),
  );
  const exitCode = result.exitCode;
  const rows = live.metrics.drain();
  const metrics = live.metrics.summary();
  const patch: TrialPatch = {
    ...outcome,
    metrics,
    completedAt: e.completedAt,
    ...(exitCode === undefined ? {} : { exitCode }),
  };
  return { rows, patch };
}
