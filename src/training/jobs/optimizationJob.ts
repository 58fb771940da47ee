/**
 * Checks an OptimizationJob as Trainer's API server would: the CRD's schema and pruning (the shared CRD
 * validator) plus the CEL rules schema validators skip (`parallelTrials ≤ numTrials`, grid only over categorical
 * parameters, `min < max`, template without name or namespace), which `readOptimizationJob` enforces.
 */
import type { Issue } from '../../common/issue.ts';
import { readOptimizationJob } from '../../spec/optimizationJob/read.ts';
import { isRecord } from '../../spec/read.ts';
import { validateAgainstCrd } from './crdValidator.ts';

/** Every problem of `manifest` against the OptimizationJob CRD text `crdYamlText` and its CEL rules, with paths. */
export function validateOptimizationJob(manifest: unknown, crdYamlText: string): Issue[] {
  const schema = validateAgainstCrd(manifest, crdYamlText);
  if (!isRecord(manifest)) return schema;
  const read = readOptimizationJob(manifest);
  const seen = new Set(schema.map((i) => i.path));
  // The reader repeats some schema findings (unknown fields, enums) at the same path; say each place once.
  return [...schema, ...(read.ok ? [] : read.issues.filter((i) => !seen.has(i.path)))];
}
