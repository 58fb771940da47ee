import type { Issue } from '../../common/issue.ts';
import { parseSettings, parseSettingsOrThrow, randomStateRule, type SettingRules, seedFrom } from '../settings.ts';
import type { Settings } from '../types.ts';
import type { DensityMode } from './parzen.ts';

/**
 * Settings of Katib's two TPE services (REFERENCE.md §2.1). `tpe` takes hyperopt's names (`n_EI_candidates`
 * is case-sensitive), `multivariate-tpe` Optuna's (and, as in Katib, not Optuna's own `seed`: `random_state`
 * is the seed). Unknown names are rejected in both, as Katib's hyperopt and optuna services do.
 */

/** Trials drawn from the initial design before the model takes over, when nothing says otherwise. */
export const defaultStartup = 10;

const tpeRules: SettingRules = {
  gamma: { type: 'float', min: 0, max: 1, minExclusive: true, maxExclusive: true },
  prior_weight: { type: 'float', min: 0, minExclusive: true },
  n_EI_candidates: { type: 'int', min: 1 },
  random_state: randomStateRule,
};

const multivariateRules: SettingRules = {
  n_startup_trials: { type: 'int', min: 0 },
  n_ei_candidates: { type: 'int', min: 0 },
  random_state: randomStateRule,
};

/** Everything one TPE request needs to know, with defaults applied. */
export interface TpeConfig {
  /** The Katib algorithm name, also the key of every derived random stream. */
  readonly algorithm: string;
  /** `joint` (multivariate estimator) or `marginal` (one independent estimator per parameter). */
  readonly mode: DensityMode;
  readonly seed: number;
  readonly startup: number;
  readonly candidates: number;
  readonly priorWeight: number;
  /** The good group's quantile: ⌈γ·n⌉ of n observations, at most 25. */
  readonly gamma: number;
  /** Exponent of the good points' rank weights ((g − r)/g)^sharpness (see splitHistory). */
  readonly sharpness: number;
  /** The narrower of a local proposal's two kernel scales, relative to the best point's widths (see `localFocus`). */
  readonly localWidth: number;
}

/** The good quantile of both variants by default (hyperopt's default `gamma`, which also benchmarks best). */
export const defaultGamma = 0.25;

function num(values: Readonly<Record<string, number | string>>, name: string, fallback: number): number {
  const v = values[name];
  return typeof v === 'number' ? v : fallback;
}

/** Katib's validation of `tpe` settings: gamma in (0, 1), prior_weight > 0, n_EI_candidates ≥ 1, random_state ≥ 0. */
export function validateTpe(settings: Settings): Issue[] {
  return parseSettings('tpe', settings, tpeRules).issues;
}

/** Katib's validation of `multivariate-tpe` settings: n_startup_trials ≥ 0, n_ei_candidates ≥ 0, random_state ≥ 0. */
export function validateMultivariateTpe(settings: Settings): Issue[] {
  return parseSettings('multivariate-tpe', settings, multivariateRules).issues;
}

/**
 * `tpe` with hyperopt's defaults (gamma 0.25, prior_weight 1, 24 candidates). `gamma` is read as the TPE
 * paper's quantile, ⌈γ·n⌉ good points (at most 25), not hyperopt's ⌈γ·√n⌉, which keeps only 3 of 100 trials
 * and benchmarks far worse. Katib forces hyperopt's startup to the first request's size, which makes the
 * model's start depend on `parallelTrialCount`; we use a fixed {@link defaultStartup} trials instead.
 */
export function readTpe(settings: Settings, requestSeed: number): TpeConfig {
  const values = parseSettingsOrThrow('tpe', settings, tpeRules);
  return {
    algorithm: 'tpe',
    mode: 'marginal',
    seed: seedFrom(values, requestSeed),
    startup: defaultStartup,
    candidates: num(values, 'n_EI_candidates', 24),
    priorWeight: num(values, 'prior_weight', 1),
    gamma: num(values, 'gamma', defaultGamma),
    // Independent estimators blur the good region more than a joint one, so their good points lean harder on the best.
    sharpness: 3,
    localWidth: 0.5,
  };
}

/**
 * `multivariate-tpe` with Optuna's defaults (10 startup trials, 24 candidates, prior weight 1). Its good
 * quantile is {@link defaultGamma} rather than Optuna's ⌈0.1·n⌉: with rank-weighted good points it
 * benchmarks clearly better.
 */
export function readMultivariateTpe(settings: Settings, requestSeed: number): TpeConfig {
  const values = parseSettingsOrThrow('multivariate-tpe', settings, multivariateRules);
  return {
    algorithm: 'multivariate-tpe',
    mode: 'joint',
    seed: seedFrom(values, requestSeed),
    startup: num(values, 'n_startup_trials', defaultStartup),
    // Optuna accepts 0 candidates and then has nothing to rank; one draw from l(x) is the closest sensible reading.
    candidates: Math.max(1, num(values, 'n_ei_candidates', 24)),
    priorWeight: 1,
    gamma: defaultGamma,
    sharpness: 2,
    localWidth: 0.35,
  };
}
