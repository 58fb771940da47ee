import { defaultConditions, defaultPrimaryPodLabels } from './kinds.ts';
import { isRecord, isUnset, type Obj } from './read.ts';
import type { ExperimentManifest } from './types.ts';

/** Katib's default `parallelTrialCount` (`experiment_defaults.go`). */
export const defaultParallelTrialCount = 3;
/** Default metrics file of the `File` collector. */
export const defaultMetricsFilePath = '/var/log/katib/metrics.log';
/** Default event directory of the `TensorFlowEvent` collector. */
export const defaultTfEventDir = '/var/log/katib/tfevent/';

/**
 * Returns a copy of `m` with Katib's mutating-webhook defaults applied (REFERENCE §1.1/§1.2), plus
 * namespace `default`. Pure and idempotent; tolerates malformed input by defaulting only what it can read.
 */
export function applyDefaults(m: ExperimentManifest): ExperimentManifest {
  const out = structuredClone(m) as unknown;
  if (!isRecord(out)) return m;
  if (!isRecord(out.metadata)) out.metadata = {};
  const meta = out.metadata as Obj;
  if (isUnset(meta.namespace)) meta.namespace = 'default';
  if (!isRecord(out.spec)) return out as unknown as ExperimentManifest;
  const spec = out.spec;
  if (spec.parallelTrialCount === undefined || spec.parallelTrialCount === null) {
    spec.parallelTrialCount = defaultParallelTrialCount;
  }
  if (isUnset(spec.resumePolicy)) spec.resumePolicy = 'Never';
  defaultParameters(spec);
  defaultObjective(spec);
  spec.metricsCollectorSpec = defaultCollector(spec.metricsCollectorSpec);
  defaultTrialTemplate(spec);
  return out as unknown as ExperimentManifest;
}

function defaultParameters(spec: Obj): void {
  if (!Array.isArray(spec.parameters)) return;
  for (const p of spec.parameters) {
    if (!isRecord(p)) continue;
    // FeasibleSpace is a struct (not a pointer) in Katib, so it always exists once defaulted.
    if (!isRecord(p.feasibleSpace)) p.feasibleSpace = {};
    const fs = p.feasibleSpace as Obj;
    if (isUnset(fs.distribution)) fs.distribution = 'uniform';
  }
}

function defaultObjective(spec: Obj): void {
  const obj = spec.objective;
  if (!isRecord(obj)) return;
  // Katib gives every metric without a strategy the objective's direction, additional metrics included.
  const strategy = obj.type === 'minimize' ? 'min' : obj.type === 'maximize' ? 'max' : 'latest';
  const strategies = Array.isArray(obj.metricStrategies) ? [...obj.metricStrategies] : [];
  const named = new Set(strategies.filter(isRecord).map((s) => s.name));
  const directions = defaultAdditionalObjectives(obj);
  const metrics = [
    obj.objectiveMetricName,
    ...(Array.isArray(obj.additionalMetricNames) ? obj.additionalMetricNames : []),
  ];
  for (const name of metrics) {
    if (typeof name !== 'string' || name === '' || named.has(name)) continue;
    strategies.push({ name, value: directions.get(name) ?? strategy });
    named.add(name);
  }
  obj.metricStrategies = strategies;
}

/**
 * Our extension `additionalObjectives`: each objective's metric is appended to `additionalMetricNames` so that Katib,
 * which prunes the extension, still collects it; returned is each one's own direction (min/max), its default
 * strategy instead of the primary's. A malformed entry, or one naming the primary metric, is left for validation.
 */
function defaultAdditionalObjectives(obj: Obj): Map<string, 'min' | 'max'> {
  const directions = new Map<string, 'min' | 'max'>();
  if (!Array.isArray(obj.additionalObjectives)) return directions;
  const written = obj.additionalMetricNames;
  const collected: unknown[] = Array.isArray(written) ? [...written] : [];
  for (const o of obj.additionalObjectives) {
    if (!isRecord(o) || typeof o.objectiveMetricName !== 'string' || o.objectiveMetricName === '') continue;
    const name = o.objectiveMetricName;
    if (name === obj.objectiveMetricName) continue;
    if (!collected.includes(name)) collected.push(name);
    if (!directions.has(name) && (o.type === 'minimize' || o.type === 'maximize'))
      directions.set(name, o.type === 'minimize' ? 'min' : 'max');
  }
  // A non-list additionalMetricNames stays as written, for validation to report.
  const listed = isUnset(written) || Array.isArray(written);
  if (listed && collected.length > (Array.isArray(written) ? written.length : 0)) obj.additionalMetricNames = collected;
  return directions;
}

function defaultCollector(raw: unknown): unknown {
  if (raw !== undefined && raw !== null && !isRecord(raw)) return raw;
  const mc: Obj = isRecord(raw) ? raw : {};
  if (mc.collector === undefined || mc.collector === null) mc.collector = { kind: 'StdOut' };
  const collector = mc.collector;
  if (!isRecord(collector)) return mc;
  if (isUnset(collector.kind)) collector.kind = 'StdOut';
  const kind = collector.kind;
  if (kind !== 'File' && kind !== 'TensorFlowEvent' && kind !== 'PrometheusMetric') return mc;
  if (mc.source === undefined || mc.source === null) mc.source = {};
  const source = mc.source;
  if (!isRecord(source)) return mc;
  if (kind === 'PrometheusMetric') {
    if (source.httpGet === undefined || source.httpGet === null) source.httpGet = { path: '/metrics', port: 8080 };
    return mc;
  }
  if (source.fileSystemPath === undefined || source.fileSystemPath === null) {
    source.fileSystemPath =
      kind === 'File'
        ? { kind: 'File', path: defaultMetricsFilePath, format: 'TEXT' }
        : { kind: 'Directory', path: defaultTfEventDir };
  } else if (kind === 'File' && isRecord(source.fileSystemPath) && isUnset(source.fileSystemPath.format)) {
    source.fileSystemPath.format = 'TEXT';
  }
  return mc;
}

function defaultTrialTemplate(spec: Obj): void {
  const tt = spec.trialTemplate;
  // Katib defaults conditions and pod labels only for an inline trialSpec; a configMap source gets none.
  if (!isRecord(tt) || !isRecord(tt.trialSpec)) return;
  const kind = typeof tt.trialSpec.kind === 'string' ? tt.trialSpec.kind : '';
  const conditions = defaultConditions(kind);
  if (conditions) {
    if (isUnset(tt.successCondition)) tt.successCondition = conditions.success;
    if (isUnset(tt.failureCondition)) tt.failureCondition = conditions.failure;
  }
  const labels = defaultPrimaryPodLabels(kind);
  const current = tt.primaryPodLabels;
  if (
    labels &&
    (current === undefined || current === null || (isRecord(current) && Object.keys(current).length === 0))
  ) {
    tt.primaryPodLabels = labels;
  }
}
