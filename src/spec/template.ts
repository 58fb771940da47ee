import { isScalar, parseDocument, visit } from 'yaml';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Assignment } from '../search/space.ts';
import { findContainers } from './containers.ts';
import { parseMetaRef, placeholderPattern, replacePlaceholders } from './placeholders.ts';
import { isRecord, type Obj } from './read.ts';
import {
  addScriptEnv,
  checkScriptValues,
  containerEnvNames,
  passThroughClearedEnv,
  scriptEnvNames,
} from './scriptEnv.ts';
import { foreignScriptOperand, scriptOperands } from './shellCommand.ts';
import { renderScript, type ScriptPlaceholder } from './shellScript.ts';
import type { TrialParameterSpec } from './types.ts';

/** Inputs of {@link renderTrialSpec}. */
export interface RenderTrialOptions {
  /** The inline `trialSpec` object, or the ConfigMap template text (YAML or JSON). */
  readonly template: Record<string, unknown> | string;
  readonly trialParameters: readonly TrialParameterSpec[];
  /** The trial's parameter values, keyed by Experiment parameter name. */
  readonly assignment: Assignment;
  readonly trialName: string;
  readonly namespace: string;
}

/** Marks a YAML plain scalar that was exactly one placeholder, so its value is re-typed after substitution. */
const plainMark = '\u0000';

function parseTemplateText(text: string): Obj {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new WorkbenchError(ErrorCode.invalidSpec, `unable to parse the trial template: ${doc.errors[0]?.message}`);
  }
  // Katib substitutes ConfigMap text before decoding it, so `replicas: ${trialParameters.n}` becomes a number.
  visit(doc, {
    Scalar(_key, node) {
      if (
        node.type === 'PLAIN' &&
        typeof node.value === 'string' &&
        /^\$\{trialParameters\.[^}]+\}$/.test(node.value)
      ) {
        node.value = plainMark + node.value;
      }
    },
  });
  const obj = doc.toJS() as unknown;
  if (!isRecord(obj)) throw new WorkbenchError(ErrorCode.invalidSpec, 'the trial template is not a YAML mapping');
  return obj;
}

function formatValue(v: string | number): string {
  return typeof v === 'number' ? String(v) : v;
}

/** Resolves every trialParameter to its text: an assignment value or a `${trialSpec.*}` meta value. */
function parameterValues(spec: Obj, o: RenderTrialOptions): Map<string, string> {
  const meta = isRecord(spec.metadata) ? spec.metadata : {};
  const values = new Map<string, string>();
  for (const tp of o.trialParameters) {
    const ref = parseMetaRef(tp.reference);
    if (ref === undefined) {
      const v = o.assignment[tp.reference];
      if (v === undefined) {
        throw new WorkbenchError(
          ErrorCode.invalidArgument,
          `trial parameter "${tp.name}" references parameter "${tp.reference}", which the assignment does not have`,
        );
      }
      values.set(tp.name, formatValue(v));
    } else if ('unsupported' in ref) {
      throw new WorkbenchError(ErrorCode.invalidSpec, `illegal reference of trial metadata: ${tp.reference}`);
    } else if (ref.key === 'Labels' || ref.key === 'Annotations') {
      const map = meta[ref.key === 'Labels' ? 'labels' : 'annotations'];
      const v = isRecord(map) ? map[ref.name] : undefined;
      if (typeof v !== 'string') {
        throw new WorkbenchError(
          ErrorCode.invalidSpec,
          `illegal reference of trial metadata: ${tp.reference} (the template's metadata.${ref.key.toLowerCase()} has no key "${ref.name}")`,
        );
      }
      values.set(tp.name, v);
    } else {
      const fixed = { Name: o.trialName, Namespace: o.namespace, Kind: spec.kind, APIVersion: spec.apiVersion };
      values.set(tp.name, String(fixed[ref.key] ?? ''));
    }
  }
  return values;
}

