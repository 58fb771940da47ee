/**
 * Which file `hpo serve` loads: the winner's scikit-learn or TorchScript model artifact, after checking that its bytes are still
 * the ones recorded when the trial ended (a model replaced since then is not the winner's).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { WinnerDocument } from '../../experiment/winner.ts';
import type { ArtifactRecord } from '../../trial/artifacts.ts';
import { formatOfModel, winnerModel } from './inferenceService.ts';
import type { ServedFormat } from './modelHelper.ts';

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The winner's sklearn or TorchScript model with its digest verified, and its format; `unsupported` (exit 2) says why
 * there is none to serve.
 */
export async function servableModel(winner: WinnerDocument): Promise<ArtifactRecord & { format: ServedFormat }> {
  const model = winnerModel(winner);
  if (model === undefined) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `trial ${winner.name} recorded no model artifact: its program must save the model into $HPO_ARTIFACTS_DIR (e.g. joblib.dump(model, os.path.join(os.environ["HPO_ARTIFACTS_DIR"], "model.joblib")))`,
    );
  }
  const format = formatOfModel(model.name);
  if (format === undefined || format === 'custom' || /\.mar$/i.test(model.name)) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `hpo serve answers for scikit-learn models (.joblib, .pkl, .pickle) and TorchScript ones (.pt, .pth); the winner's model is ${model.name}`,
    );
  }
  if (model.uri !== undefined && !model.uri.startsWith('file:')) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `the winner's model is not on this machine but at ${model.uri} (sha256 ${model.sha256}); hpo serve loads local files: copy it here, or serve it in the cluster with hpo export --to kserve`,
    );
  }
  let actual: string;
  try {
    actual = await sha256(model.path);
  } catch (e) {
    throw new WorkbenchError(
      ErrorCode.notFound,
      `the winner's model ${model.path} cannot be read: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (actual !== model.sha256) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `the winner's model ${model.path} changed since trial ${winner.name} recorded it (sha256 ${actual}, recorded ${model.sha256}); it is not the model that scored ${winner.objective}`,
    );
  }
  return { ...model, format };
}
