/**
 * The KServe `InferenceService` (`serving.kserve.io/v1beta1`, KServe 0.20) that serves an experiment's winning model:
 * built from the winner document (its model artifact and the trial template's resources), in the shape of KServe's
 * own samples (`predictor.model.modelFormat` + `storageUri`, or a custom predictor container). Every refusal is an
 * `unsupported` or `invalidArgument` error (exit 2) that says what to give instead.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { WinnerDocument } from '../../experiment/winner.ts';
import { findPrimaryContainer } from '../../spec/containers.ts';
import { isRecord } from '../../spec/read.ts';
import { containerGpuRequests } from '../../training/local/gpu.ts';
import type { ArtifactRecord } from '../../trial/artifacts.ts';

/** How the model is served: KServe's sklearn or PyTorch (TorchServe) runtime, or a container of your own. */
export type PredictorFormat = 'sklearn' | 'pytorch' | 'custom';

/** The predictor formats, for the CLI's choices. */
export const predictorFormats: readonly PredictorFormat[] = ['sklearn', 'pytorch', 'custom'];

/** The storageUri schemes KServe 0.20's storage initializer accepts (`SupportedStorageURIPrefixList`). */
export const storageUriSchemes: readonly string[] = [
  'gs://',
  's3://',
  'pvc://',
  'file://',
  'https://',
  'http://',
  'hdfs://',
  'webhdfs://',
  'oci://',
  'oci+native://',
  'hf://',
];

/** Options of {@link inferenceService}. */
export interface InferenceServiceOptions {
  /** Where the cluster reads the model (the uploaded model file or its folder); required but for `custom` with none. */
  readonly storageUri?: string;
  /** Default: from the winner's model artifact (`.joblib/.pkl/.pickle` sklearn, `.pt/.pth/.mar` pytorch). */
  readonly format?: PredictorFormat;
  /** The predictor image of a `custom` predictor. */
  readonly image?: string;
  /** Percent of traffic for this revision when it replaces a running service (Knative mode); 0-100. */
  readonly canaryTrafficPercent?: number;
  /** The service's name; default the experiment's name as a DNS label. */
  readonly name?: string;
}

/** A built InferenceService and what could not be carried over (printed on stderr by the CLI). */
export interface InferenceServiceExport {
  readonly manifest: Record<string, unknown>;
  /** The winner's model artifact the service is for, when it has one. */
  readonly model?: ArtifactRecord;
  readonly warnings: readonly string[];
}

function refuse(code: ErrorCode, message: string): never {
  throw new WorkbenchError(code, message);
}

/** The format a model file's extension implies, or undefined. */
export function formatOfModel(name: string): PredictorFormat | undefined {
  if (/\.(joblib|pkl|pickle)$/i.test(name)) return 'sklearn';
  if (/\.(pt|pth|mar)$/i.test(name)) return 'pytorch';
  return undefined;
}

/** A DNS-1035 label (what KServe wants: it prefixes hostnames with it) from the experiment's name. */
function serviceName(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label === '' ? 'hpo-model' : label;
}

