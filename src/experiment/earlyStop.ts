import { decideEarlyStop } from '../search/earlyStopping/rules.ts';
import type { EarlyStoppingAlgorithm, ObjectiveSpec, Settings, TrialView } from '../search/types.ts';
import type { StopReason } from '../trial/executor.ts';

/** An early-stopping algorithm with its settings, as the experiment's spec configures it. */
export interface EarlyStoppingConfig {
  readonly algorithm: EarlyStoppingAlgorithm;
  readonly settings: Settings;
}

/**
 * Evaluates every early-stopping algorithm's current rules on a running trial that just reported a new objective
 * value; the first `stop` wins. Returns why to stop it, or undefined to let it run. Katib enforces the rules next
 * to the trial (its metrics collector); the controller calls this from the trial's report callback.
 */
export function earlyStopReason(
  rules: readonly EarlyStoppingConfig[],
  objective: ObjectiveSpec,
  trials: readonly TrialView[],
  trial: TrialView,
): StopReason | undefined {
  for (const { algorithm, settings } of rules) {
    const d = decideEarlyStop(algorithm, { objective, trials, trial, settings });
    if (d.stop) {
      const detail = d.reason ?? (d.explain ? JSON.stringify(d.explain) : algorithm.name);
      return {
        kind: 'EarlyStopped',
        reason: 'TrialEarlyStopped',
        message: `Trial is early stopped by ${algorithm.name}: ${detail}`,
      };
    }
  }
  return undefined;
}
