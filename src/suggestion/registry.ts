import { isAbsolute, resolve } from 'node:path';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { RegisteredAlgorithmName } from '../search/algorithmName.ts';
import { builtinAlgorithms, validateOnlyAlgorithms } from '../search/index.ts';
import type { Settings } from '../search/types.ts';
import { toModuleUrl } from './loadAlgorithm.ts';
import type { AlgorithmRef } from './protocol.ts';

/** The algorithm setting that names a user module (`algorithmSettings: [{name: module, value: ./my-search.ts}]`). It is not passed on to the algorithm. */
export const moduleSetting = 'module';

/** Every algorithm name Katib v0.19 knows plus ours; `hpo validate` accepts these even where this version cannot run them yet. */
export const katibAlgorithmNames: ReadonlySet<string> = new Set([
  'random',
  'grid',
  'sobol',
  'tpe',
  'multivariate-tpe',
  'bayesianoptimization',
  'nsga2',
  'cmaes',
  'hyperband',
  'bohb',
  'asha',
  'pbt',
  'enas',
  'darts',
]);

/** Early-stopping algorithm names known to validation. */
export const earlyStoppingNames: ReadonlySet<string> = new Set(['medianstop', 'asha']);

const userAlgorithms = new Map<string, string>();

/**
 * Registers a user algorithm: `moduleUrl` (a path or URL) exports a SearchAlgorithm or a factory of one.
 * It runs in the suggestion worker exactly like a built-in. Call before creating the experiment. Returns the
 * name, typed so that `Experiment.create({ algorithm: { algorithmName } })` accepts it.
 */
export function registerAlgorithm<const N extends string>(name: N, moduleUrl: string): RegisteredAlgorithmName<N> {
  userAlgorithms.set(name, toModuleUrl(moduleUrl));
  return name as RegisteredAlgorithmName<N>;
}

/** Names that can run now: built-ins plus registered user algorithms. */
export function runnableAlgorithmNames(): string[] {
  return [...Object.keys(builtinAlgorithms), ...userAlgorithms.keys()].sort();
}

/** Names `hpo validate` accepts; `extra` adds a name that brings its own `module` setting. */
export function knownAlgorithmNames(extra?: {
  algorithmName?: string;
  algorithmSettings?: readonly { name: string }[];
}): ReadonlySet<string> {
  const names = new Set([...katibAlgorithmNames, ...runnableAlgorithmNames()]);
  // Tolerates a malformed spec (settings not a list, entries not objects): the validator reports those.
  const settings: unknown = extra?.algorithmSettings;
  const named = Array.isArray(settings) && settings.some((s) => typeof s === 'object' && s?.name === moduleSetting);
  if (typeof extra?.algorithmName === 'string' && extra.algorithmName !== '' && named) names.add(extra.algorithmName);
  return names;
}

/**
 * Resolves an Experiment's algorithm to what the worker should load, and the settings the algorithm sees.
 * A `module` setting (relative to `baseDir`) makes any name a user algorithm. Throws a clear error for
 * names that are known but not available in this version.
 */
export function resolveAlgorithm(
  name: string,
  settings: Settings,
  baseDir: string = process.cwd(),
): { ref: AlgorithmRef; settings: Settings } {
  const { [moduleSetting]: modulePath, ...rest } = settings;
  if (modulePath !== undefined) {
    const isPath = modulePath.startsWith('.') || isAbsolute(modulePath);
    const url = toModuleUrl(isPath ? resolve(baseDir, modulePath) : modulePath);
    return { ref: { name, moduleUrl: url }, settings: rest };
  }
  const registered = userAlgorithms.get(name);
  if (registered !== undefined) return { ref: { name, moduleUrl: registered }, settings: rest };
  if (builtinAlgorithms[name]) return { ref: { name }, settings: rest };
  const available = runnableAlgorithmNames().join(', ');
  if (Object.hasOwn(validateOnlyAlgorithms, name)) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `spec.algorithm.algorithmName: ${validateOnlyAlgorithms[name]!.reason} The Experiment validates (hpo ` +
        `validate) and \`hpo submit\` hands it to Katib; to search architectures here, use darts. Available: ${available}.`,
    );
  }
  if (katibAlgorithmNames.has(name)) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `spec.algorithm.algorithmName: '${name}' is a Katib algorithm this version of hpo-workbench cannot run yet; available: ${available}`,
    );
  }
  throw new WorkbenchError(
    ErrorCode.invalidSpec,
    `spec.algorithm.algorithmName: unknown algorithm '${name}'; available: ${available} (or register your own with registerAlgorithm() or a '${moduleSetting}' setting)`,
  );
}
