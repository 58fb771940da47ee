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
const scriptEnvPrefix = 'HPO_PARAM_';

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

/** The container objects of a rendered job, to write into (a TrainJob's trainer is found as a copy). */
function containerObjects(rendered: Obj): Obj[] {
  const spec = rendered.spec;
  return findContainers(rendered).map((found) =>
    found.path === 'spec.trainer' && isRecord(spec) && isRecord(spec.trainer) ? spec.trainer : found.container,
  );
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
  for (const target of containerObjects(rendered)) {
    const env = Array.isArray(target.env) ? target.env : [];
    target.env = [...env, ...entries];
  }
}

/** Where `env`'s own options and assignments end, and whether they clear the environment (`-i`, `-`). */
function envWrapper(words: readonly unknown[], from: number): { clears: boolean; at: number } {
  let clears = false;
  let i = from;
  while (i < words.length) {
    const w = words[i];
    if (typeof w !== 'string') break;
    if (w === '-' || w === '-i' || w === '--ignore-environment') clears = true;
    else if (w === '-u' || w === '-C' || w === '--unset' || w === '--chdir') i++;
    else if (/^-[A-Za-z0-9]+$/.test(w)) clears ||= w.includes('i');
    else if (!w.startsWith('--') && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) break;
    i++;
  }
  return { clears, at: i };
}

/**
 * `env -i … sh -c '…'` would run the script without the variables: for each container whose command line
 * clears the environment before its script, the variables are passed as `NAME=value` operands of that `env`
 * (data, not source; `$` doubled for Kubernetes' `$(VAR)` expansion of args).
 */
export function passThroughClearedEnv(
  rendered: Obj,
  vars: ReadonlyMap<string, string>,
  isScriptAt: (words: readonly unknown[]) => number[],
): void {
  if (vars.size === 0) return;
  const assignments = [...vars].map(([name, value]) => `${name}=${value.replaceAll('$', '$$$$')}`);
  for (const container of containerObjects(rendered)) {
    const command = Array.isArray(container.command) ? container.command : [];
    const args = Array.isArray(container.args) ? container.args : [];
    const words = [...command, ...args];
    const first = isScriptAt(words)[0];
    if (first === undefined) continue;
    for (let j = first - 1; j >= 0; j--) {
      if (typeof words[j] !== 'string' || (words[j] as string).split('/').pop() !== 'env') continue;
      const e = envWrapper(words, j + 1);
      if (!e.clears || e.at > first) continue;
      if (e.at < command.length || (e.at === command.length && command.length > 0)) {
        container.command = [...command.slice(0, e.at), ...assignments, ...command.slice(e.at)];
      } else {
        const k = e.at - command.length;
        container.args = [...args.slice(0, k), ...assignments, ...args.slice(k)];
      }
      break;
    }
  }
}
