/**
 * # Kubernetes backend
 *
 * `KubernetesExecutor` keeps the Experiment controller and the store on this machine and runs each trial as
 * its job in a cluster: the trial template is rendered with Katib's substitution, labelled
 * `katib.kubeflow.org/experiment` / `katib.kubeflow.org/trial`, created with `@kubernetes/client-node`,
 * watched until Katib's success/failure condition for the kind matches, while the primary pod's primary
 * container log is streamed as the trial handle's lines, which `runTrial` feeds to the same StdOut collector
 * local trials use; File and TensorFlowEvent metrics come through a collector sidecar's log, mirrored into the
 * trial's local folder for the same File/TensorFlowEvent collectors (metricsSidecar.ts, metricsMirror.ts). With the
 * experiment's `hpo-workbench.io/artifacts` the job gets its artifacts folder and an inventory sidecar whose log
 * lists the files with digests (artifactStorage.ts, artifactInventory.ts). The job is deleted with foreground propagation when it finishes (unless `retain`) and at
 * once when the controller stops the trial. Meanwhile the job's pods are checked for trouble (stuckPods.ts:
 * image pulls, unschedulable, crash loops, OOM kills, evictions, an Istio sidecar); one that outlasts
 * `stuckGraceMs` ends the trial with its reason instead of leaving it to the deadline.
 *
 * ## What the tests prove, and what only a real cluster can
 * The tests in `test/platform/kubernetes/` drive the real `@kubernetes/client-node@1.4.0` against an
 * in-process fake API server (`test/fixtures/k8s/`) that speaks the REST and watch protocol, plus a
 * simulated operator that creates pods with the operators' labels, writes their logs and sets the real
 * condition vocabularies. They prove, over real HTTP:
 * - the requests are right: paths, verbs, merge-patch content type, label/field selectors, resourceVersion
 *   bookkeeping, `propagationPolicy: Foreground`, `follow`/`timestamps`/`sinceTime` on pod logs;
 * - the lifecycle: PyTorchJob Created → Running → Succeeded with metrics read from the master pod's log
 *   (not the workers'), Failed with the job condition's reason and message, TrainJob and batch Job
 *   conditions, deletion on completion, `retain`, deletion on early stop and kill;
 * - recovery: 409 on create (adopt our leftover job, refuse anyone else's), 410 Gone on a watch (re-list),
 *   429 with Retry-After and 500 (backoff), dropped watch and log connections (resume without losing or
 *   repeating a line), and a 403 that names the RBAC verb, resource and API group to grant;
 * - `hpo submit`'s namespace-label check and `hpo status --cluster`'s read-back of an Experiment.
 *
 * They cannot prove what only a cluster does: scheduling and gang scheduling, image pulls, admission
 * webhooks (the training operator's validation, Katib's metrics-collector injection), CRD schema pruning,
 * real operators' timing and condition edge cases, GPUs/MIG, networking between replicas, kubelet log
 * rotation, and real RBAC. `test/platform/kubernetes/realCluster.test.ts` runs the same basic flow against
 * a real cluster when `KUBECONFIG` is set (it is skipped otherwise).
 */

import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { resolveTrialPath } from '../../metrics/collector.ts';
import type { TrialTemplate } from '../../spec/types.ts';
import {
  type ExecutorResult,
  type ExperimentSource,
  experimentConfig,
  type TrialContext,
  type TrialExecutor,
  type TrialHandle,
} from '../../trial/executor.ts';
import { type RunningTrial, startTrial } from '../../trial/handle.ts';
import { apiFailure, failureError } from './apiError.ts';
import { ArtifactInventory, withArtifacts } from './artifactInventory.ts';
import {
  type ArtifactStorage,
  artifactStorageOf,
  parseArtifactStorage,
  podArtifactsDir,
  trialArtifactsUri,
} from './artifactStorage.ts';
import { type KubeClients, kubeClients, loadKubeConfig } from './clients.ts';
import { createOrAdopt, deleteJob, type JobEnd, type JobTarget, watchJob } from './jobLifecycle.ts';
import { type JobJudge, jobJudge } from './judge.ts';
import { type MetricsSource, podMetricsSource } from './metricsSidecar.ts';
import type { PodTrouble } from './podTrouble.ts';
import { resourceFor } from './resources.ts';
import { defaultRetryPolicy, type RetryPolicy, StoppedError, withRetry } from './retry.ts';
import { watchStuckPods } from './stuckPods.ts';
import { readTemplateConfigMap } from './templateSource.ts';
import {
  buildTrialJob,
  jobPodLabels,
  labelSelector,
  primaryContainerName,
  primaryPodLabels,
  type TrialIdentity,
  trialLabel,
} from './trialJob.ts';
import { TrialLogs } from './trialLogs.ts';
import type { KubeObject, ResourceRef } from './types.ts';

