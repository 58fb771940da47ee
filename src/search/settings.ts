import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Issue } from '../common/issue.ts';
import type { Settings } from './types.ts';

/**
 * Parsing of Katib `algorithmSettings` (name → string). Issue paths point into the Experiment's list:
 * `spec.algorithm.algorithmSettings[i].name` for an unknown name and `…[i].value` for a bad value, where `i`
 * is the setting's position in `settings` (the spec parser keeps the YAML list order, so it matches the file).
 */

/** What one setting may hold. Bounds are inclusive unless marked exclusive. */
export type SettingRule =
  | { readonly type: 'int'; readonly min?: number; readonly max?: number }
  | {
      readonly type: 'float';
      readonly min?: number;
      readonly max?: number;
      readonly minExclusive?: boolean;
      readonly maxExclusive?: boolean;
    }
  | { readonly type: 'enum'; readonly values: readonly string[] };

/** The settings an algorithm understands, by name. */
export type SettingRules = Readonly<Record<string, SettingRule>>;

/** Parsed values (numbers for int/float, the text for enum) and every problem found. */
export interface ParsedSettings {
  readonly values: Readonly<Record<string, number | string>>;
  readonly issues: Issue[];
}

/** Katib's `random_state`: an int ≥ 0 seeding the algorithm; shared by most algorithms. */
export const randomStateRule: SettingRule = { type: 'int', min: 0 };

/** Parses an integer the way Python's `int()` does for plain decimal text; undefined when it is not one. */
export function parseIntText(text: string): number | undefined {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parses a finite float (`0.5`, `1e-3`, ` 2 `); undefined for empty text, `inf`, `nan` or anything else. */
export function parseFloatText(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** The issue path of a setting: `spec.algorithm.algorithmSettings[i].<field>` (see the module comment). */
export function settingPath(settings: Settings, name: string, field: 'name' | 'value'): string {
  const index = Object.keys(settings).indexOf(name);
  return `spec.algorithm.algorithmSettings[${index < 0 ? Object.keys(settings).length : index}].${field}`;
}

function describeRule(rule: SettingRule): string {
  if (rule.type === 'enum') return `one of ${rule.values.join(', ')}`;
  const what = rule.type === 'int' ? 'an integer' : 'a number';
  const parts: string[] = [];
  if (rule.min !== undefined) parts.push(`${rule.type === 'float' && rule.minExclusive ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.type === 'float' && rule.maxExclusive ? '<' : '<='} ${rule.max}`);
  return parts.length === 0 ? what : `${what} ${parts.join(' and ')}`;
}

function parseValue(rule: SettingRule, text: string): number | string | undefined {
  if (rule.type === 'enum') return rule.values.includes(text) ? text : undefined;
  const n = rule.type === 'int' ? parseIntText(text) : parseFloatText(text);
  if (n === undefined) return undefined;
  const minExclusive = rule.type === 'float' && rule.minExclusive === true;
  const maxExclusive = rule.type === 'float' && rule.maxExclusive === true;
  if (rule.min !== undefined && (minExclusive ? n <= rule.min : n < rule.min)) return undefined;
  if (rule.max !== undefined && (maxExclusive ? n >= rule.max : n > rule.max)) return undefined;
  return n;
}

/**
 * Checks `settings` against `rules`. Unknown names are reported as Katib's hyperopt service does
 * ("unknown setting X for algorithm random") unless `unknown: 'ignore'` (Katib's goptuna ignores them).
 */
export function parseSettings(
  algorithm: string,
  settings: Settings,
  rules: SettingRules,
  options: { readonly unknown?: 'reject' | 'ignore' } = {},
): ParsedSettings {
  const values: Record<string, number | string> = {};
  const issues: Issue[] = [];
  for (const [name, text] of Object.entries(settings)) {
    const rule = Object.hasOwn(rules, name) ? rules[name] : undefined;
    if (rule === undefined) {
      if (options.unknown !== 'ignore') {
        const known = Object.keys(rules);
        issues.push({
          path: settingPath(settings, name, 'name'),
          message: `unknown setting ${name} for algorithm ${algorithm}`,
          fix: known.length === 0 ? `Remove it: ${algorithm} takes no settings.` : `Use one of: ${known.join(', ')}.`,
        });
      }
      continue;
    }
    const value = parseValue(rule, String(text));
    if (value === undefined) {
      issues.push({
        path: settingPath(settings, name, 'value'),
        message: `setting ${name} of algorithm ${algorithm} must be ${describeRule(rule)}, got ${JSON.stringify(text)}`,
      });
      continue;
    }
    values[name] = value;
  }
  return { values, issues };
}

/** {@link parseSettings} for `suggest`: the values, or an `invalidArgument` error listing the issues. */
export function parseSettingsOrThrow(
  algorithm: string,
  settings: Settings,
  rules: SettingRules,
  options: { readonly unknown?: 'reject' | 'ignore' } = {},
): Readonly<Record<string, number | string>> {
  const { values, issues } = parseSettings(algorithm, settings, rules, options);
  if (issues.length > 0) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `invalid settings for algorithm ${algorithm}`, { issues });
  }
  return values;
}

/** The seed an algorithm uses: `random_state` when the user set one (as in Katib), else the request's seed. */
export function seedFrom(values: Readonly<Record<string, number | string>>, requestSeed: number): number {
  const state = values.random_state;
  return typeof state === 'number' ? state : requestSeed;
}
