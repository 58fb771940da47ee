import type { Issue } from '../../common/issue.ts';
import { parseIntText } from '../settings.ts';
import type { Settings } from '../types.ts';
import { earlyStoppingSettingPath } from './settings.ts';

/** The parsed settings of {@link MedianStopRule}. */
export interface MedianStopSettings {
  /** How many completed trials must have reached the step before the rule can stop anything (Katib default 3). */
  readonly minTrialsRequired: number;
  /** The number of reports a trial makes before the rule first looks at it (Katib default 4). */
  readonly startStep: number;
}

/** Katib's defaults (`pkg/earlystopping/v1beta1/medianstop/service.py`). */
export const medianStopDefaults: MedianStopSettings = { minTrialsRequired: 3, startStep: 4 };

/** Each setting: the field it sets, its lower bound, and Katib's message when the bound is broken. */
const bounds = {
  min_trials_required: {
    key: 'minTrialsRequired',
    min: 1,
    message: 'min_trials_required must be greater than zero (>0)',
  },
  start_step: { key: 'startStep', min: 1, message: 'start_step must be greater or equal than one (>=1)' },
} as const;

/**
 * Validates medianstop's settings with Katib's messages: `min_trials_required` an int > 0, `start_step` an
 * int ≥ 1, any other name "unknown setting X for algorithm medianstop". Missing settings take the defaults.
 */
export function parseMedianStopSettings(settings: Settings): { values: MedianStopSettings; issues: Issue[] } {
  const issues: Issue[] = [];
  const values = { ...medianStopDefaults };
  for (const [name, text] of Object.entries(settings)) {
    const bound = Object.hasOwn(bounds, name) ? bounds[name as keyof typeof bounds] : undefined;
    if (bound === undefined) {
      issues.push({
        path: earlyStoppingSettingPath(settings, name, 'name'),
        message: `unknown setting ${name} for algorithm medianstop`,
        fix: 'Use one of: min_trials_required, start_step.',
      });
      continue;
    }
    const n = parseIntText(String(text));
    if (n !== undefined && n >= bound.min) {
      values[bound.key] = n;
      continue;
    }
    // Katib's int() raises on "two" or "1.5"; say plainly that an integer is wanted.
    const message = n === undefined ? `${name} must be an integer, got ${JSON.stringify(text)}` : bound.message;
    issues.push({ path: earlyStoppingSettingPath(settings, name, 'value'), message });
  }
  return { values, issues };
}
