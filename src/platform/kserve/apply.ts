/**
 * `hpo export --to kserve --apply`: creates or replaces an InferenceService through the Kubernetes backend's client
 * and follows its status until KServe says it is `Ready` (or why it is not). Replacing a running service with
 * `canaryTrafficPercent` is KServe's canary rollout: the new revision gets that share of the traffic and the previous
 * one keeps the rest until the canary is promoted.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { isRecord } from '../../spec/read.ts';
import { failureError } from '../kubernetes/apiError.ts';
import { type IsvcStatus, readIsvcStatus } from './isvcStatus.ts';

const group = 'serving.kserve.io';
const version = 'v1beta1';
const plural = 'inferenceservices';
const resource = { group, version, plural };

/** Options of {@link applyInferenceService}. */
export interface ApplyOptions {
  readonly kubeConfig: KubeConfig;
  /** Default: the manifest's namespace, else the kubeconfig context's, else `default`. */
  readonly namespace?: string;
  /** How long to wait for `Ready`; default 5 minutes. */
  readonly timeoutMs?: number;
  /** Between status reads; default 2 s. */
  readonly pollMs?: number;
  /** Each status change, as a line for a person (the CLI prints it on stderr). */
  readonly onProgress?: (line: string) => void;
}

/** How an apply ended. `failed` and `timeout` carry KServe's reason and message when it gave one. */
export interface ApplyResult {
  readonly outcome: 'ready' | 'failed' | 'timeout';
  /** `created`, or `replaced` when a service of that name existed. */
  readonly action: 'created' | 'replaced';
  readonly name: string;
  readonly namespace: string;
  /** The canary percent the new revision was given (only when an existing service was replaced with one). */
  readonly canaryTrafficPercent?: number;
  /** The last status read. */
  readonly status: IsvcStatus;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function describe(s: IsvcStatus): string {
  const ready = s.ready === undefined ? 'Ready unknown' : `Ready ${s.ready.status}`;
  const why = s.ready?.reason ? ` (${s.ready.reason}${s.ready.message ? `: ${s.ready.message}` : ''})` : '';
  const traffic = s.traffic.map((t) => `${t.revision ?? 'latest'} ${t.percent}%`).join(', ');
  const observed = s.current ? '' : ', controller has not seen this generation yet';
  return `${ready}${why}${observed}${traffic === '' ? '' : `; traffic ${traffic}`}${s.url ? `; url ${s.url}` : ''}`;
}

/**
 * Creates `manifest` (an InferenceService) or, when one of that name exists, replaces its spec and sets its
 * annotations (a JSON patch guarded by the resourceVersion read, so a concurrent change is a conflict rather than
 * lost), then waits for it to be Ready. API failures (RBAC, missing CRD, invalid spec) throw the backend's errors.
 */
export async function applyInferenceService(
  manifest: Record<string, unknown>,
  options: ApplyOptions,
): Promise<ApplyResult> {
  // Loaded only here: @kubernetes/client-node is an optional peer, and the rest of `hpo-workbench/kserve` (export,
  // serve) works without it.
  const { kubeClients } = await import('../kubernetes/clients.ts');
  const { custom } = kubeClients(options.kubeConfig);
  const metadata = (isRecord(manifest.metadata) ? manifest.metadata : {}) as Record<string, unknown>;
  const name = String(metadata.name);
  const namespace =
    options.namespace ??
    (typeof metadata.namespace === 'string' ? metadata.namespace : undefined) ??
    options.kubeConfig.getContextObject(options.kubeConfig.getCurrentContext())?.namespace ??
    'default';
  const body: Record<string, unknown> = { ...manifest, metadata: { ...metadata, namespace } };
  const progress = options.onProgress ?? (() => {});
  const op = (verb: string) => ({ verb, resource, namespace, name });

  let existing: Record<string, unknown> | undefined;
  try {
    existing = (await custom.getNamespacedCustomObject({ group, version, namespace, plural, name })) as Record<
      string,
      unknown
    >;
  } catch (e) {
    const failure = failureError(op('get'), e);
    if (failure.code !== 'NOT_FOUND') throw failure;
  }

  const spec = body.spec as { predictor?: { canaryTrafficPercent?: number } } | undefined;
  const canary = spec?.predictor?.canaryTrafficPercent;
  let applied: Record<string, unknown>;
  if (existing === undefined) {
    if (canary !== undefined) {
      progress(
        `no InferenceService ${namespace}/${name} yet: KServe gives a first revision all traffic, canaryTrafficPercent ${canary} applies to the next`,
      );
    }
    try {
      applied = (await custom.createNamespacedCustomObject({ group, version, namespace, plural, body })) as Record<
        string,
        unknown
      >;
    } catch (e) {
      throw failureError(op('create'), e);
    }
    progress(`created InferenceService ${namespace}/${name}`);
  } else {
    const old = existing.metadata as { resourceVersion?: string; annotations?: Record<string, string> };
    // Others' annotations stay; ours (experiment, trial, model digest) are the new model's.
    const annotations = { ...old.annotations, ...((body.metadata as { annotations?: object }).annotations ?? {}) };
    const patch = [
      { op: 'test', path: '/metadata/resourceVersion', value: old.resourceVersion },
      { op: 'replace', path: '/spec', value: body.spec },
      { op: 'add', path: '/metadata/annotations', value: annotations },
    ];
    try {
      applied = (await custom.patchNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        name,
        body: patch,
      })) as Record<string, unknown>;
    } catch (e) {
      throw failureError(op('patch'), e);
    }
    progress(
      `replaced the spec of InferenceService ${namespace}/${name}${canary === undefined ? ' (all traffic moves to the new revision once it is ready)' : `: the new revision gets ${canary}% of the traffic (canary)`}`,
    );
  }

  const generation = Number((applied.metadata as { generation?: number }).generation ?? 1);
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  const poll = options.pollMs ?? 2000;
  const result = (outcome: ApplyResult['outcome'], status: IsvcStatus): ApplyResult => ({
    outcome,
    action: existing === undefined ? 'created' : 'replaced',
    name,
    namespace,
    ...(existing !== undefined && canary !== undefined ? { canaryTrafficPercent: canary } : {}),
    status,
  });
  let last = '';
  let status = readIsvcStatus(applied, generation);
  for (;;) {
    const line = describe(status);
    if (line !== last) progress(`${name}: ${line}`);
    last = line;
    if (status.current && status.failure !== undefined) return result('failed', status);
    if (status.current && status.ready?.status === 'True' && status.latestIsReady) return result('ready', status);
    if (Date.now() >= deadline) return result('timeout', status);
    await sleep(Math.min(poll, Math.max(0, deadline - Date.now())));
    try {
      const cur = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name });
      status = readIsvcStatus(cur as Record<string, unknown>, generation);
    } catch (e) {
      throw failureError(op('get'), e);
    }
  }
}

export type { IsvcStatus };
