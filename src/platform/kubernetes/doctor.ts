/**
 * `hpo doctor`: read-only checks of a cluster against an experiment, each a pass/fail with the fix, so the
 * problems Kubeflow users meet first (a CRD missing or drifted after an upgrade, a RoleBinding missing, the Katib
 * namespace label, an unbound PVC, GPUs that no node has) show up before the first trial hangs. Nothing is
 * created or changed: the checks are GETs, LISTs and SelfSubjectAccessReviews (what `kubectl auth can-i` sends).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ExperimentManifest } from '../../spec/types.ts';
import { apiFailure } from './apiError.ts';
import { kubeClients } from './clients.ts';
import { gpuCheck, pvcCheck } from './doctorCapacity.ts';
import { crdChecks, namespaceCheck, rbacChecks } from './doctorCluster.ts';
import { katibConfigChecks } from './doctorKatib.ts';
import { sidecarCheck } from './doctorSidecar.ts';
import type { KubeObject } from './types.ts';

/** One check's result. `skip`: it does not apply, or the cluster did not let us look (the message says which). */
export interface DoctorCheck {
  /** `cluster`, `crd`, `rbac`, `namespace`, `katib`, `sidecar`, `pvc` or `gpu`. */
  readonly check: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly message: string;
  /** What to do about a failure. */
  readonly fix?: string;
}

/** Which command the cluster is checked for: the Kubernetes backend (`hpo run`), `hpo submit`, or both. */
export type DoctorPurpose = 'run' | 'submit' | 'both';

/** Options of {@link runDoctor}. */
export interface DoctorOptions {
  /** Default: the experiment's namespace, else the context's, else `default`. */
  readonly namespace?: string;
  readonly purpose?: DoctorPurpose;
  /** The first trial's job as the backend renders it (absent for a ConfigMap template): validated against the live CRD. */
  readonly trialJob?: KubeObject;
  /** Where Katib runs (its `katib-config` ConfigMap), for `hpo submit`; default `kubeflow`. */
  readonly katibNamespace?: string;
}

/** The clients, namespace and experiment every check reads. */
export interface DoctorContext {
  readonly clients: ReturnType<typeof kubeClients>;
  readonly namespace: string;
  readonly purpose: DoctorPurpose;
  readonly manifest?: ExperimentManifest;
  readonly trialJob?: KubeObject;
}

/** Runs every check in order (CRDs, RBAC, namespace, Katib's config, PVC, GPUs); never throws for what the cluster answers. */
export async function runDoctor(
  kc: KubeConfig,
  manifest: ExperimentManifest | undefined,
  options: DoctorOptions = {},
): Promise<DoctorCheck[]> {
  const contextNs = kc.getContextObject(kc.getCurrentContext())?.namespace;
  const ctx: DoctorContext = {
    clients: kubeClients(kc),
    namespace: options.namespace ?? manifest?.metadata.namespace ?? contextNs ?? 'default',
    purpose: options.purpose ?? 'both',
    ...(manifest === undefined ? {} : { manifest }),
    ...(options.trialJob === undefined ? {} : { trialJob: options.trialJob }),
  };
  // Every later check reads "could not look" as a skip: an unreachable cluster must fail here instead.
  const reach = await reachCheck(ctx, kc.getCurrentCluster()?.server ?? '(no server)');
  if (reach.status === 'fail') return [reach];
  return [
    reach,
    ...(await crdChecks(ctx)),
    ...(await rbacChecks(ctx)),
    await namespaceCheck(ctx),
    ...(await katibConfigChecks(ctx, options.katibNamespace ?? 'kubeflow')),
    ...[await sidecarCheck(ctx)].filter((c) => c !== undefined),
    await pvcCheck(ctx),
    await gpuCheck(ctx),
  ];
}

/** Whether the API server answers at all (any HTTP status will do) and accepts the credentials. */
async function reachCheck(ctx: DoctorContext, server: string): Promise<DoctorCheck> {
  try {
    await ctx.clients.core.getAPIResources();
  } catch (err) {
    const f = apiFailure(err);
    if (f.status === undefined || f.status === 401) {
      return {
        check: 'cluster',
        status: 'fail',
        message:
          `${f.status === 401 ? 'the API server rejected the credentials' : 'cannot reach the API server'} at ${server}: ${f.message}`.slice(
            0,
            400,
          ),
        fix: "check the kubeconfig's current context and credentials ('kubectl cluster-info'), or pass --context",
      };
    }
  }
  return { check: 'cluster', status: 'pass', message: `the API server at ${server} answers` };
}

/** The checks as aligned text lines, a fix under each failure. */
export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.status.toUpperCase().padEnd(4)}  ${c.check.padEnd(9)} ${c.message}`);
    if (c.status === 'fail' && c.fix !== undefined) lines.push(`${' '.repeat(16)}fix: ${c.fix}`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  lines.push(failed === 0 ? 'all checks passed' : `${failed} check(s) failed`);
  return lines.join('\n');
}
