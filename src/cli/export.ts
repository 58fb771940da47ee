/**
 * `hpo export NAME --to kfp|kserve`: hands an experiment's winner on. Reads the store read-only, builds the Kubeflow
 * Pipelines pipeline that retrains the best trial (`hpo-workbench/kfp`) or the KServe InferenceService that serves
 * its model (`hpo-workbench/kserve`), each loaded only then, and writes its YAML to stdout or `--out`. No winner, or
 * a winner the target cannot take, is exit 2.
 */
import { writeFileSync } from 'node:fs';
import { ErrorCode, type ExperimentRecord, type Store, WorkbenchError } from '../index.ts';
import type { PredictorFormat } from '../platform/kserve/index.ts';
import { err, out } from './output.ts';
import { requireExperiment, type StoreOptions, withReadStore } from './readStore.ts';

/** Options of `hpo export`. */
export interface ExportOptions extends StoreOptions {
  /** The target: `kfp` (Kubeflow Pipelines v2 IR) or `kserve` (an InferenceService). */
  to: string;
  /** kserve: where the cluster reads the model. */
  storageUri?: string;
  /** kserve: `canaryTrafficPercent`. */
  canary?: number;
  /** kserve: sklearn, pytorch or custom (default from the model file). */
  format?: string;
  /** kserve: the custom predictor's image. */
  image?: string;
  /** kserve: the service's name. */
  name?: string;
  /** The file to write; stdout without it. */
  out?: string;
  /** `sdkVersion` written into the IR (`hpo-workbench-<version>`). */
  sdkVersion: string;
}

/** Runs `hpo export`; resolves to the exit code. */
export function exportCommand(name: string, opts: ExportOptions): Promise<number> {
  return withReadStore(opts.store, async (store) => {
    if (opts.to !== 'kserve') {
      const given = (['storageUri', 'canary', 'format', 'image', 'name'] as const).filter((k) => opts[k] !== undefined);
      if (given.length > 0) {
        throw new WorkbenchError(
          ErrorCode.invalidArgument,
          `${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} ${given.length > 1 ? 'are' : 'is'} for --to kserve, not --to ${opts.to}`,
        );
      }
    }
    const exp = await requireExperiment(store, name, opts.namespace);
    const { text, warnings, what } =
      opts.to === 'kserve' ? await kserveText(store, exp, opts) : await kfpText(store, exp, opts);
    if (exp.phase !== 'Succeeded' && exp.phase !== 'Failed') {
      err(`warning: experiment '${exp.name}' is ${exp.phase}: this is its best trial so far`);
    }
    for (const w of warnings) err(`warning: ${w}`);
    if (opts.out === undefined) {
      out(text);
      return 0;
    }
    try {
      writeFileSync(opts.out, text);
    } catch (e) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `cannot write --out ${opts.out}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    err(`wrote the ${what} of ${exp.name}'s best trial to ${opts.out}`);
    return 0;
  });
}

interface Exported {
  readonly text: string;
  readonly warnings: readonly string[];
  readonly what: string;
}

async function kfpText(store: Store, exp: ExperimentRecord, opts: ExportOptions): Promise<Exported> {
  const kfp = await import('../platform/kfp/index.ts');
  const { spec, warnings } = await kfp.readRetrainPipeline(store, exp, { sdkVersion: opts.sdkVersion });
  return { text: kfp.pipelineYaml(spec), warnings, what: 'KFP pipeline' };
}

async function kserveText(store: Store, exp: ExperimentRecord, opts: ExportOptions): Promise<Exported> {
  const kserve = await import('../platform/kserve/index.ts');
  const format = opts.format as PredictorFormat | undefined;
  const { manifest, warnings } = await kserve.readInferenceService(store, exp, {
    ...(opts.storageUri === undefined ? {} : { storageUri: opts.storageUri }),
    ...(opts.canary === undefined ? {} : { canaryTrafficPercent: opts.canary }),
    ...(format === undefined ? {} : { format }),
    ...(opts.image === undefined ? {} : { image: opts.image }),
    ...(opts.name === undefined ? {} : { name: opts.name }),
  });
  return { text: kserve.inferenceServiceYaml(manifest), warnings, what: 'KServe InferenceService' };
}