function quantity(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** cpu, memory and GPU (`nvidia.com/gpu`, MIG) requests and limits of the winner's primary container. */
function resources(winner: WinnerDocument, warnings: string[]): Record<string, Record<string, string>> | undefined {
  const spec = winner.trialTemplate?.trialSpec;
  if (spec === undefined || spec === null) return undefined;
  const found = findPrimaryContainer(spec, winner.trialTemplate?.primaryContainerName ?? '');
  if (found === undefined) return undefined;
  const c = found.container;
  const r = (c.resources ?? c.resourcesPerNode) as unknown;
  if (!isRecord(r)) return undefined;
  const gpus = new Set(containerGpuRequests(c).map((g) => g.resource));
  const out: Record<string, Record<string, string>> = {};
  for (const side of ['limits', 'requests'] as const) {
    const given = r[side];
    if (!isRecord(given)) continue;
    for (const [name, v] of Object.entries(given)) {
      const q = quantity(v);
      if (q === undefined) continue;
      if (name === 'cpu' || name === 'memory' || gpus.has(name)) {
        out[side] = { ...out[side], [name]: q };
      } else
        warnings.push(`resource '${name}' of the trial template was left out: serving rarely needs what training did`);
    }
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function checkStorageUri(uri: string): void {
  const scheme = storageUriSchemes.find((s) => uri.startsWith(s));
  if (scheme === undefined || uri.length === scheme.length || /\s/.test(uri)) {
    refuse(
      ErrorCode.invalidArgument,
      `--storage-uri ${JSON.stringify(uri)} is not a location KServe's storage initializer reads: it must start with one of ${storageUriSchemes.join(' ')} and name the model`,
    );
  }
}

/**
 * The folder URI of a model recorded with a URI (a Kubernetes trial's: `pvc://claim/…/trial/`, `s3://…/trial/`):
 * KServe's model servers load the model file from the `storageUri` folder. Undefined for a file on this machine.
 */
export function modelFolderUri(model: ArtifactRecord): string | undefined {
  if (model.uri === undefined || model.uri.startsWith('file:')) return undefined;
  return model.uri.slice(0, model.uri.lastIndexOf('/') + 1);
}

/** The winner's model artifact: the one of kind `model` (the first by name when there are several). */
export function winnerModel(winner: WinnerDocument): ArtifactRecord | undefined {
  return winner.artifacts.find((a) => a.kind === 'model');
}

/**
 * The InferenceService for the winner's model. `sklearn` serves with protocol v2 (the Open Inference Protocol, as
 * `hpo serve` answers it); `pytorch` with TorchServe's defaults; `custom` runs `image` as `kserve-container`, with
 * the model location as `STORAGE_URI` (KServe's storage initializer then fetches it to `/mnt/models`).
 */
export function inferenceService(
  winner: WinnerDocument,
  options: InferenceServiceOptions = {},
): InferenceServiceExport {
  const warnings: string[] = [];
  const model = winnerModel(winner);
  const format = options.format ?? (model === undefined ? undefined : formatOfModel(model.name));
  if (format === undefined) {
    refuse(
      ErrorCode.unsupported,
      model === undefined
        ? `trial ${winner.name} recorded no model artifact (a file the trial writes to $HPO_ARTIFACTS_DIR, e.g. model.joblib); give --format sklearn|pytorch with --storage-uri, or --format custom --image IMAGE`
        : `the model artifact ${model.name} of trial ${winner.name} is neither sklearn (.joblib, .pkl) nor PyTorch (.pt, .pth, .mar); give --format, or --format custom --image IMAGE`,
    );
  }
  const { canaryTrafficPercent: canary } = options;
  // A model a cluster trial left on its volume or object store is already where KServe can read it.
  const storageUri = options.storageUri ?? (model === undefined ? undefined : modelFolderUri(model));
  if (storageUri !== undefined) checkStorageUri(storageUri);
  else if (format !== 'custom') {
    refuse(
      ErrorCode.invalidArgument,
      `--storage-uri is required: the model is on this machine${model ? ` (${model.path}, sha256 ${model.sha256})` : ''}, which a cluster cannot read; upload it (gsutil cp, aws s3 cp, a PVC) and give its location, e.g. --storage-uri s3://bucket/${winner.experiment}/`,
    );
  }
  if (canary !== undefined && (!Number.isInteger(canary) || canary < 0 || canary > 100)) {
    refuse(ErrorCode.invalidArgument, `--canary must be a whole percent from 0 to 100, not ${canary}`);
  }
  if (format === 'custom' && (options.image === undefined || options.image === '')) {
    refuse(ErrorCode.invalidArgument, 'a custom predictor needs --image: the container that serves the model');
  }
  if (options.name !== undefined && !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(options.name)) {
    refuse(
      ErrorCode.invalidArgument,
      `--name ${JSON.stringify(options.name)} is not a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most 63)`,
    );
  }
  const res = resources(winner, warnings);
  const shared = res === undefined ? {} : { resources: res };
  const predictor: Record<string, unknown> =
    format === 'custom'
      ? {
          containers: [
            {
              name: 'kserve-container',
              image: options.image,
              ...(storageUri === undefined ? {} : { env: [{ name: 'STORAGE_URI', value: storageUri }] }),
              ...shared,
            },
          ],
        }
      : {
          model: {
            modelFormat: { name: format },
            ...(format === 'sklearn' ? { protocolVersion: 'v2' } : {}),
            storageUri,
            ...shared,
          },
        };
  if (canary !== undefined) {
    predictor.canaryTrafficPercent = canary;
    warnings.push(
      'canaryTrafficPercent splits traffic only in Knative (Serverless) deployment mode, between this revision and the one it replaces',
    );
  }
  if (format === 'pytorch') {
    warnings.push(
      "KServe's TorchServe runtime loads a model archive (config/config.properties and model-store/*.mar) from storageUri, not a bare .pt file: package the model with torch-model-archiver (or use --format custom with your own server)",
    );
  }
  const annotations: Record<string, string> = {
    'hpo-workbench.io/experiment': `${winner.namespace}/${winner.experiment}`,
    'hpo-workbench.io/trial': winner.name,
    'hpo-workbench.io/objective': `${winner.objectiveMetricName}=${winner.objective}`,
    ...(model === undefined ? {} : { 'hpo-workbench.io/model-sha256': model.sha256 }),
  };
  const manifest = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: options.name ?? serviceName(winner.experiment), namespace: winner.namespace, annotations },
    spec: { predictor },
  };
  return model === undefined ? { manifest, warnings } : { manifest, model, warnings };
}
