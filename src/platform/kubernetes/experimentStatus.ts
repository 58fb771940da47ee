/**
 * `hpo status NAME --cluster`: reads a Katib Experiment's status back from the cluster — its conditions,
 * trial counts and `currentOptimalTrial` (katib REFERENCE §5.1–5.2) — in a plain shape the CLI prints.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { failureError } from './apiError.ts';
import { kubeClients } from './clients.ts';
import { experimentResource } from './resources.ts';
import { defaultRetryPolicy, type RetryPolicy, withRetry } from './retry.ts';
import type { KubeObject } from './types.ts';

/** One Experiment condition. */
export interface ClusterCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

/** Trial counts as Katib keeps them in the Experiment's status. */
export interface ClusterTrialCounts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly killed: number;
  readonly pending: number;
  readonly running: number;
  readonly earlyStopped: number;
  readonly metricsUnavailable: number;
}

/** Katib's `currentOptimalTrial`. */
export interface ClusterOptimalTrial {
  readonly name: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly metrics: readonly { name: string; min?: string; max?: string; latest?: string }[];
}

/** An Experiment's state on the cluster. */
export interface ClusterExperimentStatus {
  readonly name: string;
  readonly namespace: string;
  /** The deciding True condition (`Succeeded`/`Failed` > `Restarting` > `Running` > `Created`), else `Pending`. */
  readonly phase: string;
  readonly reason?: string;
  readonly message?: string;
  readonly conditions: readonly ClusterCondition[];
  readonly trials: ClusterTrialCounts;
  readonly currentOptimalTrial?: ClusterOptimalTrial;
  readonly startTime?: string;
  readonly completionTime?: string;
}

type Loose = Record<string, unknown>;

function rec(v: unknown): Loose {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : {};
}

function str(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function opt<K extends string>(key: K, v: string | undefined): { [P in K]?: string } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: string };
}

const precedence = ['Succeeded', 'Failed', 'Restarting', 'Running', 'Created'];

/** Summarises an Experiment object (pure: the read and the shaping are separate for tests and other callers). */
export function experimentStatusFrom(obj: KubeObject): ClusterExperimentStatus {
  const status = rec(obj.status);
  const conditions: ClusterCondition[] = (Array.isArray(status.conditions) ? status.conditions : []).map((c) => {
    const r = rec(c);
    return {
      type: String(r.type ?? ''),
      status: String(r.status ?? ''),
      ...opt('reason', str(r.reason)),
      ...opt('message', str(r.message)),
      ...opt('lastTransitionTime', str(r.lastTransitionTime)),
    };
  });
  const deciding = precedence
    .map((t) => conditions.find((c) => c.type === t && c.status === 'True'))
    .find((c) => c !== undefined);
  const best = rec(status.currentOptimalTrial);
  const bestName = str(best.bestTrialName);
  const parameters: Record<string, string> = {};
  for (const p of Array.isArray(best.parameterAssignments) ? best.parameterAssignments : []) {
    const r = rec(p);
    if (typeof r.name === 'string') parameters[r.name] = String(r.value ?? '');
  }
  const metrics = (
    Array.isArray(rec(best.observation).metrics) ? (rec(best.observation).metrics as unknown[]) : []
  ).map((m) => {
    const r = rec(m);
    return {
      name: String(r.name ?? ''),
      ...opt('min', str(r.min)),
      ...opt('max', str(r.max)),
      ...opt('latest', str(r.latest)),
    };
  });
  return {
    name: obj.metadata?.name ?? '',
    namespace: obj.metadata?.namespace ?? '',
    phase: deciding?.type ?? 'Pending',
    ...opt('reason', deciding?.reason),
    ...opt('message', deciding?.message),
    conditions,
    trials: {
      total: num(status.trials),
      succeeded: num(status.trialsSucceeded),
      failed: num(status.trialsFailed),
      killed: num(status.trialsKilled),
      pending: num(status.trialsPending),
      running: num(status.trialsRunning),
      earlyStopped: num(status.trialsEarlyStopped),
      metricsUnavailable: num(status.trialMetricsUnavailable),
    },
    ...(bestName === undefined ? {} : { currentOptimalTrial: { name: bestName, parameters, metrics } }),
    ...opt('startTime', str(status.startTime)),
    ...opt('completionTime', str(status.completionTime)),
  };
}

/** Reads the Experiment from the cluster. Throws `notFound` when it does not exist. */
export async function readExperimentStatus(
  kc: KubeConfig,
  namespace: string,
  name: string,
  options: { readonly retry?: Partial<RetryPolicy> } = {},
): Promise<ClusterExperimentStatus> {
  const { custom } = kubeClients(kc);
  const policy = { ...defaultRetryPolicy, ...options.retry };
  try {
    const obj = (await withRetry(
      () =>
        custom.getNamespacedCustomObject({
          group: experimentResource.group,
          version: experimentResource.version,
          namespace,
          plural: experimentResource.plural,
          name,
        }),
      { policy },
    )) as KubeObject;
    return experimentStatusFrom(obj);
  } catch (err) {
    throw failureError({ verb: 'get', resource: experimentResource, namespace, name }, err);
  }
}

/** A few lines for the terminal: phase, counts, and the best trial so far. */
export function formatExperimentStatus(s: ClusterExperimentStatus): string {
  const t = s.trials;
  const lines = [
    `Experiment ${s.namespace}/${s.name}: ${s.phase}${s.reason === undefined ? '' : ` (${s.reason})`}`,
    ...(s.message === undefined ? [] : [`  ${s.message}`]),
    `Trials: ${t.total} total, ${t.succeeded} succeeded, ${t.running} running, ${t.pending} pending, ${t.failed} failed, ${t.killed} killed, ${t.earlyStopped} early stopped, ${t.metricsUnavailable} metrics unavailable`,
  ];
  const best = s.currentOptimalTrial;
  if (best !== undefined) {
    const params = Object.entries(best.parameters)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const metrics = best.metrics.map((m) => `${m.name}=${m.latest ?? m.max ?? m.min ?? '?'}`).join(', ');
    lines.push(`Best trial: ${best.name} (${params}) ${metrics}`);
  }
  return lines.join('\n');
}
