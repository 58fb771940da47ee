/**
 * The environment of a locally run trial: the controller's own environment, the variables Katib injects
 * (`KATIB_TRIAL_NAME`) plus ours (`HPO_*`), then the primary container's `env` list with Kubernetes semantics.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Assignment } from '../search/space.ts';

/**
 * Above this size the assignment goes to a file (`HPO_PARAMS_FILE`) instead of `HPO_PARAMS`: Linux refuses to exec
 * a program with any single variable over 128 KiB (E2BIG), which a 10,000-parameter assignment reaches.
 */
export const paramsEnvLimit: number = 64 * 1024;

/** One entry of a container's `env` list as written in the trial template (Kubernetes `EnvVar`). */
export interface ContainerEnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: Readonly<Record<string, unknown>>;
}

/** Options of {@link trialEnvironment}. */
export interface TrialEnvironmentOptions {
  readonly experiment: string;
  readonly trial: string;
  readonly namespace: string;
  /** The trial's working directory, exported as `HPO_TRIAL_DIR`. */
  readonly workDir: string;
  /** The trial's artifacts folder, exported as `HPO_ARTIFACTS_DIR` (and `$(HPO_ARTIFACTS_DIR)` in command/args). */
  readonly artifactsDir?: string;
  /** The primary container's `env`, after `${trialParameters.x}` substitution. */
  readonly containerEnv?: readonly ContainerEnvVar[];
  /** The trial's assignment, exported as JSON in `HPO_PARAMS` (or written to `HPO_PARAMS_FILE` when large). */
  readonly params: Assignment;
  /** Variables the launcher injects (e.g. distributed-training ones); they win over the container's list. */
  readonly extra?: Readonly<Record<string, string>>;
  /** The inherited environment; default `process.env`. */
  readonly base?: Readonly<Record<string, string | undefined>>;
}

/** Pod labels Katib puts on every trial pod, so `fieldRef` to them resolves locally too. */
const TRIAL_LABEL = 'katib.kubeflow.org/trial';
const EXPERIMENT_LABEL = 'katib.kubeflow.org/experiment';

/**
 * Builds a trial's environment and the warnings to show once (skipped `valueFrom` sources, overridden names).
 * Order: inherited env, then injected variables, then the container's list in order, where `$(NAME)` expands to an
 * injected or earlier-listed variable like in Kubernetes (the inherited env is not visible, as an image's is not).
 */
export function trialEnvironment(opts: TrialEnvironmentOptions): { env: Record<string, string>; warnings: string[] } {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(opts.base ?? process.env)) {
    if (value !== undefined) env[name] = value;
  }
  // Katib sets KATIB_TRIAL_NAME through a fieldRef to the trial label; HPO_* are ours.
  const injected: Record<string, string> = {
    KATIB_TRIAL_NAME: opts.trial,
    HPO_EXPERIMENT: opts.experiment,
    HPO_TRIAL: opts.trial,
    HPO_NAMESPACE: opts.namespace,
    HPO_TRIAL_DIR: opts.workDir,
    ...(opts.artifactsDir === undefined ? {} : { HPO_ARTIFACTS_DIR: opts.artifactsDir }),
    ...paramsVariable(opts.params, opts.workDir),
    ...opts.extra,
  };
  // What `$(NAME)` can see: injected variables and container variables defined so far.
  const visible: Record<string, string> = { ...injected };
  const warnings: string[] = [];

  (opts.containerEnv ?? []).forEach((entry, i) => {
    const at = `env[${i}]`;
    const name = typeof entry?.name === 'string' ? entry.name : '';
    if (name === '' || name.includes('=') || name.includes('\0')) {
      warnings.push(`${at}: invalid variable name ${JSON.stringify(entry?.name)}; the entry is ignored`);
      return;
    }
    if (Object.hasOwn(injected, name)) {
      warnings.push(`${at} ${name}: set by the workbench for every trial; the container's value is ignored`);
      return;
    }
    const value = entryValue(entry, { opts, visible, at: `${at} ${name}`, warnings });
    if (value === undefined) return;
    visible[name] = value;
  });

  return { env: { ...env, ...visible }, warnings };
}

/** The value of one `env` entry, or undefined (with a warning) when it cannot be resolved on this machine. */
function entryValue(
  entry: ContainerEnvVar,
  ctx: { opts: TrialEnvironmentOptions; visible: Readonly<Record<string, string>>; at: string; warnings: string[] },
): string | undefined {
  const { opts, visible, at, warnings } = ctx;
  if (entry.valueFrom !== undefined) {
    const fieldPath = fieldRefPath(entry.valueFrom);
    const resolved = fieldPath === undefined ? undefined : resolveFieldRef(fieldPath, opts);
    if (resolved !== undefined) return resolved;
    const source = fieldPath === undefined ? Object.keys(entry.valueFrom).join('/') || 'valueFrom' : fieldPath;
    warnings.push(
      `${at}: valueFrom ${source} is not available when running locally; the variable is not set by the trial template (export it in the shell running hpo to pass a value)`,
    );
    return undefined;
  }
  if (entry.value === undefined || entry.value === null) return ''; // Kubernetes: value defaults to "".
  if (typeof entry.value !== 'string') {
    warnings.push(`${at}: value should be a string (quote it in YAML); Kubernetes would reject it`);
  }
  return expandEnvReferences(String(entry.value), (ref) => (Object.hasOwn(visible, ref) ? visible[ref] : undefined));
}

function fieldRefPath(valueFrom: Readonly<Record<string, unknown>>): string | undefined {
  const ref = valueFrom.fieldRef;
  if (typeof ref !== 'object' || ref === null) return undefined;
  const path = (ref as { fieldPath?: unknown }).fieldPath;
  return typeof path === 'string' ? path : undefined;
}

/** The local meaning of a pod `fieldRef`: the trial plays the pod. */
function resolveFieldRef(fieldPath: string, opts: TrialEnvironmentOptions): string | undefined {
  const label = /^metadata\.labels\['([^']*)'\]$/.exec(fieldPath)?.[1];
  if (fieldPath === 'metadata.name' || label === TRIAL_LABEL) return opts.trial;
  if (fieldPath === 'metadata.namespace') return opts.namespace;
  if (label === EXPERIMENT_LABEL) return opts.experiment;
  return undefined;
}

/**
 * Kubernetes `$(VAR)` expansion, as applied to env values and container command/args: `$(NAME)` becomes
 * `lookup(NAME)` when defined and stays literal otherwise, `$$` is an escaped `$`, any other `$` is kept.
 */
export function expandEnvReferences(text: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0 || dollar === text.length - 1) break;
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '(') {
      const close = text.indexOf(')', dollar + 2);
      if (close < 0) {
        // An unterminated reference is copied as is.
        out += '$(';
        i = dollar + 2;
      } else {
        const name = text.slice(dollar + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      // A `$` that starts no reference is kept together with the character after it.
      out += `$${next}`;
      i = dollar + 2;
    }
  }
  return out + text.slice(i);
}

/** `HPO_PARAMS` with the assignment as JSON, or, over {@link paramsEnvLimit}, `HPO_PARAMS_FILE` naming a file holding it. */
function paramsVariable(params: Assignment, workDir: string): Record<string, string> {
  const json = JSON.stringify(params);
  if (Buffer.byteLength(json) <= paramsEnvLimit) return { HPO_PARAMS: json };
  const file = join(workDir, 'hpo-params.json');
  writeFileSync(file, json);
  return { HPO_PARAMS_FILE: file };
}
