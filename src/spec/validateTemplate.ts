import { parseDocument } from 'yaml';
import type { Issue } from '../common/issue.ts';
import { findContainers } from './containers.ts';
import { closest, didYouMean } from './didYouMean.ts';
import { knownFields, unknownFields } from './fields.ts';
import { checkJobFields } from './jobFields.ts';
import { defaultConditions, replicaKeyOf } from './kinds.ts';
import { asNonEmptyString, at, isRecord, isUnset, type Obj, show } from './read.ts';
import type { ValidateOptions } from './validateOptions.ts';
import {
  checkAllReferenced,
  checkMetaKeys,
  checkPlaceholders,
  checkTrialParameters,
} from './validateTrialParameters.ts';

const path = 'spec.trialTemplate';

/** Where the template text came from, and how to point at a place inside it. */
interface TemplateSource {
  readonly text: string;
  /** The inline object; undefined for ConfigMap text, which is decoded after substitution. */
  readonly object?: Obj;
  readonly path: string;
  /** Issue path for a dotted path inside the template. */
  readonly where: (inner: string) => string;
}

/** Rules 21–23: exactly one of trialSpec and configMap, and a readable template. */
function loadSource(tt: Obj, opts: ValidateOptions, issues: Issue[]): TemplateSource | undefined {
  const hasSpec = !isUnset(tt.trialSpec);
  const hasCm = !isUnset(tt.configMap);
  if (hasSpec === hasCm) {
    issues.push({
      path: `${path}.trialSpec`,
      message: hasSpec
        ? 'only one of spec.trialTemplate.trialSpec or spec.trialTemplate.configMap can be specified.'
        : 'spec.trialTemplate.trialSpec or spec.trialTemplate.configMap must be specified.',
      fix: hasSpec ? 'Remove one of them.' : 'Write the trial job inline under trialSpec.',
    });
    return undefined;
  }
  if (hasSpec) {
    const spec = tt.trialSpec;
    if (!isRecord(spec)) {
      issues.push({ path: `${path}.trialSpec`, message: `trialSpec must be a Kubernetes object, got ${show(spec)}.` });
      return undefined;
    }
    const base = `${path}.trialSpec`;
    return { text: JSON.stringify(spec), object: spec, path: base, where: (inner) => at(base, inner) };
  }
  const cm = tt.configMap;
  const cmPath = `${path}.configMap`;
  issues.push(...unknownFields(cm, cmPath, knownFields.configMap));
  const fields = isRecord(cm) ? cm : {};
  const name = asNonEmptyString(fields.configMapName);
  const ns = asNonEmptyString(fields.configMapNamespace);
  const key = asNonEmptyString(fields.templatePath);
  if (name === undefined || ns === undefined || key === undefined) {
    issues.push({ path: cmPath, message: 'configMapName, configMapNamespace and templatePath must be specified.' });
    return undefined;
  }
  const data = opts.configMaps?.[`${ns}/${name}`];
  if (data === undefined) {
    issues.push({
      path: cmPath,
      message: `unable to parse spec.trialTemplate: the ConfigMap ${ns}/${name} cannot be read outside a cluster.`,
      fix: 'Supply the ConfigMap manifest (its data is read from it), or copy the template inline under trialSpec.',
    });
    return undefined;
  }
  const text = data[key];
  if (text === undefined) {
    issues.push({
      path: `${cmPath}.templatePath`,
      message: `unable to parse spec.trialTemplate: ConfigMap ${ns}/${name} has no key ${show(key)} (keys: ${Object.keys(data).join(', ')}).${didYouMean(key, Object.keys(data))}`,
    });
    return undefined;
  }
  const keyPath = `${cmPath}.templatePath`;
  return { text, path: keyPath, where: () => keyPath };
}

/** Rule 29 (decodable after substitution) for ConfigMap text; an inline trialSpec is already an object. */
function decode(source: TemplateSource, substituted: string, issues: Issue[]): Obj | undefined {
  if (source.object) return source.object;
  const doc = parseDocument(substituted, { prettyErrors: false });
  const value: unknown = doc.errors.length === 0 ? doc.toJS() : undefined;
  if (isRecord(value)) return value;
  issues.push({
    path: source.path,
    message: `unable to convert spec.trialTemplate to unstructured: ${doc.errors[0]?.message ?? `got ${show(value)}`}.`,
  });
  return undefined;
}