/** Options of {@link KubernetesExecutor}: the experiment (its config, or a manifest) and cluster settings. */
export type KubernetesExecutorOptions = ExperimentSource & ClusterExecutorOptions;

/** The cluster settings of {@link KubernetesExecutorOptions}. */
export interface ClusterExecutorOptions {
  /** Default: `$KUBECONFIG`, `~/.kube/config`, or the in-cluster service account. */
  readonly kubeConfig?: KubeConfig;
  /** Namespace for the trial jobs; default the experiment's. */
  readonly namespace?: string;
  /** Keep finished jobs; default `spec.trialTemplate.retain`. */
  readonly retain?: boolean;
  readonly retry?: Partial<RetryPolicy>;
  /** How long to wait for the last log lines after the job finished; default 10 s. */
  readonly logGraceMs?: number;
  /**
   * How long a pod trouble (image pull, unschedulable, crash loop, …; see podTrouble.ts) may last before the
   * trial is ended with its reason; default 120 s. Raise it where a cluster autoscaler adds GPU nodes slowly.
   */
  readonly stuckGraceMs?: number;
  /** How often the trial's pods are checked for trouble; default 5 s. */
  readonly stuckPollMs?: number;
  /** Image of the File/TensorFlowEvent collector sidecar (metricsSidecar.ts); default `busybox:1.36`. */
  readonly collectorImage?: string;
  /**
   * Where trial artifacts go (`pvc://CLAIM[/FOLDER]` or an object-store URI; artifactStorage.ts); default the
   * experiment's annotation `hpo-workbench.io/artifacts`, else none (trials get no artifacts folder).
   */
  readonly artifacts?: string;
}

/** One trial's rendered job and how to follow it. */
interface PreparedTrial {
  readonly job: KubeObject;
  readonly ref: ResourceRef;
  readonly judge: JobJudge;
  readonly selector: string;
  /** Every pod of the job, for the stuck-pod watch. */
  readonly jobSelector: string;
  readonly container: string;
}

/** The HTTP status behind an error (a WorkbenchError keeps the client's error as its cause). */
function statusOf(err: unknown): number | undefined {
  const inner = err instanceof WorkbenchError && err.cause !== undefined ? err.cause : err;
  return err instanceof WorkbenchError && err.cause === undefined ? undefined : apiFailure(inner).status;
}

function message(err: unknown): string {
  return err instanceof WorkbenchError ? err.describe() : err instanceof Error ? err.message : String(err);
}

/** Runs each trial as a Kubernetes job; see the module comment. */
export class KubernetesExecutor implements TrialExecutor {
  readonly kind = 'kubernetes';
  /** File and TensorFlowEvent metrics are mirrored into the trial's local folder, which the controller creates. */
  readonly needsWorkDir: boolean;
  private readonly metricsSource: MetricsSource | undefined;
  private readonly collectorImage: string | undefined;
  private readonly artifacts: ArtifactStorage | undefined;
  /** The experiment's namespace (a recovered trial's job is looked for there unless `namespace` is set). */
  private readonly experimentNamespace: string;
  private readonly tt: TrialTemplate;
  private readonly clients: KubeClients;
  private readonly namespace: string | undefined;
  private readonly retain: boolean;
  private readonly policy: RetryPolicy;
  private readonly logGraceMs: number;
  private readonly stuckGraceMs: number;
  private readonly stuckPollMs: number;
  private readonly background = new Set<Promise<void>>();
  private readonly cleanup = new AbortController();
  private templateText: Promise<Record<string, unknown> | string> | undefined;

