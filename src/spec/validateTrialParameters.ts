import type { Issue } from '../common/issue.ts';
import { didYouMean } from './didYouMean.ts';
import { knownFields, unknownFields } from './fields.ts';
import { parseMetaRef, placeholder, placeholderPattern } from './placeholders.ts';
import { at, isRecord, isUnset, type Obj, show } from './read.ts';

const path = 'spec.trialTemplate.trialParameters';

/** A trialParameter that passed rule 24, with its index for issue paths. */
export interface CheckedTrialParameter {
  readonly index: number;
  readonly name: string;
  readonly reference: string;
}

/** Names of `spec.parameters` that are usable strings. */
export function parameterNames(spec: Obj): string[] {
  if (!Array.isArray(spec.parameters)) return [];
  return spec.parameters.flatMap((p) => (isRecord(p) && typeof p.name === 'string' && p.name !== '' ? [p.name] : []));
}

/**
 * Rules 20 and 24–26: trialParameters exist, each has a brace-free name and a reference, neither repeats,
 * and each reference is a parameter or a supported `${trialSpec.*}` key. Returns the usable entries.
 */
export function checkTrialParameters(tt: Obj, spec: Obj, issues: Issue[]): CheckedTrialParameter[] | undefined {
  const list = tt.trialParameters;
  if (isUnset(list)) {
    issues.push({
      path,
      message: 'trialParameters is required (Katib: Required value).',
      fix: 'Declare one trialParameter per placeholder: {name: learningRate, reference: lr}.',
    });
    return undefined;
  }
  if (!Array.isArray(list)) {
    issues.push({ path, message: `trialParameters must be a list, got ${show(list)}.` });
    return undefined;
  }
  const params = parameterNames(spec);
  const paramSet = new Set(params);
  const names = new Set<string>();
  const refs = new Set<string>();
  const out: CheckedTrialParameter[] = [];
  list.forEach((tp, i) => {
    const p = at(path, i);
    if (!isRecord(tp)) {
      issues.push({ path: p, message: `a trialParameter must be {name, reference}, got ${show(tp)}.` });
      return;
    }
    issues.push(...unknownFields(tp, p, knownFields.trialParameter));
    const { name, reference } = tp;
    if (
      typeof name !== 'string' ||
      name === '' ||
      typeof reference !== 'string' ||
      reference === '' ||
      /[{}]/.test(name)
    ) {
      issues.push({
        path: typeof name !== 'string' || name === '' || /[{}]/.test(name) ? at(p, 'name') : at(p, 'reference'),
        message: `name and reference must be specified and name must not contain '{' or '}' (name ${show(name)}, reference ${show(reference)}).`,
      });
      return;
    }
    if (names.has(name)) {
      issues.push({
        path: at(p, 'name'),
        message: `parameter name ${name} can't be duplicated in spec.trialParameters.`,
      });
    }
    if (refs.has(reference)) {
      issues.push({
        path: at(p, 'reference'),
        message: `parameter reference ${reference} can't be duplicated in spec.trialParameters.`,
        fix: "Reuse the first trialParameter's placeholder instead of declaring a second one.",
      });
    }
    names.add(name);
    refs.add(reference);
    const meta = parseMetaRef(reference);
    if (meta !== undefined && 'unsupported' in meta) {
      issues.push({
        path: at(p, 'reference'),
        message: `illegal reference of trial metadata: ${reference}.`,
        fix: 'Use ${trialSpec.Name|Namespace|Kind|APIVersion}, ${trialSpec.Labels[key]} or ${trialSpec.Annotations[key]}.',
      });
    } else if (meta === undefined && params.length > 0 && !paramSet.has(reference)) {
      // Katib checks this only when spec.parameters exist; NAS references (architecture, nn_config) are
      // assignment names the NAS services produce.
      issues.push({
        path: at(p, 'reference'),
        message: `parameter reference ${reference} does not exist in spec.parameters: ${params.join(', ')}.${didYouMean(reference, params)}`,
        fix: 'Reference the name of a spec.parameters entry.',
      });
    }
    out.push({ index: i, name, reference });
  });
  return out;
}

