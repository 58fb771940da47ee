import type { Issue } from '../common/issue.ts';
import type { ValueType } from '../search/expression.ts';
import { applyDefaults, defaultParallelTrialCount } from './defaults.ts';
import { knownFields, unknownFields } from './fields.ts';
import { undefaultedKindIssues } from './katibWebhook.ts';
import { at, isRecord, isUnset, type Obj, show } from './read.ts';
import { checkScheduling } from './scheduling.ts';
import type { ExperimentManifest } from './types.ts';
import { checkCollector } from './validateCollector.ts';
import { checkParameterConstraints } from './validateExpressions.ts';
import { checkSearchSpace } from './validateNas.ts';
import { checkAlgorithms, checkObjective } from './validateObjective.ts';
import type { ValidateOptions } from './validateOptions.ts';
import { checkTrialTemplate } from './validateTemplate.ts';

export type { ValidateOptions } from './validateOptions.ts';

/** Katib's name rule, anchored (Katib's own regex lacks `$`, so `abc_DEF` passes there). */
const experimentName = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** Suggestion Deployments are named `<experiment>-<algorithm>`, hence Katib's 40-character limit. */
const maxNameLength = 40;
const namespaceName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const resumePolicies = ['Never', 'LongRunning', 'FromVolume'];

/** A valid name close to `name`, for the fix text. */
function suggestName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^-a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, maxNameLength)
    .replace(/-+$/, '');
  return cleaned === '' ? 'my-experiment' : cleaned;
}

function checkMeta(m: Obj): Issue[] {
  const issues = unknownFields(m, '', knownFields.experiment);
  if (m.apiVersion !== 'kubeflow.org/v1beta1') {
    issues.push({
      path: 'apiVersion',
      message: `apiVersion must be kubeflow.org/v1beta1, got ${show(m.apiVersion)}.`,
      fix: 'Set apiVersion: kubeflow.org/v1beta1.',
    });
  }
  if (m.kind !== 'Experiment') issues.push({ path: 'kind', message: `kind must be Experiment, got ${show(m.kind)}.` });
  const meta = isRecord(m.metadata) ? m.metadata : {};
  issues.push(...unknownFields(meta, 'metadata', knownFields.metadata));
  const name = meta.name;
  if (typeof name !== 'string' || name === '') {
    issues.push({
      path: 'metadata.name',
      message: 'name is required.',
      fix: 'Name the experiment, e.g. my-experiment.',
    });
  } else if (!experimentName.test(name) || name.length > maxNameLength) {
    issues.push({
      path: 'metadata.name',
      message: `name ${show(name)} must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character, and may not be longer than ${maxNameLength} characters.`,
      fix: `Use a name like ${show(suggestName(name))}.`,
    });
  }
  const ns = meta.namespace;
  if (typeof ns !== 'string' || !namespaceName.test(ns) || ns.length > 63) {
    issues.push({
      path: 'metadata.namespace',
      message: `namespace ${show(ns)} is not a valid Kubernetes namespace name (lower case alphanumerics and '-', at most 63).`,
    });
  }
  return issues;
}

function checkCount(spec: Obj, key: string, issues: Issue[]): number | undefined {
  const v = spec[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) {
    issues.push({ path: at('spec', key), message: `${key} must be a whole number, got ${show(v)}.` });
    return undefined;
  }
  return v;
}

