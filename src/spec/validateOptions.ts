import type { ConfigMapData } from './types.ts';

/** What `validateExperiment` checks against: the registries of this installation, and optional extras. */
export interface ValidateOptions {
  /** Suggestion algorithm names available (Katib: `katib-config` `runtime.suggestions`). */
  readonly algorithms: ReadonlySet<string>;
  /** Early-stopping algorithm names available (Katib: `runtime.earlyStoppings`). */
  readonly earlyStopping: ReadonlySet<string>;
  /** Extra advice appended to an unknown-algorithm fix, e.g. "Run `hpo algorithms` to list them." */
  readonly knownAlgorithmHint?: string;
  /** The objective runs in this process: a missing `trialTemplate` is fine. */
  readonly inProcess?: boolean;
  /** ConfigMap data for `trialTemplate.configMap` sources (outside a cluster nothing else can read them). */
  readonly configMaps?: ConfigMapData;
  /** Metrics collector kinds this installation supports; defaults to all six Katib kinds. */
  readonly collectorKinds?: ReadonlySet<string>;
}
