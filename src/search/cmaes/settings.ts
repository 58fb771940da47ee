import type { Issue } from '../../common/issue.ts';
import { parseSettings, parseSettingsOrThrow, randomStateRule, type SettingRules, seedFrom } from '../settings.ts';
import type { SearchSpace } from '../space.ts';
import type { Settings } from '../types.ts';
import type { RestartStrategy } from './restart.ts';

/**
 * Katib's `cmaes` settings (REFERENCE.md §2.1, goptuna): `random_state`, `sigma`, `restart_strategy`. Unlike
 * Katib we check them all at validation time: goptuna accepts any `restart_strategy` there and then fails
 * every GetSuggestions call, and it silently ignores misspelt names; we reject both with a clear message.
 */

/**
 * The initial step size when `sigma` is not set: 1/6 of every range (Optuna uses 1/6 of the smallest range).
 * `sigma` is in unit-cube coordinates (every range is 1, log ranges in log space), not in a parameter's own units
 * as in goptuna, so one value fits parameters of any scale.
 */
export const defaultSigma: number = 1 / 6;

const rules: SettingRules = {
  random_state: randomStateRule,
  sigma: { type: 'float', min: 0, minExclusive: true },
  restart_strategy: { type: 'enum', values: ['none', 'ipop', 'bipop'] },
};

/** Parsed settings with defaults applied. */
export interface CmaesSettings {
  readonly seed: number;
  /** Initial step size in unit-cube coordinates (each parameter's range is 1). */
  readonly sigma: number;
  readonly restart: RestartStrategy;
}

/** Parses the settings of a request (throws `invalidArgument` listing every problem); the seed falls back to the request's. */
export function readSettings(settings: Settings, requestSeed: number): CmaesSettings {
  const values = parseSettingsOrThrow('cmaes', settings, rules);
  const sigma = typeof values.sigma === 'number' ? values.sigma : defaultSigma;
  const restart = (typeof values.restart_strategy === 'string' ? values.restart_strategy : 'none') as RestartStrategy;
  return { seed: seedFrom(values, requestSeed), sigma, restart };
}

/**
 * Katib's cmaes validation plus ours: setting names and values, duplicate parameter names, and at least two
 * int/double parameters ("CMA-ES only supports two or more dimensional continuous search space.").
 */
export function validateCmaes(settings: Settings, space: SearchSpace): Issue[] {
  const issues = parseSettings('cmaes', settings, rules).issues;
  const seen = new Map<string, number>();
  space.forEach((p, i) => {
    const first = seen.get(p.name);
    if (first === undefined) {
      seen.set(p.name, i);
      return;
    }
    issues.push({
      path: `spec.parameters[${i}].name`,
      message: `duplicate parameter name ${p.name} (also spec.parameters[${first}])`,
      fix: 'Give every parameter a unique name.',
    });
  });
  const numeric = space.filter((p) => p.domain.kind === 'int' || p.domain.kind === 'double').length;
  if (numeric < 2) {
    issues.push({
      path: 'spec.parameters',
      message: 'CMA-ES only supports two or more dimensional continuous search space.',
      fix: `Add int or double parameters (the experiment has ${numeric}), or use tpe or random search.`,
    });
  }
  return issues;
}