  constructor(options: KubernetesExecutorOptions) {
    const config = experimentConfig(options);
    this.experimentNamespace = config.namespace;
    const tt = config.trialTemplate;
    if (!tt?.trialSpec && !tt?.configMap) {
      throw new WorkbenchError(
        ErrorCode.invalidSpec,
        'spec.trialTemplate: a trialSpec (or a configMap holding one) is required to run trials on Kubernetes',
      );
    }
    this.tt = tt;
    this.metricsSource = podMetricsSource(config.collector);
    this.needsWorkDir = this.metricsSource !== undefined;
    this.collectorImage = options.collectorImage;
    this.artifacts =
      options.artifacts === undefined
        ? artifactStorageOf(config.manifest.metadata.annotations)
        : parseArtifactStorage(options.artifacts, 'artifacts');
    if (tt.trialSpec) {
      const kind = String(tt.trialSpec.kind ?? '');
      jobJudge(kind, tt.successCondition, tt.failureCondition); // fail fast: a kind without conditions
    }
    this.clients = kubeClients(options.kubeConfig ?? loadKubeConfig());
    this.namespace = options.namespace;
    this.retain = options.retain ?? tt.retain ?? false;
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    this.logGraceMs = options.logGraceMs ?? 10_000;
    this.stuckGraceMs = options.stuckGraceMs ?? 120_000;
    this.stuckPollMs = options.stuckPollMs ?? 5_000;
  }

  /** Deletes the job a dead controller left for this trial, if it is ours (in the background; see {@link close}). */
  recover(trial: { readonly name: string }): undefined {
    const namespace = this.namespace ?? this.experimentNamespace;
    const p = (async () => {
      const template = await this.template(namespace);
      const head = (typeof template === 'string' ? parseYaml(template) : template) as Record<string, unknown>;
      const ref = resourceFor(String(head.apiVersion ?? ''), String(head.kind ?? ''));
      const target = this.target(ref, namespace, trial.name, this.cleanup.signal);
      const job = (await withRetry(
        () => this.clients.custom.getNamespacedCustomObject({ ...ref, namespace, name: trial.name }),
        { policy: this.policy, signal: this.cleanup.signal },
      )) as { metadata?: { labels?: Record<string, string> } };
      if (job.metadata?.labels?.[trialLabel] === trial.name) await deleteJob(target);
    })()
      .catch(() => undefined) // nothing left, or not ours: either way nothing to stop
      .finally(() => this.background.delete(p));
    this.background.add(p);
  }

  /** Waits for background clean-ups started by {@link recover}. */
  async close(): Promise<void> {
    await Promise.all([...this.background]);
  }

  start(ctx: TrialContext): TrialHandle {
    return startTrial((trial) => this.execute(ctx, trial));
  }

