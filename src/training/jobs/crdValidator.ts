/**
 * Validates a manifest against a CustomResourceDefinition's `openAPIV3Schema` the way the API server would, minus
 * CEL: JSON-schema checks (ajv) plus a walk flagging fields the schema does not declare, which the server prunes
 * silently (kubeflow REFERENCE §0 caveats, §7). Compiled schemas are cached per CRD text: compiling a 600 KB CRD
 * takes about half a second.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import type { Issue } from '../../common/issue.ts';
import { isRecord } from '../../spec/read.ts';

type Schema = Record<string, unknown>;

interface CrdVersion {
  readonly schema: Schema;
  readonly served: boolean;
  validate?: ValidateFunction;
}

interface Crd {
  readonly group: string;
  readonly kind: string;
  readonly versions: ReadonlyMap<string, CrdVersion>;
}

const crds = new Map<string, Crd>();
let ajv: Ajv | undefined;

// ObjectMeta fields a client may send; anything else under metadata is dropped by the server.
const objectMetaFields = new Set([
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

function loadCrd(text: string): Crd {
  const cached = crds.get(text);
  if (cached) return cached;
  const doc = parseAllDocuments(text)
    .map((d) => d.toJS({ maxAliasCount: -1 }) as unknown)
    .find((d) => isRecord(d) && d.kind === 'CustomResourceDefinition');
  const spec = isRecord(doc) && isRecord(doc.spec) ? doc.spec : undefined;
  if (!spec || !isRecord(spec.names) || !Array.isArray(spec.versions)) {
    throw new Error('The text given as a CRD holds no CustomResourceDefinition with names and versions.');
  }
  const versions = new Map<string, CrdVersion>();
  for (const v of spec.versions) {
    const schema = isRecord(v) && isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (isRecord(v) && typeof v.name === 'string' && isRecord(schema)) {
      versions.set(v.name, { schema, served: v.served !== false });
    }
  }
  const crd: Crd = { group: String(spec.group), kind: String(spec.names.kind), versions };
  crds.set(text, crd);
  return crd;
}

function compiled(version: CrdVersion): ValidateFunction {
  if (version.validate) return version.validate;
  // Kubernetes extensions (x-kubernetes-*) are not JSON-schema keywords and formats such as int32 are advisory.
  ajv ??= new Ajv({ strict: false, allErrors: true, validateFormats: false });
  version.validate = ajv.compile(version.schema);
  return version.validate;
}

/** `/spec/containers/0/name` → `spec.containers[0].name`. */
function dotted(pointer: string, extra?: string): string {
  const parts =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
}

function toIssue(e: ErrorObject): Issue {
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty?: unknown }).missingProperty);
    return { path: dotted(e.instancePath, missing), message: 'Required field is missing.' };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return {
      path: dotted(e.instancePath),
      message: `Must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}.`,
    };
  }
  if (e.keyword === 'anyOf') return { path: dotted(e.instancePath), message: 'Must be an integer or a string.' };
  return { path: dotted(e.instancePath), message: `Schema: ${e.message ?? e.keyword}.` };
}

function schemaIssues(validate: ValidateFunction, manifest: unknown): Issue[] {
  if (validate(manifest)) return [];
  const seen = new Set<string>();
  const out: Issue[] = [];
  // Branch failures inside anyOf (int-or-string) repeat what the anyOf error says.
  for (const e of validate.errors ?? []) {
    if (e.schemaPath.includes('/anyOf/')) continue;
    const issue = toIssue(e);
    const key = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(key)) out.push(issue);
    seen.add(key);
  }
  return out;
}

function walk(value: unknown, schema: Schema | undefined, path: string, issues: Issue[], embedded: boolean): void {
  if (schema === undefined) return;
  if (Array.isArray(value)) {
    const items = isRecord(schema.items) ? schema.items : undefined;
    const embeddedItems = items?.['x-kubernetes-embedded-resource'] === true;
    for (const [i, v] of value.entries()) walk(v, items, `${path}[${i}]`, issues, embeddedItems);
    return;
  }
  if (!isRecord(value)) return;
  const props = isRecord(schema.properties) ? schema.properties : {};
  const extra = schema.additionalProperties;
  const keepsUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || extra === true;
  for (const [key, v] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    const child = props[key];
    // An embedded object's metadata is an ObjectMeta whatever the schema says (the CRDs just say `type: object`).
    if (embedded && (key === 'apiVersion' || key === 'kind')) continue;
    if (embedded && key === 'metadata') walkMetadata(v, at, issues);
    else if (isRecord(child)) walk(v, child, at, issues, child['x-kubernetes-embedded-resource'] === true);
    else if (isRecord(extra)) walk(v, extra, at, issues, false);
    else if (!keepsUnknown) {
      issues.push({
        path: at,
        message: 'Unknown field: the schema does not declare it, so the API server would prune it.',
      });
    }
  }
}

function walkMetadata(meta: unknown, path: string, issues: Issue[]): void {
  if (!isRecord(meta)) return;
  for (const key of Object.keys(meta)) {
    if (!objectMetaFields.has(key))
      issues.push({ path: `${path}.${key}`, message: 'Unknown metadata field: the API server would drop it.' });
  }
}

/**
 * Problems of `manifest` against the CRD in `crdYamlText`: apiVersion/kind not served by the CRD, schema violations
 * and unknown (pruned) fields, each with a dotted path. CEL rules (`x-kubernetes-validations`) are not evaluated.
 */
export function validateAgainstCrd(manifest: unknown, crdYamlText: string): Issue[] {
  const crd = loadCrd(crdYamlText);
  if (!isRecord(manifest)) return [{ path: '', message: 'A manifest must be a mapping.' }];
  const apiVersion = typeof manifest.apiVersion === 'string' ? manifest.apiVersion : '';
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = crd.versions.get(apiVersion.slice(slash + 1));
  const issues: Issue[] = [];
  if (manifest.kind !== crd.kind)
    issues.push({ path: 'kind', message: `The CRD defines ${crd.kind}, not ${String(manifest.kind)}.` });
  if (group !== crd.group || version === undefined || !version.served) {
    const served = [...crd.versions].filter(([, v]) => v.served).map(([n]) => `${crd.group}/${n}`);
    issues.push({
      path: 'apiVersion',
      message: `The CRD serves ${served.join(', ')}, not ${JSON.stringify(apiVersion)}.`,
    });
  }
  if (version === undefined || issues.length > 0) return issues;
  issues.push(...schemaIssues(compiled(version), manifest));
  walk(manifest, version.schema, '', issues, true);
  return issues;
}
