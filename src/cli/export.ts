/**
 * `hpo export NAME --to kfp|kserve|mlmd`: hands an experiment's winner on. Reads the store read-only, builds the
 * Kubeflow Pipelines pipeline that retrains the best trial (`hpo-workbench/kfp`), the KServe InferenceService that
 * serves its model (`hpo-workbench/kserve`) or the experiment's ML Metadata lineage (`hpo-workbench/mlmd`), each
 * loaded only then, and writes it to stdout or `--out` (the lineage goes to an MLMD server with `--mlmd host:port`).
 * No winner, or a winner the target cannot take, is exit 2.
 */
import { writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, type ExperimentRecord, type Store, WorkbenchError } from '../index.ts';
import type { PredictorFormat } from '../platform/kserve/index.ts';
import { kubeConfig } from './kubernetes.ts';
import { importKubernetes, importOptional } from './optional.ts';
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
  /** kserve: create or replace the service in the cluster and wait until it is Ready. */
  apply?: boolean;
  /** kserve --apply: the kubeconfig context. */
  context?: string;
  /** kserve --apply: how long to wait for Ready, in milliseconds. */
  timeout?: number;
  /** kfp: a KFP API server's URL to upload the pipeline to and start a run of it. */
  upload?: string;
  /** kfp: the pipeline runs the Katib Experiment first and retrains with its best values (no winner needed). */
  withTuning?: boolean;
  /** mlmd: `host:port` of an ML Metadata gRPC server to store the lineage in (instead of printing it). */
  mlmd?: string;
  /** The file to write; stdout without it. */
  out?: string;
  /** `sdkVersion` written into the IR (`hpo-workbench-<version>`). */
  sdkVersion: string;
}

/** Runs `hpo export`; resolves to the exit code. */
export function exportCommand(name: string, opts: ExportOptions): Promise<number> {
  return withReadStore(opts.store, async (store) => {
    refuseOptionsOfOtherTargets(opts);
    if (opts.apply !== true && (opts.context !== undefined || opts.timeout !== undefined)) {
      throw new WorkbenchError(ErrorCode.invalidArgument, '--context and --timeout are for --apply');
    }
    const exp = await requireExperiment(store, name, opts.namespace);
    if (opts.to === 'mlmd') return mlmdExport(store, exp, opts);
    const { text, warnings, what } =
      opts.to === 'kserve' ? await kserveText(store, exp, opts) : await kfpText(store, exp, opts);
    // A tuning pipeline does not export a winner: how far the local experiment got does not matter to it.
    if (exp.phase !== 'Succeeded' && exp.phase !== 'Failed' && opts.withTuning !== true) {
      err(`warning: experiment '${exp.name}' is ${exp.phase}: this is its best trial so far`);
    }
    for (const w of warnings) err(`warning: ${w}`);
    if (opts.upload !== undefined) return kfpUpload(text, { ...opts, upload: opts.upload });
    if (opts.apply === true) {
      if (opts.out !== undefined) writeOut(opts.out, text);
      return kserveApply(text, opts);
    }
    if (opts.out === undefined) {
      out(text);
      return 0;
    }
    writeOut(opts.out, text);
    err(`wrote the ${what} of ${exp.name}${opts.withTuning === true ? '' : "'s best trial"} to ${opts.out}`);
    return 0;
  });
}

const targetOptions = {
  kfp: ['upload', 'withTuning'],
  kserve: ['storageUri', 'canary', 'format', 'image', 'name', 'apply', 'context', 'timeout'],
  mlmd: ['mlmd'],
} as const;

