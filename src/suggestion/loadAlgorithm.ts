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

/** `.ts`, `.mts` and `.cts` modules are TypeScript, which Node 20 cannot import by itself. */
const typeScriptModule = /\.[cm]?ts$/i;

/**
 * Imports a user module. TypeScript goes through tsx's `tsImport` (scoped: nothing is registered for other
 * imports), so a `.ts` algorithm loads the same from our sources and from the compiled, installed package; tsx
 * is an optional peer dependency, asked for by name when it is missing.
 */
async function importModule(url: string): Promise<Record<string, unknown>> {
  if (!typeScriptModule.test(new URL(url).pathname)) return (await import(url)) as Record<string, unknown>;
  let tsImport: (specifier: string, parent: string) => Promise<unknown>;
  try {
    ({ tsImport } = (await import('tsx/esm/api')) as { tsImport: typeof tsImport });
  } catch (err) {
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      `algorithm module ${url} is TypeScript and needs tsx to load: run \`npm install --save-dev tsx\` in your project, or compile the module to .mjs`,
      { cause: err },
    );
  }
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
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
    mod = await importModule(toModuleUrl(ref.moduleUrl));
  } catch (err) {
    if (err instanceof WorkbenchError) throw err;
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      `cannot load algorithm module ${ref.moduleUrl} for '${ref.name}': ${(err as Error).message}`,
      { cause: err },
    );
  }
  // A .ts file outside an ESM package is compiled as CommonJS; its `export default` then sits one level down.
  const inner = mod.default;
  const exports =
    typeof inner === 'object' && inner !== null && 'default' in inner ? (inner as Record<string, unknown>) : mod;
  for (const key of ['default', 'algorithm', 'createAlgorithm']) {
    const candidate = exports[key];
    const value =
      typeof candidate === 'function' && !isAlgorithm(candidate) ? (candidate as () => unknown)() : candidate;
    if (isAlgorithm(value)) return value;
  }
  throw new WorkbenchError(
    ErrorCode.invalidSpec,
    `module ${ref.moduleUrl} does not export a search algorithm; export default an object with validate() and suggest(), or a function returning one`,
  );
}
