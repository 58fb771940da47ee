declare const registered: unique symbol;

/**
 * The name of a user algorithm registered with `registerAlgorithm`, which returns it, so that `Experiment.create`
 * accepts it where it checks literal names at compile time; at run time it is the plain string.
 */
export type RegisteredAlgorithmName<N extends string = string> = N & { readonly [registered]: true };
