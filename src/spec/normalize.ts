import { isRecord, type Obj } from './read.ts';
import type { ExperimentManifest } from './types.ts';

/** Katib keeps these as strings; YAML users write them bare (`min: 0.01`, `value: 3`, `enabled: true`). */
function scalarToString(v: unknown): unknown {
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : v;
}

const numberText = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function normalizeParameters(params: unknown): void {
  if (!Array.isArray(params)) return;
  for (const p of params) {
    if (!isRecord(p) || !isRecord(p.feasibleSpace)) continue;
    const fs = p.feasibleSpace;
    for (const k of ['min', 'max', 'step'] as const) if (k in fs) fs[k] = scalarToString(fs[k]);
    if (Array.isArray(fs.list)) fs.list = fs.list.map(scalarToString);
  }
}

function normalizeSettings(algorithm: unknown): void {
  if (!isRecord(algorithm) || !Array.isArray(algorithm.algorithmSettings)) return;
  for (const s of algorithm.algorithmSettings) if (isRecord(s) && 'value' in s) s.value = scalarToString(s.value);
}

function normalizeLabels(labels: unknown): void {
  if (!isRecord(labels)) return;
  for (const [k, v] of Object.entries(labels)) labels[k] = scalarToString(v);
}

/**
 * Returns a copy of a parsed Experiment document with Katib's string-typed fields as strings and a numeric
 * string `goal` as a number, so that hand-written YAML validates the way users expect. Other shapes are kept
 * as they are for the validator to report.
 */
export function normalizeExperiment(doc: Obj): ExperimentManifest {
  const out = structuredClone(doc);
  const spec = out.spec;
  if (isRecord(spec)) {
    normalizeParameters(spec.parameters);
    if (isRecord(spec.nasConfig) && Array.isArray(spec.nasConfig.operations)) {
      for (const op of spec.nasConfig.operations) if (isRecord(op)) normalizeParameters(op.parameters);
    }
    normalizeSettings(spec.algorithm);
    normalizeSettings(spec.earlyStopping);
    if (isRecord(spec.objective) && typeof spec.objective.goal === 'string' && numberText.test(spec.objective.goal)) {
      spec.objective.goal = Number(spec.objective.goal);
    }
    if (isRecord(spec.trialTemplate)) normalizeLabels(spec.trialTemplate.primaryPodLabels);
  }
  return out as unknown as ExperimentManifest;
}