/** Rules 30–32 and the primary-container check on the decoded template. */
function checkObject(obj: Obj, tt: Obj, source: TemplateSource): Issue[] {
  const issues: Issue[] = [];
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  for (const k of ['name', 'namespace'] as const) {
    if (!isUnset(meta[k])) {
      issues.push({
        path: source.where(`metadata.${k}`),
        message: 'metadata.name and metadata.namespace in spec.trialTemplate must be omitted.',
        fix: 'Remove them; each trial sets its own name and the Experiment namespace.',
      });
    }
  }
  if (isUnset(obj.apiVersion) || isUnset(obj.kind)) {
    issues.push({
      path: source.where(isUnset(obj.apiVersion) ? 'apiVersion' : 'kind'),
      message: 'APIVersion and Kind in spec.trialTemplate must be specified.',
    });
    return issues;
  }
  const kind = String(obj.kind);
  if (obj.apiVersion === 'batch/v1' && kind === 'Job') issues.push(...checkJobFields(obj, source.where));
  const primary = tt.primaryContainerName;
  // TrainJob pods come from its runtime, whose trainer container is conventionally `node`; we cannot see it.
  const inspectable = kind === 'Job' || replicaKeyOf(kind) !== undefined;
  if (!inspectable || typeof primary !== 'string' || primary === '') return issues;
  const containers = findContainers(obj);
  if (containers.length === 0) {
    const key = replicaKeyOf(kind);
    issues.push({
      path: source.where(key === undefined ? 'spec.template.spec.containers' : `spec.${key}`),
      message: `the ${kind} template defines no containers.`,
      fix: key === undefined ? 'Add spec.template.spec.containers.' : `Add ${key}.<Role>.template.spec.containers.`,
    });
    return issues;
  }
  const names = [...new Set(containers.map((c) => String(c.container.name)))];
  if (!names.includes(primary)) {
    issues.push({
      path: `${path}.primaryContainerName`,
      message: `no container named ${show(primary)} in the trial template (containers: ${names.join(', ')}).${didYouMean(primary, names)}`,
      fix: `Set primaryContainerName to ${closest(primary, names) ?? names[0]} (the container that runs training).`,
    });
  }
  return issues;
}

/** Rule 19, after defaulting: both conditions are set (Katib defaults them only for inline known kinds). */
function checkConditions(tt: Obj, obj: Obj | undefined): Issue[] {
  if (!isUnset(tt.successCondition) && !isUnset(tt.failureCondition)) return [];
  const kind = typeof obj?.kind === 'string' ? obj.kind : undefined;
  const d = kind === undefined ? undefined : defaultConditions(kind);
  const why = isUnset(tt.trialSpec) ? 'a configMap template' : `kind ${show(kind)}`;
  return [
    {
      path: `${path}.${isUnset(tt.successCondition) ? 'successCondition' : 'failureCondition'}`,
      message: `successCondition and failureCondition must be specified (Katib has no default for ${why}).`,
      fix: d
        ? `For a ${kind} use successCondition: '${d.success}' and failureCondition: '${d.failure}'.`
        : 'Write GJSON paths on the job object that match its success and its failure.',
    },
  ];
}

/** Webhook rules 17–32 on a defaulted trialTemplate, plus the checks Katib defers to run time. */
export function checkTrialTemplate(spec: Obj, opts: ValidateOptions): Issue[] {
  const tt = spec.trialTemplate;
  if (isUnset(tt)) {
    if (opts.inProcess) return [];
    return [
      {
        path,
        message: 'trialTemplate is required (Katib: Required value).',
        fix: 'Add a trialTemplate whose trialSpec runs your training, or run the objective in process.',
      },
    ];
  }
  if (!isRecord(tt)) return [{ path, message: `trialTemplate must be a mapping, got ${show(tt)}.` }];
  const issues = unknownFields(tt, path, knownFields.trialTemplate);
  if (typeof tt.primaryContainerName !== 'string' || tt.primaryContainerName === '') {
    issues.push({
      path: `${path}.primaryContainerName`,
      message: 'primaryContainerName is required (Katib: Required value).',
      fix: 'Name the container that runs training (its output is where metrics are collected).',
    });
  }
  const source = loadSource(tt, opts, issues);
  const tps = checkTrialParameters(tt, spec, issues);
  if (tps) issues.push(...checkAllReferenced(spec, tps));
  let obj: Obj | undefined;
  if (source) {
    const substituted = checkPlaceholders(source.text, tps ?? [], source.path, issues);
    obj = decode(source, substituted, issues);
    if (obj) {
      issues.push(...checkObject(obj, tt, source));
      if (tps) checkMetaKeys(obj, tps, issues);
    }
  }
  issues.push(...checkConditions(tt, obj));
  return issues;
}
