import type { Issue } from '../../common/issue.ts';
import { parseSettings, parseSettingsOrThrow, randomStateRule, type SettingRules, seedFrom } from '../settings.ts';
import type { Settings } from '../types.ts';

/**
 * `nsga2`'s `algorithmSettings`, in Katib's style (snake_case names, string values, unknown names rejected):
 * `population_size`, `crossover_probability`, `crossover_eta` (SBX's distribution index), `mutation_probability`
 * (per parameter; default 1/number of parameters), `mutation_eta` (polynomial mutation's index), `random_state`.
 */
const rules: SettingRules = {
  population_size: { type: 'int', min: 2, max: 10_000 },
  crossover_probability: { type: 'float', min: 0, max: 1 },
  crossover_eta: { type: 'float', min: 0, minExclusive: true, max: 1000 },
  mutation_probability: { type: 'float', min: 0, max: 1 },
  mutation_eta: { type: 'float', min: 0, minExclusive: true, max: 1000 },
  random_state: randomStateRule,
};

/** The population size when none is set. */
export const defaultPopulation = 20;

/** Everything one `nsga2` request needs, with defaults applied. */
export interface Nsga2Config {
  readonly seed: number;
  readonly population: number;
  /** The chance that a child is bred by crossover rather than copied from its first parent (then mutated). */
  readonly crossover: number;
  readonly crossoverEta: number;
  /** The chance that each parameter of a child is mutated; undefined means 1/number of parameters. */
  readonly mutation: number | undefined;
  readonly mutationEta: number;
}

/** Validates `nsga2` settings; every problem is an issue with the setting's path. */
export function validateNsga2(settings: Settings): Issue[] {
  return parseSettings('nsga2', settings, rules).issues;
}

/**
 * Reads `nsga2` settings. Defaults: 20 members (small enough that a study of 100 trials sees four bred
 * generations), crossover 0.9 with SBX index 20 and polynomial mutation index 20 (Deb et al.'s NSGA-II values).
 */
export function readNsga2(settings: Settings, requestSeed: number): Nsga2Config {
  const values = parseSettingsOrThrow('nsga2', settings, rules);
  const num = (name: string, fallback: number) => {
    const v = values[name];
    return typeof v === 'number' ? v : fallback;
  };
  const mutation = values.mutation_probability;
  return {
    seed: seedFrom(values, requestSeed),
    population: num('population_size', defaultPopulation),
    crossover: num('crossover_probability', 0.9),
    crossoverEta: num('crossover_eta', 20),
    mutation: typeof mutation === 'number' ? mutation : undefined,
    mutationEta: num('mutation_eta', 20),
  };
}
