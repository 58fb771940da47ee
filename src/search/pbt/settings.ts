import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { Issue } from '../../common/issue.ts';
import {
  parseFloatText,
  parseIntText,
  parseSettings,
  randomStateRule,
  type SettingRules,
  seedFrom,
  settingPath,
} from '../settings.ts';
import type { Settings, ValidationContext } from '../types.ts';

/**
 * Katib's `pbt` settings (REFERENCE.md §2.1): `suggestion_trial_dir`, `n_population` and `truncation_threshold`
 * are required, `resample_probability` is optional; we add `random_state` and `n_generations`. Messages are
 * Katib's where it has them. Two differences: `resample_probability` is parsed as a number (Katib compares the
 * raw string with ints and so rejects every value), and unknown names are reported as warnings (Katib's pbt
 * service ignores them silently, so a misspelt optional setting would otherwise go unnoticed).
 */

/** Settings Katib requires, in the order its "Required params missing" message lists them. */
export const requiredPbtSettings: readonly string[] = ['suggestion_trial_dir', 'n_population', 'truncation_threshold'];

/** The smallest population Katib accepts. */
export const minPopulation = 5;

/** Parsed `pbt` settings. */
export interface PbtSettings {
  /** Where the trial sees its checkpoint directory (the controller maps it to the real one). */
  readonly trialDir: string;
  readonly population: number;
  /** The fraction of each generation that is replaced (exploited) and the fraction it copies from. */
  readonly truncation: number;
  /** When set, exploring resamples each parameter with this probability instead of perturbing it. */
  readonly resample?: number;
  /** When set, the search is exhausted once this many generations (generation 0 included) are complete. */
  readonly generations?: number;
  readonly seed: number;
}

const ownRules: SettingRules = { random_state: randomStateRule, n_generations: { type: 'int', min: 1 } };
const knownNames: readonly string[] = [...requiredPbtSettings, 'resample_probability', ...Object.keys(ownRules)];

const unitMessage = {
  truncation_threshold: 'Param(truncation_threshold) should be between 0 and 1, inclusive',
  resample_probability:
    'Param(resample_probability) should be null to perturb at 0.8 or 1.2, or be between 0 and 1, inclusive, to resample',
} as const;

function unitValue(settings: Settings, name: keyof typeof unitMessage, issues: Issue[]): number | undefined {
  const text = settings[name];
  if (text === undefined) return undefined;
  const value = parseFloatText(text);
  if (value !== undefined && value >= 0 && value <= 1) return value;
  issues.push({
    path: settingPath(settings, name, 'value'),
    message: unitMessage[name],
    fix: `Set a number from 0 to 1 such as 0.2 (got ${JSON.stringify(text)}).`,
  });
  return undefined;
}

function populationValue(settings: Settings, issues: Issue[]): number | undefined {
  const text = settings.n_population;
  if (text === undefined) return undefined;
  const value = parseIntText(text);
  if (value !== undefined && value >= minPopulation) return value;
  issues.push({
    path: settingPath(settings, 'n_population', 'value'),
    // Katib's message for a small value; Katib's int() raises on other text, which we word ourselves.
    message:
      value === undefined
        ? `Param(n_population) should be an integer >= ${minPopulation}, got ${JSON.stringify(text)}`
        : `Param(n_population) should be >= ${minPopulation}`,
  });
  return undefined;
}

/** Checks the settings and returns the parsed values with every problem found (warnings included). */
export function parsePbtSettings(settings: Settings, requestSeed = 0): { values?: PbtSettings; issues: Issue[] } {
  const issues: Issue[] = [];
  const missing = requiredPbtSettings.filter((name) => !Object.hasOwn(settings, name));
  if (missing.length > 0) {
    issues.push({
      path: 'spec.algorithm.algorithmSettings',
      message: `Required params missing: ${missing.join(', ')}`,
      fix: 'Add them, e.g. suggestion_trial_dir: /var/log/katib/checkpoints/, n_population: "10", truncation_threshold: "0.2".',
    });
  }
  const trialDir = settings.suggestion_trial_dir;
  if (trialDir !== undefined && trialDir.trim() === '') {
    issues.push({
      path: settingPath(settings, 'suggestion_trial_dir', 'value'),
      message: 'Param(suggestion_trial_dir) should be a path, got an empty value',
      fix: 'Give the path the trial reads and writes its checkpoint at, e.g. /var/log/katib/checkpoints/.',
    });
  }
  const population = populationValue(settings, issues);
  const truncation = unitValue(settings, 'truncation_threshold', issues);
  const resample = unitValue(settings, 'resample_probability', issues);
  const own = parseSettings('pbt', settings, ownRules, { unknown: 'ignore' });
  issues.push(...own.issues);
  for (const name of Object.keys(settings)) {
    if (knownNames.includes(name)) continue;
    issues.push({
      path: settingPath(settings, name, 'name'),
      message: `unknown setting ${name} for algorithm pbt (ignored, as Katib does)`,
      fix: `Use one of: ${knownNames.join(', ')}.`,
      severity: 'warning',
    });
  }
  if (issues.some((i) => i.severity !== 'warning')) return { issues };
  const generations = own.values.n_generations;
  const values: PbtSettings = {
    trialDir: trialDir as string,
    population: population as number,
    truncation: truncation as number,
    seed: seedFrom(own.values, requestSeed),
    ...(resample === undefined ? {} : { resample }),
    ...(typeof generations === 'number' ? { generations } : {}),
  };
  return { values, issues };
}

/** Katib's ValidateAlgorithmSettings for pbt, plus a warning when `maxTrialCount` cannot fill one generation. */
export function validatePbt(settings: Settings, ctx: ValidationContext): Issue[] {
  const { values, issues } = parsePbtSettings(settings);
  if (values !== undefined && ctx.maxTrialCount !== undefined && ctx.maxTrialCount < values.population) {
    issues.push({
      path: 'spec.maxTrialCount',
      message: `maxTrialCount ${ctx.maxTrialCount} is smaller than n_population ${values.population}: the first generation never completes, so PBT never exploits or explores`,
      fix: `Raise maxTrialCount to a multiple of n_population (e.g. ${values.population * 4}) or lower n_population.`,
      severity: 'warning',
    });
  }
  return issues;
}

/** The settings of a request; throws `invalidArgument` with the issues when they are not valid. */
export function readPbtSettings(settings: Settings, requestSeed: number): PbtSettings {
  const { values, issues } = parsePbtSettings(settings, requestSeed);
  if (values === undefined) {
    throw new WorkbenchError(ErrorCode.invalidArgument, 'invalid settings for algorithm pbt', {
      issues: issues.filter((i) => i.severity !== 'warning'),
    });
  }
  return values;
}
