import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { builtinAlgorithms } from '../search/index.ts';
import type { SearchAlgorithm } from '../search/types.ts';
import type { AlgorithmRef } from './protocol.ts';

function isAlgorithm(x: unknown): x is SearchAlgorithm {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as SearchAlgorithm).suggest === 'function' &&
    typeof (x as SearchAlgorithm).validate === 'function'
  );
}

/** Turns a module path (relative to the current directory), absolute path or URL into an importable URL. */
export function toModuleUrl(pathOrUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl) || pathOrUrl.startsWith('file:')) return pathOrUrl;
  return pathToFileURL(isAbsolute(pathOrUrl) ? pathOrUrl : resolve(pathOrUrl)).href;
}

/**
 * Instantiates the algorithm named by `ref`: a built-in, or the default/`algorithm`/`createAlgorithm`
 * export of a user module (an object implementing SearchAlgorithm, or a zero-argument factory of one).
 */
export async function loadAlgorithm(ref: AlgorithmRef): Promise<SearchAlgorithm> {
  if (ref.moduleUrl === undefined) {
    const factory = builtinAlgorithms[ref.name];
    if (!factory) {
      throw new WorkbenchError(ErrorCode.invalidSpec, `unknown algorithm '${ref.name}'`);
    }
    return factory();
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(toModuleUrl(ref.moduleUrl))) as Record<string, unknown>;
  } catch (err) {
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      `cannot load algorithm module ${ref.moduleUrl} for '${ref.name}': ${(err as Error).message}`,
      { cause: err },
    );
  }
  for (const key of ['default', 'algorithm', 'createAlgorithm']) {
    const candidate = mod[key];
    const value =
      typeof candidate === 'function' && !isAlgorithm(candidate) ? (candidate as () => unknown)() : candidate;
    if (isAlgorithm(value)) return value;
  }
  throw new WorkbenchError(
    ErrorCode.invalidSpec,
    `module ${ref.moduleUrl} does not export a search algorithm; export default an object with validate() and suggest(), or a function returning one`,
  );
}
