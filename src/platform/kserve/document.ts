/**
 * Reading and writing InferenceServices: the one for a stored experiment's winner, its YAML, and the check against
 * KServe's real CRD (`serving.kserve.io_inferenceservices.yaml`) with the workbench's CRD validator.
 */
import { stringify } from 'yaml';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { Issue } from '../../common/issue.ts';
import { readWinner } from '../../experiment/winner.ts';
import type { ExperimentRef, Store } from '../../store/types.ts';
import { validateAgainstCrd } from '../../training/jobs/crdValidator.ts';
import { type InferenceServiceExport, type InferenceServiceOptions, inferenceService } from './inferenceService.ts';

/** The InferenceService for a stored experiment's winner; `notFound`/`unsupported` say why there is none. */
export async function readInferenceService(
  store: Store,
  experiment: ExperimentRef,
  options: InferenceServiceOptions = {},
): Promise<InferenceServiceExport> {
  const winner = await readWinner(store, experiment);
  if (winner === undefined) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `experiment ${typeof experiment === 'string' ? experiment : experiment.name} has no winner yet: no trial has reported its objective`,
    );
  }
  return inferenceService(winner, options);
}

/** The manifest as YAML, as `kubectl apply -f` takes it; strings that look like numbers stay quoted. */
export function inferenceServiceYaml(manifest: Record<string, unknown>): string {
  return stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * Problems of `manifest` against the InferenceService CRD text `crdYamlText` (KServe ships it as
 * `serving.kserve.io_inferenceservices.yaml`): schema violations and fields the API server would prune, each with a
 * dotted path. CEL rules and KServe's admission webhook (e.g. the canary traffic sum) are not evaluated.
 */
export function validateInferenceService(manifest: unknown, crdYamlText: string): Issue[] {
  return validateAgainstCrd(manifest, crdYamlText);
}
