import type { SettingRules } from '../settings.ts';

/**
 * BOHB's own settings, with HpBandSter's names and defaults (Falkner et al. 2018; hpbandster.optimizers.BOHB).
 * The schedule settings (r_l, resource_name, eta, r_min, loops, random_state) are Hyperband's.
 */

/** The rules of BOHB's model settings, parsed next to Hyperband's. */
export const bohbRules: SettingRules = {
  min_points_in_model: { type: 'int', min: 1 },
  top_n_percent: { type: 'int', min: 1, max: 99 },
  num_samples: { type: 'int', min: 1 },
  random_fraction: { type: 'float', min: 0, max: 1 },
  bandwidth_factor: { type: 'float', min: 0, minExclusive: true },
  min_bandwidth: { type: 'float', min: 0, minExclusive: true },
};

/** How BOHB's model is fitted and used, with defaults applied. */
export interface BohbOptions {
  /** Observations each of the good and bad KDE needs before a budget's model is used (default d+1). */
  readonly minPoints: number;
  /** The share of a budget's observations that forms the good KDE, in percent (15). */
  readonly topNPercent: number;
  /** Candidates drawn from the good KDE per proposal (64). */
  readonly numSamples: number;
  /** The chance that a proposal is drawn at random instead, so the model never stops exploring (1/3). */
  readonly randomFraction: number;
  /** How much wider than the good KDE the candidates are drawn (3). */
  readonly bandwidthFactor: number;
  /** The smallest bandwidth of any coordinate (1e-3). */
  readonly minBandwidth: number;
}

function num(values: Readonly<Record<string, number | string>>, name: string, fallback: number): number {
  const v = values[name];
  return typeof v === 'number' ? v : fallback;
}

/** BOHB's options from parsed settings, for a model over `dimensions` coordinates (the resource left out). */
export function bohbOptions(values: Readonly<Record<string, number | string>>, dimensions: number): BohbOptions {
  return {
    minPoints: num(values, 'min_points_in_model', dimensions + 1),
    topNPercent: num(values, 'top_n_percent', 15),
    numSamples: num(values, 'num_samples', 64),
    randomFraction: num(values, 'random_fraction', 1 / 3),
    bandwidthFactor: num(values, 'bandwidth_factor', 3),
    minBandwidth: num(values, 'min_bandwidth', 1e-3),
  };
}