/** Rules 2–6 on the trial budget; `raw` tells whether parallelTrialCount was written or defaulted. */
function checkBudget(spec: Obj, raw: Obj): Issue[] {
  const issues: Issue[] = [];
  const max = checkCount(spec, 'maxTrialCount', issues);
  const parallel = checkCount(spec, 'parallelTrialCount', issues);
  const failed = checkCount(spec, 'maxFailedTrialCount', issues);
  if (failed !== undefined && failed < 0) {
    issues.push({ path: 'spec.maxFailedTrialCount', message: 'maxFailedTrialCount should not be less than 0.' });
  }
  if (max !== undefined && max <= 0) {
    issues.push({
      path: 'spec.maxTrialCount',
      message: 'maxTrialCount must be greater than 0.',
      fix: 'Set a positive maxTrialCount, or remove it for an experiment bounded only by its goal.',
    });
  }
  if (parallel !== undefined && parallel <= 0) {
    issues.push({ path: 'spec.parallelTrialCount', message: 'parallelTrialCount must be greater than 0.' });
  }
  if (max === undefined || max <= 0) return issues;
  if (failed !== undefined && failed > max) {
    issues.push({
      path: 'spec.maxFailedTrialCount',
      message: `maxFailedTrialCount (${failed}) should be less than or equal to spec.maxTrialCount (${max}). Katib's webhook rejects this; here the failure budget simply can never be reached.`,
      fix: `Set maxFailedTrialCount to at most ${max}.`,
      severity: 'warning',
    });
  }
  if (parallel !== undefined && parallel > max) {
    const defaulted = isUnset(raw.parallelTrialCount) ? ` (defaulted to ${defaultParallelTrialCount})` : '';
    issues.push({
      path: 'spec.parallelTrialCount',
      message: `parallelTrialCount (${parallel}${defaulted}) should be less than or equal to spec.maxTrialCount (${max}).`,
      fix: `Set parallelTrialCount to at most ${max}.`,
    });
  }
  return issues;
}

/**
 * Checks an Experiment the way Katib's validating webhook does after its mutating webhook (defaults are applied
 * here first), with the name regex anchored, plus the checks Katib leaves to run time. Returns every issue found;
 * an empty list means the Experiment can run.
 */
export function validateExperiment(m: ExperimentManifest, opts: ValidateOptions): Issue[] {
  if (!isRecord(m)) return [{ path: '', message: `an Experiment must be a YAML mapping, got ${show(m)}.` }];
  const raw = m as unknown as Obj;
  const d = applyDefaults(m) as unknown as Obj;
  const issues = checkMeta(d);
  const spec = d.spec;
  if (!isRecord(spec)) return [...issues, { path: 'spec', message: 'spec is required.' }];
  issues.push(...unknownFields(spec, 'spec', knownFields.spec));
  issues.push(...checkBudget(spec, isRecord(raw.spec) ? raw.spec : {}));
  issues.push(...checkObjective(spec));
  issues.push(...checkAlgorithms(spec, opts));
  if (!isUnset(spec.resumePolicy) && !resumePolicies.includes(spec.resumePolicy as string)) {
    issues.push({
      path: 'spec.resumePolicy',
      message: `invalid ResumePolicyType ${show(spec.resumePolicy)}.`,
      fix: `Use one of: ${resumePolicies.join(', ')}.`,
    });
  }
  issues.push(...checkSearchSpace(spec));
  issues.push(...checkParameterConstraints(spec, parameterTypes(spec), categoricalValues(spec)));
  issues.push(...checkTrialTemplate(spec, opts));
  issues.push(...checkScheduling(spec));
  issues.push(...checkCollector(spec, opts.collectorKinds));
  // Runs here on our defaults; Katib's webhook refuses it (hpo submit refuses it first).
  issues.push(...undefaultedKindIssues(m).map((i): Issue => ({ ...i, severity: 'warning' })));
  return issues;
}

/** Each named parameter's value type as a constraint reads it: categorical values are strings, the rest numbers. */
function parameterTypes(spec: Obj): Map<string, ValueType> {
  const list = Array.isArray(spec.parameters) ? spec.parameters : [];
  const types = new Map<string, ValueType>();
  for (const p of list) {
    if (isRecord(p) && typeof p.name === 'string')
      types.set(p.name, p.parameterType === 'categorical' ? 'string' : 'number');
  }
  return types;
}

/** The values of each categorical parameter whose list is a list of strings (for `name == "value"` checks). */
function categoricalValues(spec: Obj): Map<string, readonly string[]> {
  const list = Array.isArray(spec.parameters) ? spec.parameters : [];
  const out = new Map<string, readonly string[]>();
  for (const p of list) {
    if (!isRecord(p) || typeof p.name !== 'string' || p.parameterType !== 'categorical') continue;
    const values = isRecord(p.feasibleSpace) ? p.feasibleSpace.list : undefined;
    if (Array.isArray(values) && values.every((v) => typeof v === 'string')) out.set(p.name, values as string[]);
  }
  return out;
}