/** An option of one target given with another is bad input, named as the user typed it. */
function refuseOptionsOfOtherTargets(opts: ExportOptions): void {
  for (const [target, keys] of Object.entries(targetOptions)) {
    if (opts.to === target) continue;
    const given = keys.filter((k) => opts[k] !== undefined);
    if (given.length > 0) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} ${given.length > 1 ? 'are' : 'is'} for --to ${target}, not --to ${opts.to}`,
      );
    }
  }
}

/**
 * The lineage of every trial: as MLMD-shaped JSON (stdout or `--out`), or stored in the MLMD server `--mlmd` names.
 * Unlike the other targets it needs no winner: a running experiment's lineage so far is worth recording.
 */
async function mlmdExport(store: Store, exp: ExperimentRecord, opts: ExportOptions): Promise<number> {
  const mlmd = await import('../platform/mlmd/index.ts');
  const { graph } = await mlmd.readLineageGraph(store, exp);
  if (opts.mlmd !== undefined) {
    if (opts.out !== undefined) {
      throw new WorkbenchError(ErrorCode.invalidArgument, '--out and --mlmd: pick one (a file, or an MLMD server)');
    }
    await importOptional(
      () => Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader')]),
      'hpo export --to mlmd --mlmd',
      ['@grpc/grpc-js', '@grpc/proto-loader'],
    );
    const r = await mlmd.pushLineageGraph(graph, { address: opts.mlmd });
    err(
      `stored the lineage of ${exp.name} in ML Metadata at ${opts.mlmd}: context ${r.contextIds.join(', ')}, ` +
        `${r.executions.created} new and ${r.executions.updated} updated trials, ${r.artifacts.created} new and ` +
        `${r.artifacts.updated} updated artifacts, ${r.events.added} new events`,
    );
    return 0;
  }
  const text = `${JSON.stringify(graph, null, 2)}\n`;
  if (opts.out === undefined) {
    out(text);
    return 0;
  }
  writeOut(opts.out, text);
  err(`wrote the ML Metadata lineage of ${exp.name} (${graph.executions.length} trials) to ${opts.out}`);
  return 0;
}

function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `cannot write --out ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

/**
 * `--upload URL`: the pipeline goes to KFP (and to `--out` too when given), a run of it is started, and stdout gets
 * one JSON document naming what KFP made, for scripts. `HPO_KFP_TOKEN` is sent as a bearer token.
 */
async function kfpUpload(text: string, opts: ExportOptions & { upload: string }): Promise<number> {
  const kfp = await import('../platform/kfp/index.ts');
  if (opts.out !== undefined) writeOut(opts.out, text);
  const info = (parseYaml(text) as { pipelineInfo: { name: string; description?: string } }).pipelineInfo;
  const token = process.env.HPO_KFP_TOKEN;
  const r = await kfp.uploadPipeline(text, {
    url: opts.upload,
    name: info.name,
    ...(info.description === undefined ? {} : { description: info.description }),
    // A version name must be unique within its pipeline: the export's time makes it so.
    versionName: `${info.name}-${new Date().toISOString().replace(/[-:.]/g, '').toLowerCase()}`,
    ...(token ? { token } : {}),
  });
  err(
    `uploaded ${r.newVersion ? `a new version of pipeline ${r.pipelineId}` : `pipeline ${r.pipelineId}`} and started run ${r.runId}: ${r.runUrl}`,
  );
  out(JSON.stringify(r));
  return 0;
}

interface Exported {
  readonly text: string;
  readonly warnings: readonly string[];
  readonly what: string;
}

async function kfpText(store: Store, exp: ExperimentRecord, opts: ExportOptions): Promise<Exported> {
  const kfp = await import('../platform/kfp/index.ts');
  if (opts.withTuning === true) {
    const image = process.env.HPO_KUBECTL_IMAGE;
    const { spec, warnings } = await kfp.readTuningPipeline(store, exp, {
      sdkVersion: opts.sdkVersion,
      ...(image === undefined || image === '' ? {} : { image }),
    });
    return { text: kfp.pipelineYaml(spec), warnings, what: 'KFP tuning pipeline' };
  }
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

/**
 * `--apply`: the service goes to the cluster (the experiment's namespace) and the command follows its rollout on
 * stderr; stdout gets one JSON line with the outcome, for scripts. A failed or timed-out rollout is exit 1.
 */
async function kserveApply(text: string, opts: ExportOptions): Promise<number> {
  await importKubernetes('`hpo export --to kserve --apply`');
  const kserve = await import('../platform/kserve/index.ts');
  const manifest = parseYaml(text) as Record<string, unknown>;
  const r = await kserve.applyInferenceService(manifest, {
    kubeConfig: await kubeConfig(opts.context === undefined ? {} : { context: opts.context }),
    ...(opts.timeout === undefined ? {} : { timeoutMs: opts.timeout }),
    onProgress: (line) => err(line),
  });
  const where = `InferenceService ${r.namespace}/${r.name}`;
  const s = r.status;
  out(
    JSON.stringify({
      outcome: r.outcome,
      action: r.action,
      namespace: r.namespace,
      name: r.name,
      ...(r.canaryTrafficPercent === undefined ? {} : { canaryTrafficPercent: r.canaryTrafficPercent }),
      ...(s.url === undefined ? {} : { url: s.url }),
      traffic: s.traffic,
      // A failure reported for an older generation says nothing about this rollout.
      ...(s.current && s.failure !== undefined ? { reason: s.failure.reason, message: s.failure.message } : {}),
    }),
  );
  if (r.outcome === 'failed') {
    const f = s.failure!;
    err(
      `error: the rollout of ${where} failed: ${f.type} is False${f.reason ? `, reason ${f.reason}` : ''}${f.message ? `: ${f.message}` : ''}`,
    );
    return 1;
  }
  if (r.outcome === 'timeout') {
    const why = s.current
      ? s.ready?.reason
        ? ` (Ready ${s.ready.status}, reason ${s.ready.reason}${s.ready.message ? `: ${s.ready.message}` : ''})`
        : ''
      : ": KServe's controller never reported on this spec (is KServe installed and running?)";
    err(`error: ${where} was not Ready within the --timeout${why}; kubectl describe isvc -n ${r.namespace} ${r.name}`);
    return 1;
  }
  if (r.canaryTrafficPercent !== undefined && r.canaryTrafficPercent < 100) {
    err(
      `${where}: the canary is ready with ${r.canaryTrafficPercent}% of the traffic${s.previousRolledoutRevision ? ` (${s.previousRolledoutRevision} keeps the rest)` : ''}. ` +
        'To promote it, run the same command without --canary (or with --canary 100); to roll back, apply the previous model again.',
    );
  } else err(`${where} is Ready${s.url === undefined ? '' : ` at ${s.url}`}`);
  return 0;
}
