import type { Issue } from '../common/issue.ts';
import { builtinEarlyStopping } from '../search/earlyStopping/index.ts';
import { builtinAlgorithms } from '../search/index.ts';
import type { AlgorithmCapabilities, EarlyStoppingAlgorithm, Settings, ValidationContext } from '../search/types.ts';
import type { ExperimentConfig } from '../spec/config.ts';

/**
 * What the experiment needs of its algorithm that the algorithm does not declare (`SearchAlgorithm.capabilities`):
 * several objectives need `multiObjective`, a `nasConfig` needs `nas`. Called by prepare's check once the algorithm
 * is loaded, so a run is refused before anything is stored instead of the algorithm seeing what it cannot use.
 */
export function capabilityIssues(config: ExperimentConfig, capabilities: AlgorithmCapabilities): Issue[] {
  const issues: Issue[] = [];
  const name = config.algorithm.name;
  if (config.objectives.length > 1 && capabilities.multiObjective !== true) {
    issues.push({
      path: 'spec.algorithm.algorithmName',
      message: `${name} optimises one objective; this experiment has ${config.objectives.length} (${config.objectives.map((o) => o.metricName).join(', ')}).`,
      fix: `Use an algorithm that takes several (built-in: ${multiObjectiveAlgorithms().join(', ')}; or one of yours that declares capabilities.multiObjective), or keep one objective by removing spec.objective.additionalObjectives.`,
    });
  }
  if (config.nasConfig !== undefined && capabilities.nas !== true) {
    issues.push({
      path: 'spec.algorithm.algorithmName',
      message: `${name} does not search neural architectures, so it cannot use spec.nasConfig.`,
      fix: 'Use a NAS algorithm (enas, darts), or describe the search space with spec.parameters.',
    });
  }
  return issues;
}

/** The built-in algorithms that declare `capabilities.multiObjective`, by name, sorted (for the refusal's fix). */
export function multiObjectiveAlgorithms(): string[] {
  return Object.entries(builtinAlgorithms)
    .filter(([, factory]) => factory().capabilities?.multiObjective === true)
    .map(([name]) => name)
    .sort();
}

/**
 * The early-stopping algorithm an algorithm pairs itself with (`capabilities.earlyStopping`, e.g. ASHA's rung
 * rule), fed the algorithm's settings. A user algorithm's settings are checked by the paired rule too (issues under
 * `spec.algorithm`), since the rule reads them at every report; a built-in already checks its own.
 */
export function pairedEarlyStopping(
  capabilities: AlgorithmCapabilities,
  options: { readonly settings: Settings; readonly ctx: ValidationContext; readonly builtin: boolean },
): { rule?: { algorithm: EarlyStoppingAlgorithm; settings: Settings }; issues: Issue[] } {
  const name = capabilities.earlyStopping;
  if (name === undefined) return { issues: [] };
  const factory = Object.hasOwn(builtinEarlyStopping, name) ? builtinEarlyStopping[name] : undefined;
  if (factory === undefined) {
    const known = Object.keys(builtinEarlyStopping).join(', ');
    return {
      issues: [
        {
          path: 'spec.algorithm.algorithmName',
          message: `the algorithm pairs itself with early stopping '${name}', which is not available; available: ${known}.`,
          fix: 'Set capabilities.earlyStopping to one of those names, or leave it out and use spec.earlyStopping.',
        },
      ],
    };
  }
  const algorithm = factory();
  const issues = options.builtin
    ? []
    : algorithm
        .validate(options.settings, options.ctx)
        .map((i) => ({ ...i, path: i.path.replace(/^spec\.earlyStopping\b/, 'spec.algorithm') }));
  return { rule: { algorithm, settings: options.settings }, issues };
}