  private async execute(ctx: TrialContext, trial: RunningTrial): Promise<ExecutorResult> {
    const signal = trial.signal;
    const namespace = this.namespace ?? ctx.namespace;
    const id: TrialIdentity = {
      experiment: ctx.experiment,
      trial: ctx.trial,
      namespace,
      params: ctx.params,
      ...(ctx.checkpoint === undefined
        ? {}
        : {
            checkpoint: {
              mountPath: ctx.checkpoint.mountPath,
              ...(ctx.checkpoint.parent === undefined ? {} : { parent: ctx.checkpoint.parent }),
            },
          }),
      ...(this.artifacts === undefined
        ? {}
        : {
            artifacts: {
              storage: this.artifacts,
              ...(this.collectorImage === undefined ? {} : { image: this.collectorImage }),
            },
          }),
    };
    let prepared: PreparedTrial;
    try {
      prepared = this.prepare(await this.template(namespace), id);
    } catch (err) {
      return { outcome: 'failed', reason: 'InvalidTrialTemplate', message: message(err) };
    }
    const { job, judge, ref, selector, jobSelector, container } = prepared;
    try {
      mkdirSync(dirname(ctx.logPath), { recursive: true });
    } catch {
      // reported by the stream's error handler below
    }
    const logFile = createWriteStream(ctx.logPath, { flags: 'a' });
    // A log file that cannot be written must not take the controller down; the metrics still flow.
    logFile.once('error', (err) => ctx.warn(`cannot write ${ctx.logPath}: ${err.message}`));
    const target = this.target(ref, namespace, ctx.trial, signal, (d) => ctx.warn(d));
    const cleanupTarget = { ...target, signal: this.cleanup.signal };
    let logs: TrialLogs | undefined;
    const inventory =
      this.artifacts === undefined
        ? undefined
        : new ArtifactInventory(trialArtifactsUri(this.artifacts, ctx.experiment, ctx.trial), podArtifactsDir);
    let created = false;
    const stopped = async (): Promise<ExecutorResult> => {
      logs?.close();
      // A stopped trial's job is deleted even with retain: it would otherwise keep its pods (and GPUs) busy.
      await deleteJob(cleanupTarget).catch((err: unknown) =>
        ctx.warn(`could not delete ${ctx.trial}: ${message(err)}`),
      );
      return { outcome: 'stopped' };
    };
    try {
      const { adopted } = await createOrAdopt(target, job, id);
      created = true;
      if (adopted)
        ctx.warn(`adopted the existing ${ref.kind} ${namespace}/${ctx.trial} left by an earlier run of this trial`);
      const source = this.metricsSource;
      logs = new TrialLogs({
        clients: this.clients,
        namespace,
        selector,
        container,
        policy: this.policy,
        onLine: (text) => {
          logFile.write(`${text}\n`);
          trial.line(text);
        },
        onRecover: (d) => ctx.warn(d),
        // The sidecar's bytes land where the File/TensorFlowEvent collector looks for `path` in the trial's folder.
        ...(source === undefined ? {} : { mirror: { source, target: resolveTrialPath(ctx.workDir, source.path) } }),
        ...(inventory === undefined ? {} : { inventory }),
      });
      if (source !== undefined) trial.files(ctx.workDir);
      logs.start();
      // The stuck-pod watch ends the job watch when a pod trouble outlasts the grace period.
      const stuckStop = new AbortController();
      const watchSignal = AbortSignal.any([signal, stuckStop.signal]);
      const stuck = watchStuckPods({
        clients: this.clients,
        namespace,
        selector: jobSelector,
        graceMs: this.stuckGraceMs,
        pollMs: this.stuckPollMs,
        signal: watchSignal,
        onFlag: (t, grace) =>
          ctx.warn(
            t.action === 'warn'
              ? `${t.reason}: ${t.message}`
              : `${t.reason}: ${t.message} (the trial ends in ${Math.round(grace / 1000)} s unless this clears)`,
          ),
        onBlind: (d) => ctx.warn(d),
      }).then((t) => {
        if (t !== undefined) stuckStop.abort();
        return t;
      });
      // A watch the server closes on schedule is routine; expiries and errors are worth a trial event.
      const end = await watchJob({ ...target, signal: watchSignal }, judge, (what, detail) => {
        if (what !== 'closed') ctx.warn(`${ref.kind} ${ctx.trial}: ${detail}`);
      }).catch((err: unknown) => {
        if (err instanceof StoppedError && !signal.aborted) return undefined;
        throw err;
      });
      stuckStop.abort();
      const trouble = await stuck;
      if (signal.aborted) return await stopped();
      if (end === undefined && trouble !== undefined)
        return withArtifacts(await this.endStuck(trouble, logs, cleanupTarget, ctx), inventory, ctx);
      if (end === undefined) return await stopped();
      await logs.finish(this.logGraceMs);
      return withArtifacts(await this.judged(end, logs, { ctx, ref, namespace, judge, cleanupTarget }), inventory, ctx);
    } catch (err) {
      if (err instanceof StoppedError || signal.aborted) return await stopped();
      logs?.close();
      // We cannot follow the job any more: do not leave it running unobserved.
      if (created) await deleteJob(cleanupTarget).catch(() => undefined);
      const status = statusOf(err);
      const reason =
        err instanceof WorkbenchError && err.code === ErrorCode.conflict
          ? 'JobConflict'
          : status === 403
            ? 'Forbidden'
            : 'KubernetesApiError';
      const text =
        err instanceof WorkbenchError
          ? err.message
          : failureError({ verb: 'create', resource: ref, namespace }, err).message;
      return { outcome: 'failed', reason, message: text };
    } finally {
      // Resolve only once the trial's log file is complete on disk.
      await new Promise<void>((resolve) => {
        if (logFile.closed) return resolve();
        logFile.once('close', () => resolve());
        logFile.end();
      });
    }
  }

