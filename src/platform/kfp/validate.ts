/**
 * Checks a KFP v2 pipeline file as KFP 2.17's API server reads one: YAML documents, the first a `PipelineSpec`
 * and an optional second a `PlatformSpec`, each parsed as proto3 JSON with unknown fields and enum names refused
 * (REFERENCE §4: `protojson.Unmarshal` with default options), `deploymentSpec` read as the
 * `PipelineDeploymentConfig` the driver decodes it into, the server's own checks (`schemaVersion` 2.1.0, a
 * pipeline name, a root), then the wiring rules of semantics.ts. Nothing here talks to a KFP server.
 */
import type { Type } from 'protobufjs';
import { parseAllDocuments } from 'yaml';
import type { Issue } from '../../common/issue.ts';
import { kfpSchemaVersion } from './pipeline.ts';
import { joinPath, jsonName, ProtoJsonReader } from './protoJson.ts';
import { type KfpSchema, loadKfpSchema } from './schema.ts';
import { checkPipelineSemantics } from './semantics.ts';
import { repairQuotedIndentation } from './yamlRepair.ts';

/** Options of {@link validatePipeline}. */
export interface ValidatePipelineOptions {
  /** Folder of KFP's protos (`v2alpha1/pipeline_spec.proto`, optionally `kubernetes_platform/`), or a loaded schema. */
  readonly schema: string | KfpSchema;
}

