import type { RegisteredAlgorithmName } from '../search/algorithmName.ts';
import type { ParamValue } from '../search/space.ts';
import type { ParameterSpec } from './types.ts';

export type { RegisteredAlgorithmName };

/**
 * A parameter as `Experiment.create` accepts it: Katib's `ParameterSpec`, readonly, so that a search space written
 * as a literal (or built by `search.*`) keeps its names and category lists as literal types.
 */
export interface ParameterInput {
  readonly name: string;
  readonly parameterType: ParameterSpec['parameterType'];
  readonly feasibleSpace: {
    readonly min?: string;
    readonly max?: string;
    readonly step?: string;
    readonly list?: readonly string[];
    readonly distribution?: NonNullable<ParameterSpec['feasibleSpace']['distribution']>;
  };
}

/**
 * The value an objective receives for one parameter, as the algorithms propose it: a number for `double`, `int`
 * and `discrete`; for `categorical` one of the listed strings (a union of their literals when the list is
 * literal, e.g. `'rbf' | 'poly'`); either for an unknown parameter type.
 */
export type ParameterValueOf<P extends ParameterInput> = P extends { readonly parameterType: 'categorical' }
  ? P['feasibleSpace'] extends { readonly list: readonly (infer V extends string)[] }
    ? V
    : string
  : P extends { readonly parameterType: 'double' | 'int' | 'discrete' }
    ? number
    : ParamValue;

/**
 * The parameters an objective receives for a search space, keyed by name: `{ lr: number; kernel: 'rbf' | 'poly' }`
 * for a literal space, so a misspelt name is a compile error. A space whose names are not literal (built at run
 * time as `ParameterSpec[]`) gives a record of every {@link ParamValue}, as `Assignment` does.
 */
export type ParamsOf<Ps extends readonly ParameterInput[]> = {
  readonly [P in Ps[number] as P['name']]: ParameterValueOf<P>;
};

/**
 * The algorithm names `Experiment.create` accepts as literals: Katib's and ours. A user algorithm's name is
 * accepted as the {@link RegisteredAlgorithmName} that `registerAlgorithm` returns, or with a `module` setting.
 */
export type AlgorithmName =
  | 'random'
  | 'grid'
  | 'sobol'
  | 'tpe'
  | 'multivariate-tpe'
  | 'bayesianoptimization'
  | 'cmaes'
  | 'hyperband'
  | 'bohb'
  | 'asha'
  | 'pbt'
  | 'enas'
  | 'darts';

/** The early-stopping rules Katib (and this version) knows. */
export type EarlyStoppingName = 'medianstop' | 'asha';