/** Finds the shell scripts of every container (`sh -c` behind any wrapper, …): array → indices of script elements. */
function scriptSlots(spec: Obj, known: ReadonlyMap<string, string>): Map<unknown[], Set<number>> {
  const slots = new Map<unknown[], Set<number>>();
  for (const { container } of findContainers(spec)) {
    const command = Array.isArray(container.command) ? container.command : [];
    const args = Array.isArray(container.args) ? container.args : [];
    // Without a command the image's entrypoint runs the args: `args: [sh, -c, …]` is still taken as a script.
    const words = [...command, ...args].map((w) => (typeof w === 'string' ? w : undefined));
    const foreign = foreignScriptOperand(words);
    const script = foreign === undefined ? undefined : words[foreign];
    if (script !== undefined && [...script.matchAll(placeholderPattern)].some((m) => known.has(m[1] ?? ''))) {
      throw new WorkbenchError(
        ErrorCode.invalidSpec,
        `container '${String(container.name)}': a trial parameter is in the script of ${words.slice(0, foreign).join(' ')}, a shell whose syntax differs from sh; only POSIX shells (sh, bash, dash, zsh, ksh, …) get values safely: run the script with one of them, or pass the value as an argument`,
      );
    }
    for (const idx of scriptOperands(words)) {
      const [arr, i] = idx < command.length ? [command, idx] : [args, idx - command.length];
      const set = slots.get(arr) ?? new Set<number>();
      set.add(i);
      slots.set(arr, set);
    }
  }
  return slots;
}

/**
 * Renders a trial's job like Katib's manifest generator (REFERENCE §5.4): each `${trialParameters.<name>}`
 * becomes its assignment or `${trialSpec.*}` meta value, then `metadata.name`/`namespace` are set.
 * Unlike Katib's text replace, values are substituted per string of the parsed template, so a value holding
 * `"` or `\` cannot break the document, and a value never becomes shell source: inside the script of a
 * container that runs a shell (`sh -c`, also behind `timeout`, `nice`, `env`, …) a placeholder becomes a
 * quoted reference to an `HPO_PARAM_<name>` variable, which is added to every container's `env`.
 */
export function renderTrialSpec(o: RenderTrialOptions): Record<string, unknown> {
  // `walk` builds a new tree, so the caller's template is never modified.
  const spec = typeof o.template === 'string' ? parseTemplateText(o.template) : o.template;
  const values = parameterValues(spec, o);
  const lookup = (name: string): string | undefined => values.get(name);
  const slots = scriptSlots(spec, values);
  const envNames = scriptEnvNames([...values.keys()], containerEnvNames(spec));
  const used: ScriptPlaceholder[] = [];
  const script = (text: string): string => {
    const r = renderScript(text, (name) => envNames.get(name));
    used.push(...r.placeholders);
    return r.text;
  };

  const plain = (s: string): unknown => {
    if (!s.startsWith(plainMark)) return replacePlaceholders(s, lookup);
    const text = replacePlaceholders(s.slice(plainMark.length), lookup);
    const typed = parseScalar(text);
    return typed === undefined ? text : typed;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return plain(v);
    if (Array.isArray(v)) {
      const scripts = slots.get(v);
      return v.map((item, i) => (scripts?.has(i) && typeof item === 'string' ? script(stripMark(item)) : walk(item)));
    }
    if (isRecord(v)) {
      const out: Obj = {};
      for (const [k, child] of Object.entries(v)) out[replacePlaceholders(stripMark(k), lookup)] = walk(child);
      return out;
    }
    return v;
  };
  const rendered = walk(spec) as Obj;
  checkScriptValues(used, values);
  const usedNames = new Set(used.map((p) => p.name));
  const vars = new Map(
    [...values].filter(([name]) => usedNames.has(name)).map(([name, v]) => [envNames.get(name) ?? '', v]),
  );
  addScriptEnv(rendered, vars);
  passThroughClearedEnv(rendered, vars, (words) =>
    scriptOperands(words.map((w) => (typeof w === 'string' ? w : undefined))),
  );
  rendered.metadata = {
    ...(isRecord(rendered.metadata) ? rendered.metadata : {}),
    name: o.trialName,
    namespace: o.namespace,
  };
  return rendered;
}

function stripMark(s: string): string {
  return s.startsWith(plainMark) ? s.slice(plainMark.length) : s;
}

/** A YAML plain scalar's typed value (number, boolean, null) or undefined when it stays a string. */
function parseScalar(text: string): number | boolean | null | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isScalar(doc.contents)) return undefined;
  const v = doc.contents.value;
  return typeof v === 'number' || typeof v === 'boolean' || v === null ? v : undefined;
}

/** The template text Katib checks placeholders in: the JSON of an inline trialSpec, or the ConfigMap text. */
export function templateText(template: Record<string, unknown> | string): string {
  return typeof template === 'string' ? template : JSON.stringify(template);
}
