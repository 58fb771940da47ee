/**
 * What Katib's early-stopping service does when its metrics collector calls `SetTrialStatus`: append the condition
 * `EarlyStopped` (reason `TrialEarlyStopped`, "Trial is early stopped") to the Trial's status over the Kubernetes
 * API, so Katib's trial controller records the trial as early-stopped instead of Succeeded. It reads the Trial and
 * replaces its status subresource (the `get` and `update` on `trials`/`trials/status` Katib grants the suggestion's
 * service account), retrying when another writer changed the Trial in between (409).
 */
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { apiFailure, failureError } from './apiError.ts';
import { type KubeClients, kubeClients } from './clients.ts';

const trialResource = { group: 'kubeflow.org', version: 'v1beta1', plural: 'trials' };

/** Katib's EarlyStopped condition, stamped `at`. */
export function earlyStoppedCondition(at: string): Record<string, string> {
  return {
    type: 'EarlyStopped',
    status: 'True',
    reason: 'TrialEarlyStopped',
    message: 'Trial is early stopped',
    lastUpdateTime: at,
    lastTransitionTime: at,
  };
}

/** Options of {@link markTrialEarlyStopped}. */
export interface MarkEarlyStoppedOptions {
  readonly clients: KubeClients;
  readonly namespace: string;
  readonly trial: string;
  /** The condition's time; default now (Kubernetes' second precision). */
  readonly now?: () => Date;
  /** Attempts on 409 Conflict; default 5. */
  readonly attempts?: number;
}

interface TrialObject {
  metadata?: { resourceVersion?: string };
  status?: { conditions?: { type?: string; status?: string }[] };
}

/**
 * Appends the EarlyStopped condition to the Trial; nothing when it already has it (the collector may call again).
 * Throws a `notFound` WorkbenchError for a Trial that does not exist, else the API's error (a 403 names the RBAC to grant).
 */
export async function markTrialEarlyStopped(o: MarkEarlyStoppedOptions): Promise<'marked' | 'already'> {
  const { clients, namespace, trial } = o;
  const ref = { ...trialResource, namespace, name: trial };
  const attempts = o.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    let current: TrialObject;
    try {
      current = (await clients.custom.getNamespacedCustomObject(ref)) as TrialObject;
    } catch (err) {
      throw failureError({ verb: 'get', resource: trialResource, namespace, name: trial }, err);
    }
    const conditions = current.status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'EarlyStopped' && c.status === 'True')) return 'already';
    const at = (o.now?.() ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
    // The resourceVersion read makes the replace conditional: a concurrent status write is not lost.
    const body = { ...current, status: { ...current.status, conditions: [...conditions, earlyStoppedCondition(at)] } };
    try {
      await clients.custom.replaceNamespacedCustomObjectStatus({ ...ref, body });
      return 'marked';
    } catch (err) {
      if (apiFailure(err).status === 409 && attempt < attempts) continue;
      throw failureError(
        { verb: 'update', resource: trialResource, namespace, name: trial, subresource: 'status' },
        err,
      );
    }
  }
}

/** Where a pod's service account lives; Katib runs the suggestion pod in the experiment's namespace. */
const serviceAccountNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * The namespace whose Trials `hpo suggestion-server` marks: the pod's own (its service account's), else the
 * kubeconfig context's, else `default`.
 */
export function trialNamespace(kc: KubeConfig, saFile: string = serviceAccountNamespaceFile): string {
  try {
    const ns = readFileSync(saFile, 'utf8').trim();
    if (ns !== '') return ns;
  } catch {
    // not in a pod
  }
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

/** The `setTrialStatus` hook of the suggestion server: marks the named Trial of `namespace` EarlyStopped. */
export function earlyStoppedMarker(kc: KubeConfig, namespace: string): (trial: string) => Promise<void> {
  const clients = kubeClients(kc);
  return async (trial) => {
    await markTrialEarlyStopped({ clients, namespace, trial });
  };
}
