/**
 * Kubeflow Trainer's OptimizationJob (`trainer.kubeflow.org/v1alpha1`, Trainer master, KEP-2605): the shape
 * of the fields we read and write. Only what the CRD declares; `status` is read as opaque data.
 */

/** The apiVersion and kind an OptimizationJob must carry. */
export const optimizationJobApiVersion = 'trainer.kubeflow.org/v1alpha1';
/** See {@link optimizationJobApiVersion}. */
export const optimizationJobKind = 'OptimizationJob';

/** Where Trainer's controller puts a parameter's value for the trial: `KUBEFLOW_TRAINER_OPT_<NAME>`. */
export const optEnvPrefix = 'KUBEFLOW_TRAINER_OPT_';

/** One `spec.parameters[]` search space: exactly one of the three. */
export interface OptimizationSearchSpace {
  uniform?: { min: string; max: string; type?: 'Int' | 'Float' };
  logUniform?: { min: string; max: string; type?: 'Int' | 'Float' };
  categorical?: { choices: string[] };
}

/** An OptimizationJob manifest as `hpo convert --to optimizationjob` writes it. */
export interface OptimizationJobManifest {
  apiVersion: typeof optimizationJobApiVersion;
  kind: typeof optimizationJobKind;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    objectives: { metric: string; direction: 'Maximize' | 'Minimize' }[];
    searchAlgorithm: { random: { seed?: number } } | { grid: Record<string, never> };
    parameters: { name: string; searchSpace: OptimizationSearchSpace }[];
    numTrials: number;
    parallelTrials: number;
    trainJobTemplate: { metadata?: Record<string, unknown>; spec: Record<string, unknown> };
  };
}

/** The variable Trainer's controller sets for parameter `name` (upper case, other characters as `_`). */
export function optEnvName(name: string): string {
  return optEnvPrefix + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