  /** How a job that finished (or was deleted) ended the trial; the job is deleted unless `retain`. */
  private async judged(
    end: JobEnd,
    logs: TrialLogs,
    o: {
      readonly ctx: TrialContext;
      readonly ref: ResourceRef;
      readonly namespace: string;
      readonly judge: JobJudge;
      readonly cleanupTarget: JobTarget;
    },
  ): Promise<ExecutorResult> {
    const { ctx, ref, namespace, judge, cleanupTarget } = o;
    if (!this.retain && end.kind === 'finished') {
      await deleteJob(cleanupTarget).catch((err: unknown) =>
        ctx.warn(`could not delete ${ctx.trial}: ${message(err)}`),
      );
    }
    if (end.kind === 'deleted') {
      return {
        outcome: 'failed',
        reason: 'JobDeleted',
        message: `the ${ref.kind} ${namespace}/${ctx.trial} was deleted before it finished`,
      };
    }
    if (logs.error) return { outcome: 'failed', reason: 'MetricsCollectionFailed', message: logs.error.message };
    const v = end.verdict;
    if (v.state === 'succeeded') return { outcome: 'completed' };
    return {
      outcome: 'failed',
      reason: v.reason ?? 'TrialFailed',
      message: v.message ?? `${ref.kind} ${namespace}/${ctx.trial} failed (${judge.failure} matched)`,
    };
  }

  /**
   * Ends a trial whose pod trouble outlasted the grace period: the job is deleted (unless `retain`) so it does
   * not hold nodes; a pod kept alive only by an Istio sidecar finished its work, so its log decides the trial.
   */
  private async endStuck(
    trouble: PodTrouble,
    logs: TrialLogs,
    target: JobTarget,
    ctx: TrialContext,
  ): Promise<ExecutorResult> {
    if (trouble.action === 'finish') await logs.finish(this.logGraceMs);
    else logs.close();
    if (!this.retain) {
      await deleteJob(target).catch((err: unknown) => ctx.warn(`could not delete ${ctx.trial}: ${message(err)}`));
    }
    if (trouble.action === 'finish') {
      if (logs.error) return { outcome: 'failed', reason: 'MetricsCollectionFailed', message: logs.error.message };
      return { outcome: 'completed' };
    }
    return { outcome: 'failed', reason: trouble.reason, message: trouble.message };
  }

  private target(
    ref: ResourceRef,
    namespace: string,
    name: string,
    signal: AbortSignal,
    onRetry?: (detail: string) => void,
  ): JobTarget {
    return {
      clients: this.clients,
      ref,
      namespace,
      name,
      policy: this.policy,
      signal,
      ...(onRetry === undefined ? {} : { onRetry }),
    };
  }

  /** Renders the trial's job and works out how to judge it and where its metrics are. */
  private prepare(template: Record<string, unknown> | string, id: TrialIdentity): PreparedTrial {
    const metrics =
      this.metricsSource === undefined
        ? undefined
        : { source: this.metricsSource, ...(this.collectorImage === undefined ? {} : { image: this.collectorImage }) };
    const job = buildTrialJob(this.tt, template, id, metrics);
    const kind = job.kind ?? '';
    const container = primaryContainerName(job, this.tt);
    return {
      job,
      ref: resourceFor(job.apiVersion ?? '', kind),
      judge: jobJudge(kind, this.tt.successCondition, this.tt.failureCondition),
      selector: labelSelector(primaryPodLabels(job, this.tt)),
      jobSelector: labelSelector(jobPodLabels(job)),
      container,
    };
  }

  /** The inline trialSpec, or the template text of `trialTemplate.configMap` read from the cluster once. */
  private template(namespace: string): Promise<Record<string, unknown> | string> {
    if (this.tt.trialSpec) return Promise.resolve(this.tt.trialSpec);
    this.templateText ??= readTemplateConfigMap(this.clients, this.tt.configMap ?? {}, namespace, this.policy).catch(
      (err: unknown) => {
        this.templateText = undefined; // let the next trial try again
        throw err;
      },
    );
    return this.templateText;
  }
}
