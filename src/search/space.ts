/**
 * Search spaces with Katib's semantics. A parameter's domain is parsed once (numbers are numbers here,
 * Katib's strings are converted by `src/spec`) and every algorithm reads the same representation.
 */

/** Katib's `feasibleSpace.distribution`. `normal`/`logNormal` use mean (min+max)/2 and sd (max-min)/6 (in log space for logNormal), clipped to [min, max]. */
export type Scale = 'uniform' | 'logUniform' | 'normal' | 'logNormal';

/** The parsed domain of one parameter. `int` always has a step (Katib's default 1). */
export type Domain =
  | {
      readonly kind: 'double';
      readonly min: number;
      readonly max: number;
      readonly step?: number;
      readonly scale: Scale;
    }
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly step: number; readonly scale: Scale }
  | { readonly kind: 'categorical'; readonly values: readonly string[] }
  | { readonly kind: 'discrete'; readonly values: readonly number[] };

/** One searchable parameter. */
export interface Parameter {
  readonly name: string;
  readonly domain: Domain;
}

/** An ordered list of parameters; names are unique. */
export type SearchSpace = readonly Parameter[];

/** A parameter value as an algorithm proposes it: numbers for double/int/discrete, strings for categorical. */
export type ParamValue = number | string;

/** One assignment of every parameter in a space, keyed by parameter name. */
export type Assignment = Readonly<Record<string, ParamValue>>;
