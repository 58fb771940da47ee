import { readFileSync } from 'node:fs';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Issue } from '../common/issue.ts';
import { normalizeExperiment } from './normalize.ts';
import { readOptimizationJob } from './optimizationJob/read.ts';
import { optimizationJobKind } from './optimizationJob/types.ts';
import { isRecord } from './read.ts';
import type { ConfigMapData, ExperimentManifest } from './types.ts';

/** Parses every YAML document of `text`; a syntax error anywhere throws with `<source>:<line>:<col>`. */
function parseDocuments(text: string, source: string): unknown[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const issues: Issue[] = [];
  for (const doc of docs) {
    for (const e of doc.errors) {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      issues.push({ path: `${source}:${line}:${col}`, message: e.message });
    }
  }
  if (issues.length > 0) {
    throw new WorkbenchError(ErrorCode.invalidSpec, `${source} is not valid YAML:`, { issues });
  }
  return docs
    .map((d, i) => {
      try {
        return d.toJS();
      } catch (cause) {
        // yaml refuses to expand an alias bomb ("Excessive alias count") here, after parsing succeeded.
        throw new WorkbenchError(ErrorCode.invalidSpec, `${source} cannot be read:`, {
          cause,
          issues: [
            {
              path: docs.length === 1 ? source : `${source} (document ${i + 1})`,
              message: (cause as Error).message,
              fix: 'Write the values out instead of through so many YAML aliases (*name).',
            },
          ],
        });
      }
    })
    .filter((v) => v !== null && v !== undefined);
}

/**
 * The shape every consumer of an Experiment relies on before any rule runs: `metadata` and `spec` are mappings.
 * Anything else (`spec: null`, a string, a list) is reported with its path instead of failing later on a property.
 */
function shapeIssues(doc: Record<string, unknown>, where: string): Issue[] {
  const issues: Issue[] = [];
  for (const key of ['metadata', 'spec'] as const) {
    const v = doc[key];
    if (isRecord(v)) continue;
    issues.push({
      path: where === '' ? key : `${where}.${key}`,
      message:
        v === undefined
          ? `${key} is required.`
          : `${key} must be a mapping (key: value lines), got ${v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`}.`,
      fix:
        key === 'spec'
          ? 'Give the Experiment a spec with objective, algorithm, parameters and trialTemplate.'
          : 'Give the Experiment metadata with a name, e.g. metadata: {name: my-experiment}.',
    });
  }
  return issues;
}

/** The Experiment a Trainer OptimizationJob document means; its problems throw with the OptimizationJob's paths. */
function optimizationJobExperiment(doc: Record<string, unknown>, source: string): Record<string, unknown> {
  const read = readOptimizationJob(doc);
  if (read.ok) return read.experiment as unknown as Record<string, unknown>;
  const name = isRecord(doc.metadata) && typeof doc.metadata.name === 'string' ? ` '${doc.metadata.name}'` : '';
  const n = read.issues.length;
  throw new WorkbenchError(
    ErrorCode.invalidSpec,
    `${source}: OptimizationJob${name} has ${n} problem${n === 1 ? '' : 's'}:`,
    { issues: read.issues },
  );
}

/**
 * Reads every `kind: Experiment` document of a (multi-document) YAML text and normalises values users
 * write unquoted (numbers in feasibleSpace and settings become strings, a string goal a number).
 * A Kubeflow Trainer `kind: OptimizationJob` is read as the Experiment it means (see `readOptimizationJob`).
 * Other kinds are skipped; a text without any Experiment throws `invalidSpec`.
 */
export function loadExperiments(text: string, source = '<input>'): ExperimentManifest[] {
  const docs = parseDocuments(text, source).map((d) =>
    isRecord(d) && d.kind === optimizationJobKind ? optimizationJobExperiment(d, source) : d,
  );
  const experiments = docs.filter((d) => isRecord(d) && d.kind === 'Experiment');
  if (experiments.length === 0) {
    const kinds = docs.map((d) => (isRecord(d) && typeof d.kind === 'string' ? d.kind : '(no kind)'));
    throw new WorkbenchError(ErrorCode.invalidSpec, `${source} contains no Katib Experiment`, {
      issues: [
        {
          path: source,
          message:
            kinds.length === 0
              ? 'the file has no YAML documents.'
              : `no document has kind: Experiment (found: ${kinds.join(', ')}).`,
          fix: 'Give the file a document with apiVersion: kubeflow.org/v1beta1 and kind: Experiment (or a trainer.kubeflow.org/v1alpha1 OptimizationJob).',
        },
      ],
    });
  }
  const issues = experiments.flatMap((d, i) =>
    shapeIssues(d as Record<string, unknown>, experiments.length === 1 ? '' : `(experiment ${i + 1})`),
  );
  if (issues.length > 0) {
    throw new WorkbenchError(ErrorCode.invalidSpec, `${source} has a malformed Experiment:`, { issues });
  }
  return experiments.map((d) => normalizeExperiment(d as Record<string, unknown>));
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new WorkbenchError(
      missing ? ErrorCode.notFound : ErrorCode.invalidArgument,
      `cannot read ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** Reads a YAML file and returns its Experiments (see {@link loadExperiments}). */
export function loadExperimentFile(path: string): ExperimentManifest[] {
  return loadExperiments(readText(path), path);
}

/**
 * Collects the `data` of every `kind: ConfigMap` document of a YAML text as {@link ConfigMapData},
 * so trial templates stored in ConfigMaps can be validated and rendered without a cluster.
 */
export function loadConfigMaps(text: string, source = '<input>'): ConfigMapData {
  const out: ConfigMapData = {};
  for (const doc of parseDocuments(text, source)) {
    if (!isRecord(doc) || doc.kind !== 'ConfigMap' || !isRecord(doc.metadata) || !isRecord(doc.data)) continue;
    const ns = typeof doc.metadata.namespace === 'string' ? doc.metadata.namespace : 'default';
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.data)) if (typeof v === 'string') data[k] = v;
    out[`${ns}/${String(doc.metadata.name)}`] = data;
  }
  return out;
}

/** Reads ConfigMaps from a YAML file (see {@link loadConfigMaps}). */
export function loadConfigMapFile(path: string): ConfigMapData {
  return loadConfigMaps(readText(path), path);
}
