/**
 * `hpo serve NAME`: answers the Open Inference Protocol (KServe v2) on this machine for the winner's scikit-learn or
 * TorchScript model until Ctrl-C. Reads the store read-only; no winner, no servable model, or a model changed since
 * it was recorded is exit 2.
 */
import { ErrorCode, readWinner, WorkbenchError } from '../index.ts';
import { err } from './output.ts';
import { requireExperiment, type StoreOptions, withReadStore } from './readStore.ts';

/** Options of `hpo serve`. */
export interface ServeOptions extends StoreOptions {
  port: number;
  host: string;
  /** The name in `/v2/models/NAME`; default the experiment's name. */
  modelName?: string;
  python: string;
}

/** Runs `hpo serve` until SIGINT/SIGTERM; resolves to the exit code. */
export async function serveCommand(name: string, opts: ServeOptions): Promise<number> {
  const kserve = await import('../platform/kserve/index.ts');
  const found = await withReadStore(opts.store, async (store) => {
    const exp = await requireExperiment(store, name, opts.namespace);
    const winner = await readWinner(store, exp);
    if (winner === undefined) {
      throw new WorkbenchError(
        ErrorCode.unsupported,
        `experiment '${exp.name}' has no winner yet: no trial has reported its objective`,
      );
    }
    return { winner, model: await kserve.servableModel(winner) };
  });
  const modelName = opts.modelName ?? found.winner.experiment;
  let server: Awaited<ReturnType<typeof kserve.serveModel>>;
  try {
    server = await kserve.serveModel({
      modelPath: found.model.path,
      format: found.model.format,
      modelName,
      port: opts.port,
      host: opts.host,
      python: opts.python,
    });
  } catch (e) {
    if (e instanceof WorkbenchError) throw e;
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `cannot listen on ${opts.host}:${opts.port}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  err(
    `serving ${found.model.name} of trial ${found.winner.name} (${found.winner.objectiveMetricName}=${found.winner.objective}, sha256 ${found.model.sha256.slice(0, 12)}, ${server.model.type}) as model '${modelName}'`,
  );
  err(`  ${server.url}/v2/models/${encodeURIComponent(modelName)}/infer   (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