/**
 * Rules 27–28 on the template text: each declared name appears as a placeholder, and no placeholder is left
 * undeclared. Returns the text with every declared placeholder replaced by `test-value`, as Katib does.
 */
export function checkPlaceholders(
  text: string,
  tps: readonly CheckedTrialParameter[],
  srcPath: string,
  issues: Issue[],
): string {
  // One pass over the text for all placeholders (a 10,000-parameter template searched once per parameter took
  // tens of seconds); a name the pass did not see is looked up directly before it is reported missing.
  const seen = new Set([...text.matchAll(placeholderPattern)].map((m) => m[1] ?? ''));
  const declared = new Set(tps.map((t) => t.name));
  for (const tp of tps) {
    const ph = placeholder(tp.name);
    if (!seen.has(tp.name) && !text.includes(ph)) {
      const katibSyntax = text.includes(`$(trialParameters.`);
      issues.push({
        path: at(at(path, tp.index), 'name'),
        message: `parameter name: ${tp.name} in spec.trialParameters not found in spec.trialTemplate.`,
        fix: katibSyntax
          ? `The template uses $(trialParameters.…); Katib only substitutes the form ${ph}.`
          : `Use ${ph} in the template, or remove this trialParameter.`,
      });
    }
  }
  const rest = text.replace(placeholderPattern, (whole, name: string) => (declared.has(name) ? 'test-value' : whole));
  const left = [...new Set([...rest.matchAll(placeholderPattern)].map((m) => m[0]))];
  if (left.length > 0) {
    const names = tps.map((t) => t.name);
    const hints = left.map((l) => didYouMean(l.slice('${trialParameters.'.length, -1), names)).join('');
    issues.push({
      path: srcPath,
      message: `parameters: [${left.join(', ')}] in spec.trialTemplate not found in spec.trialParameters.${hints}`,
      fix: 'Declare each placeholder in spec.trialTemplate.trialParameters, or remove it from the template.',
    });
  }
  return rest;
}

/** Meta references to labels/annotations must name keys the template's own metadata has (Katib fails at run time). */
export function checkMetaKeys(template: Obj, tps: readonly CheckedTrialParameter[], issues: Issue[]): void {
  const meta = isRecord(template.metadata) ? template.metadata : {};
  for (const tp of tps) {
    const ref = parseMetaRef(tp.reference);
    if (ref === undefined || 'unsupported' in ref || (ref.key !== 'Labels' && ref.key !== 'Annotations')) continue;
    const field = ref.key === 'Labels' ? 'labels' : 'annotations';
    const map = meta[field];
    if (isRecord(map) && typeof map[ref.name] === 'string') continue;
    issues.push({
      path: at(at(path, tp.index), 'reference'),
      message: `illegal reference of trial metadata: the trial template's metadata.${field} has no key ${show(ref.name)}.`,
      fix: `Add ${ref.name} to the template's metadata.${field}.`,
    });
  }
}

/** Every `spec.parameters` entry must feed some trialParameter, or Katib fails each trial at creation. */
export function checkAllReferenced(spec: Obj, tps: readonly CheckedTrialParameter[]): Issue[] {
  if (!Array.isArray(spec.parameters)) return [];
  const refs = new Set(tps.map((t) => t.reference));
  return spec.parameters.flatMap((p, i) =>
    isRecord(p) && typeof p.name === 'string' && p.name !== '' && !refs.has(p.name)
      ? [
          {
            path: at(at('spec.parameters', i), 'name'),
            message: `parameter ${show(p.name)} is not referenced by any trialParameter; Katib would fail every trial with "unable to find parameter from ParameterAssignment in TrialParameters".`,
            fix: `Add {name: <placeholder>, reference: ${p.name}} to spec.trialTemplate.trialParameters and use it in the template, or remove the parameter.`,
          },
        ]
      : [],
  );
}
