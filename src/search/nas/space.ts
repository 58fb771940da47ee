/**
 * Katib's `nasConfig` as the NAS algorithms read it. Bounds and list entries stay the text the user wrote: the
 * trial parameters Katib's services build (DARTS's `search-space`, ENAS's `nn_config`) carry that text, or Python's
 * parse of it, verbatim. `src/spec` builds this from a validated Experiment.
 */

/** One parameter of an operation (Katib's ParameterSpec), its feasible space as text. */
export interface NasParameter {
  readonly name: string;
  readonly parameterType: string;
  readonly feasibleSpace: {
    readonly min?: string;
    readonly max?: string;
    readonly step?: string;
    readonly list?: readonly string[];
  };
}

/** One operation type of the search space (`convolution`, `skip_connection`, …) and its parameters. */
export interface NasOperation {
  readonly operationType: string;
  readonly parameters: readonly NasParameter[];
}

/** The architecture search space of a NAS Experiment (`graphConfig` + `operations`); plain data, it crosses the worker. */
export interface NasSpace {
  /** `graphConfig.numLayers`; undefined when unset (Katib's proto reads it as 0). */
  readonly numLayers?: number;
  readonly inputSizes: readonly number[];
  readonly outputSizes: readonly number[];
  readonly operations: readonly NasOperation[];
}

/** The issue path of operation `i` (and below it), as in the Experiment YAML. */
export function operationPath(i: number, rest = ''): string {
  return `spec.nasConfig.operations[${i}]${rest}`;
}
