/**
 * The environment variables through which trial parameter values reach shell scripts: their names, the
 * checks on the values, and the `env` entries added to the rendered job's containers so that a local process
 * and a Kubernetes pod both get them.
 */
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { findContainers } from './containers.ts';
import { isRecord, type Obj } from './read.ts';
import type { ScriptPlaceholder } from './shellScript.ts';

/** Prefix of the variable holding a trial parameter's value for shell scripts. */
export const scriptEnvPrefix = 'HPO_PARAM_';

/**
 * One variable name per trial parameter, `HPO_PARAM_<name>` with characters a shell variable cannot hold
 * made `_`; a name already taken (by another parameter or by a container's own `env`) gets `_2`, `_3`, ….
 * Deterministic in the order of `names`.
 */
export function scriptEnvNames(names: readonly string[], taken: ReadonlySet<string>): Map<string, string> {
  const used = new Set(taken);
  const out = new Map<string, string>();
  for (const name of names) {
    if (out.has(name)) continue;
    const base = scriptEnvPrefix + name.replace(/[^A-Za-z0-9_]/g, '_');
    let candidate = base;
    for (let k = 2; used.has(candidate); k++) candidate = `${base}_${k}`;
    used.add(candidate);
    out.set(name, candidate);
  }
  return out;
}

/** Names in every container's `env` list of a job. */
export function containerEnvNames(spec: Obj): Set<string> {
  const names = new Set<string>();
  for (const { container } of findContainers(spec)) {
    for (const e of Array.isArray(container.env) ? container.env : []) {
      if (isRecord(e) && typeof e.name === 'string') names.add(e.name);
    }
  }
  return names;
}

/** A number as shell arithmetic reads it (decimal, `0x…`, `base#digits`): nothing it could evaluate as code. */
const arithmeticNumber = /^[-+]?[0-9][0-9A-Za-z_.#@]*$/;

/**
 * Checks the values a script receives: a value cannot hold NUL (no environment variable can), and one written
 * inside shell arithmetic must be a number, since bash evaluates the text there as an expression in which an
 * array subscript such as `a[$(cmd)]` runs a command.
 */
export function checkScriptValues(
  placeholders: readonly ScriptPlaceholder[],
  values: ReadonlyMap<string, string>,
): void {
  for (const p of placeholders) {
    const v = values.get(p.name) ?? '';
    if (v.includes('\0')) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `trial parameter "${p.name}": its value contains a NUL character, which no environment variable or command-line argument can hold; remove it from the parameter's values`,
      );
    }
    if (p.context === 'arithmetic' && !arithmeticNumber.test(v)) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `trial parameter "${p.name}" is used inside shell arithmetic ($((…)), ((…)) or $[…]), but its value ${JSON.stringify(v)} is not a number; bash would evaluate it as an expression, which can run commands. Use a numeric parameter there, or compare it as a string`,
      );
    }
  }
}

/**
 * Appends `{name, value}` entries for the given variables to every container of a rendered job (all of them,
 * since a launcher may run another container's command). `$` is written `$$` because Kubernetes, and our
 * local executors like it, expand `$(VAR)` in env values.
 */
export function addScriptEnv(rendered: Obj, vars: ReadonlyMap<string, string>): void {
  if (vars.size === 0) return;
  const entries = [...vars].map(([name, value]) => ({ name, value: value.replaceAll('$', '$$$$') }));
  for (const found of findContainers(rendered)) {
    // A TrainJob's trainer is presented as a copy named `node`; write to the trainer itself.
    const spec = rendered.spec;
    const target =
      found.path === 'spec.trainer' && isRecord(spec) && isRecord(spec.trainer) ? spec.trainer : found.container;
    const env = Array.isArray(target.env) ? target.env : [];
    target.env = [...env, ...entries];
  }
}