/** The verdict on a pipeline file: every issue found, each with its path. */
export interface PipelineValidation {
  readonly valid: boolean;
  readonly issues: readonly Issue[];
  /** Notes that do not make the file invalid (a YAML quirk other readers accept, say). */
  readonly notes: readonly string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A field by its JSON name or its proto name, as protojson accepts either. */
const pick = (o: Obj, protoName: string): unknown => o[jsonName(protoName)] ?? o[protoName];

/**
 * YAML text → documents. KFP's Go reader (like PyYAML) accepts a multi-line double-quoted scalar whose continuation
 * lines are indented no deeper than its list item, which YAML 1.2 and the `yaml` package refuse; such lines are
 * re-indented (inside a double-quoted scalar leading spaces are folded away, so the value is unchanged) and noted.
 */
function documents(text: string, issues: Issue[], notes: string[]): unknown[] {
  let parsed = parseAllDocuments(text);
  if (!Array.isArray(parsed) || parsed.some((d) => d.errors.length > 0)) {
    const repaired = repairQuotedIndentation(text);
    const again = repaired === text ? undefined : parseAllDocuments(repaired);
    if (again !== undefined && Array.isArray(again) && again.every((d) => d.errors.length === 0)) {
      notes.push(
        'continuation lines of a double-quoted scalar were indented no deeper than their item (accepted by KFP and PyYAML, not by YAML 1.2)',
      );
      parsed = again;
    }
  }
  if (!Array.isArray(parsed)) return [];
  const docs: unknown[] = [];
  for (const [i, d] of parsed.entries()) {
    if (d.errors.length > 0) {
      issues.push({ path: `document ${i + 1}`, message: `is not valid YAML: ${d.errors[0]!.message.split('\n')[0]}` });
      continue;
    }
    const v = d.toJS() as unknown;
    if (v !== null && v !== undefined) docs.push(v);
  }
  return docs;
}

function readAs(type: Type, json: unknown, path: string, issues: Issue[]): Obj | undefined {
  const reader = new ProtoJsonReader();
  const out = reader.message(type, json, path);
  issues.push(...reader.issues);
  if (reader.issues.length > 0 || out === undefined) return undefined;
  // The converted object must also be what protobufjs itself takes, encodes and decodes.
  const problem = type.verify(out);
  if (problem !== null) {
    issues.push({ path: path || type.name, message: `rejected by the ${type.name} schema: ${problem}` });
    return undefined;
  }
  type.decode(type.encode(type.fromObject(out)).finish());
  return out;
}

function checkSpec(doc: unknown, schema: KfpSchema, issues: Issue[]): Obj | undefined {
  if (!isObj(doc)) {
    issues.push({ path: 'document 1', message: 'must be a mapping (a KFP PipelineSpec)' });
    return undefined;
  }
  if (typeof doc.apiVersion === 'string' && typeof doc.kind === 'string') {
    issues.push({
      path: 'document 1',
      message: `is a Kubernetes object (${doc.apiVersion} ${doc.kind}), not KFP pipeline IR`,
      fix: 'give the PipelineSpec the KFP compiler wrote (components, deploymentSpec, pipelineInfo, root, schemaVersion)',
    });
    return undefined;
  }
  const spec = readAs(schema.pipelineSpec, doc, '', issues);
  // The API server's own checks (backend/src/apiserver/template/v2_template.go).
  if (pick(doc, 'schema_version') !== kfpSchemaVersion) {
    issues.push({
      path: 'schemaVersion',
      message: `must be ${kfpSchemaVersion}, got ${JSON.stringify(pick(doc, 'schema_version') ?? null)}`,
    });
  }
  const info = pick(doc, 'pipeline_info');
  const name = isObj(info) ? info.name : undefined;
  // The server's name regex is unanchored, so it only asks for one lower-case letter or digit somewhere.
  if (typeof name !== 'string' || !/[a-z0-9]/.test(name)) {
    issues.push({ path: 'pipelineInfo.name', message: 'is required: a lower-case name (letters, digits, -)' });
  }
  if (doc.root === undefined || doc.root === null)
    issues.push({ path: 'root', message: 'is required: the pipeline’s root DAG' });
  const deploymentJson = pick(doc, 'deployment_spec');
  const deployment =
    deploymentJson === undefined ? {} : readAs(schema.deploymentConfig, deploymentJson, 'deploymentSpec', issues);
  if (spec !== undefined && deployment !== undefined) issues.push(...checkPipelineSemantics(spec, deployment));
  return isObj(deploymentJson) ? deploymentJson : {};
}

function checkPlatform(doc: unknown, executorLabels: ReadonlySet<string>, schema: KfpSchema, issues: Issue[]): void {
  if (readAs(schema.platformSpec, doc, '', issues) === undefined || !isObj(doc)) return;
  for (const [platform, raw] of Object.entries(isObj(doc.platforms) ? doc.platforms : {})) {
    const dep = isObj(raw) ? pick(raw, 'deployment_spec') : undefined;
    const execs = isObj(dep) ? dep.executors : undefined;
    for (const [label, config] of Object.entries(isObj(execs) ? execs : {})) {
      const at = joinPath(`platforms.${platform}.deploymentSpec.executors`, label);
      if (!executorLabels.has(label))
        issues.push({
          path: at,
          message: `configures executor '${label}', which the PipelineSpec's deploymentSpec does not define`,
        });
      if (platform === 'kubernetes' && schema.kubernetesExecutorConfig !== undefined) {
        readAs(schema.kubernetesExecutorConfig, config, at, issues);
      }
    }
  }
}

/**
 * Checks a pipeline: YAML text (one or two documents) or the parsed documents. Loads protobufjs and the protos on
 * first use. Never throws for a bad pipeline: every problem is an issue.
 */
export async function validatePipeline(
  input: string | Obj | readonly unknown[],
  options: ValidatePipelineOptions,
): Promise<PipelineValidation> {
  const schema = typeof options.schema === 'string' ? await loadKfpSchema(options.schema) : options.schema;
  const issues: Issue[] = [];
  const notes: string[] = [];
  const docs =
    typeof input === 'string' ? documents(input, issues, notes) : Array.isArray(input) ? [...input] : [input];
  if (docs.length === 0 && issues.length === 0)
    issues.push({ path: 'document 1', message: 'is empty: no PipelineSpec' });
  if (docs.length > 2)
    issues.push({
      path: `document ${docs.length}`,
      message: 'a pipeline file holds a PipelineSpec and at most one PlatformSpec',
    });
  if (docs.length > 0) {
    const deployment = checkSpec(docs[0], schema, issues);
    const executors = deployment && isObj(deployment.executors) ? Object.keys(deployment.executors) : [];
    if (docs.length > 1) checkPlatform(docs[1], new Set(executors), schema, issues);
  }
  return { valid: issues.length === 0, issues, notes };
}
