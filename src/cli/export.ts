/**
 * `hpo export NAME --to kfp`: hands an experiment's winner on. Reads the store read-only, builds the Kubeflow
 * Pipelines pipeline that retrains the best trial (`hpo-workbench/kfp`, loaded only by this command) and writes
 * its IR YAML to stdout or `--out`. No winner, or a template KFP cannot run as one container, is exit 2.
 */
import { writeFileSync } from 'node:fs';
import { ErrorCode, WorkbenchError } from '../index.ts';
import { err, out } from './output.ts';
import { requireExperiment, type StoreOptions, withReadStore } from './readStore.ts';

/** Options of `hpo export`. */
export interface ExportOptions extends StoreOptions {
  /** The target: `kfp` (Kubeflow Pipelines v2 IR). */
  to: string;
  /** The file to write; stdout without it. */
  out?: string;
  /** `sdkVersion` written into the IR (`hpo-workbench-<version>`). */
  sdkVersion: string;
}

/** Runs `hpo export`; resolves to the exit code. */
export function exportCommand(name: string, opts: ExportOptions): Promise<number> {
  return withReadStore(opts.store, async (store) => {
    const exp = await requireExperiment(store, name, opts.namespace);
    const kfp = await import('../platform/kfp/index.ts');
    const { spec, warnings } = await kfp.readRetrainPipeline(store, exp, { sdkVersion: opts.sdkVersion });
    if (exp.phase !== 'Succeeded' && exp.phase !== 'Failed') {
      err(`warning: experiment '${exp.name}' is ${exp.phase}: this is its best trial so far`);
    }
    for (const w of warnings) err(`warning: ${w}`);
    const text = kfp.pipelineYaml(spec);
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
    err(`wrote the KFP pipeline of ${exp.name}'s best trial to ${opts.out}`);
    return 0;
  });
}
