/**
 * The CLI's Kubernetes commands. `@kubernetes/client-node` (an optional peer dependency) is loaded only when one
 * of them runs, so the rest of the CLI starts fast and works without it.
 */

import { resolve } from 'node:path';
import {
  applyDefaults,
  ErrorCode,
  type ExperimentConfig,
  type ExperimentManifest,
  loadExperimentFile,
  previewTrials,
  type TrialExecutor,
  WorkbenchError,
} from '../index.ts';
import { objectivesNote } from './format.ts';
import { importKubernetes } from './optional.ts';
import { isDocumentFormat, renderDocument } from './output.ts';

/** Options shared by the commands that talk to a cluster. */
export interface ClusterOptions {
  namespace?: string;
  context?: string;
}

/** The kubeconfig kubectl would use, switched to `--context` when given (an unknown context is exit 2). */
export async function kubeConfig(o: ClusterOptions): Promise<import('@kubernetes/client-node').KubeConfig> {
  const { loadKubeConfig } = await importKubernetes('talking to a cluster');
  const kc = loadKubeConfig();
  if (o.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === o.context)) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `--context: no context '${o.context}' in the kubeconfig; known: ${kc
          .getContexts()
          .map((c) => c.name)
          .join(', ')}`,
      );
    }
    kc.setCurrentContext(o.context);
  }
  return kc;
}

/** `HPO_METRICS_SIDECAR_IMAGE`: the image of the File/TensorFlowEvent collector sidecar (a mirror of busybox). */
function collectorImage(): { collectorImage?: string } {
  const image = process.env.HPO_METRICS_SIDECAR_IMAGE;
  return image === undefined || image === '' ? {} : { collectorImage: image };
}

function withNamespace(m: ExperimentManifest, namespace: string | undefined): ExperimentManifest {
  return namespace === undefined ? m : { ...m, metadata: { ...m.metadata, namespace } };
}

/** The executor for `hpo run --backend kubernetes`: trials become job CRs in the cluster. */
export async function kubernetesExecutor(
  config: ExperimentConfig,
  o: ClusterOptions & { stuckGraceMs?: number },
): Promise<TrialExecutor> {
  const { KubernetesExecutor } = await importKubernetes('`hpo run --backend kubernetes`');
  return new KubernetesExecutor({
    config,
    kubeConfig: await kubeConfig(o),
    ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
    ...(o.stuckGraceMs === undefined ? {} : { stuckGraceMs: o.stuckGraceMs }),
    ...collectorImage(),
  });
}

/**
 * `hpo run FILE --backend kubernetes --dry-run`: the job manifests of the first trials (the first request
 * the controller would make: `parallelTrialCount`, capped by `maxTrialCount`), as YAML documents.
 */
export async function dryRunCommand(files: string[], o: ClusterOptions): Promise<number> {
  const { renderDryRun } = await importKubernetes('`hpo run --dry-run`');
  const docs: string[] = [];
  for (const file of files) {
    for (const raw of loadExperimentFile(file)) {
      // The same parse as a run: invalid input is exit 2 with every problem, never a half-rendered job.
      const { config, trials } = await previewTrials(withNamespace(applyDefaults(raw), o.namespace), {
        sourcePath: resolve(file),
      });
      // The YAML on stdout stays the job manifests alone; what the algorithm optimises goes to stderr.
      const note = objectivesNote(config.manifest);
      if (note !== '') process.stderr.write(`${file}: experiment '${config.name}'${note}\n`);
      docs.push(
        renderDryRun(
          config.manifest,
          trials.map((t) => t.params),
          {
            names: trials.map((t) => t.name),
            ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
            ...collectorImage(),
          },
        ),
      );
    }
  }
  process.stdout.write(`${docs.map((d) => d.trimEnd()).join('\n---\n')}\n`);
  return 0;
}

/** `hpo submit FILE`: creates the Experiments in a cluster that runs Katib. */
export async function submitCommand(files: string[], o: ClusterOptions): Promise<number> {
  const { submitExperiment, checkKatibWebhook } = await importKubernetes('`hpo submit`');
  // What Katib's webhook would refuse is refused before the kubeconfig is even read (exit 2).
  for (const file of files) for (const m of loadExperimentFile(file)) checkKatibWebhook(m);
  const kc = await kubeConfig(o);
  for (const file of files) {
    for (const m of loadExperimentFile(file)) {
      const r = await submitExperiment(kc, withNamespace(m, o.namespace));
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`created experiment ${r.namespace}/${r.name} (uid ${r.uid})\n`);
    }
  }
  return 0;
}

/** `hpo status NAME --cluster`: the Katib Experiment as the cluster reports it. */
export async function clusterStatusCommand(name: string, o: ClusterOptions & { output?: string }): Promise<number> {
  const { readExperimentStatus, formatExperimentStatus } = await importKubernetes('`hpo status --cluster`');
  const kc = await kubeConfig(o);
  const s = await readExperimentStatus(
    kc,
    o.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default',
    name,
  );
  process.stdout.write(`${isDocumentFormat(o.output) ? renderDocument(s, o.output) : formatExperimentStatus(s)}\n`);
  return 0;
}

/**
 * `hpo doctor [FILE]`: read-only checks of the cluster against the experiment in FILE (or the generic ones without
 * it). Exit 0 when every check passes or does not apply, 1 when one fails; bad input throws (exit 2).
 */
export async function doctorCommand(
  file: string | undefined,
  o: ClusterOptions & { output?: string; for?: 'run' | 'submit' | 'both'; katibNamespace?: string },
): Promise<number> {
  const { runDoctor, formatDoctor, dryRunManifests } = await importKubernetes('`hpo doctor`');
  let manifest: ExperimentManifest | undefined;
  let trialJob: import('../platform/kubernetes/index.ts').KubeObject | undefined;
  if (file !== undefined) {
    const docs = loadExperimentFile(file);
    if (docs.length !== 1) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `${file}: hpo doctor checks one Experiment, the file holds ${docs.length}`,
      );
    }
    // The same parse as a run, so what doctor validates against the live CRD is the job a trial would create.
    const { config, trials } = await previewTrials(withNamespace(applyDefaults(docs[0]!), o.namespace), {
      sourcePath: resolve(file),
    });
    manifest = config.manifest;
    const first = trials[0];
    if (manifest.spec.trialTemplate?.trialSpec !== undefined && first !== undefined) {
      try {
        trialJob = dryRunManifests(manifest, [first.params], {
          names: [first.name],
          ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
          ...collectorImage(),
        })[0];
      } catch (err) {
        // A collector only Katib runs (Prometheus, Custom, Push): the inline template is what doctor checks then.
        if (!(err instanceof WorkbenchError && err.code === ErrorCode.unsupported)) throw err;
      }
    }
  }
  const kc = await kubeConfig(o);
  const checks = await runDoctor(kc, manifest, {
    ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
    ...(o.for === undefined ? {} : { purpose: o.for }),
    ...(trialJob === undefined ? {} : { trialJob }),
    ...(o.katibNamespace === undefined ? {} : { katibNamespace: o.katibNamespace }),
  });
  const failed = checks.some((c) => c.status === 'fail');
  process.stdout.write(
    `${isDocumentFormat(o.output) ? renderDocument({ ok: !failed, checks }, o.output) : formatDoctor(checks)}\n`,
  );
  return failed ? 1 : 0;
}
