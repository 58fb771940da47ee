/**
 * The API-level checks of `hpo doctor`: the CRDs the experiment needs (served version, the rendered trial against
 * the live schema), RBAC for every verb the backend and `hpo submit` use (SelfSubjectAccessReview), and the
 * namespace (exists; Katib's metrics-collector-injection label for `hpo submit`).
 */
import { AuthorizationV1Api } from '@kubernetes/client-node';
import { validateAgainstCrd } from '../../training/jobs/crdValidator.ts';
import { apiFailure } from './apiError.ts';
import type { DoctorCheck, DoctorContext } from './doctor.ts';
import { experimentResource, qualifiedResource, resourceFor } from './resources.ts';
import { injectionFix, injectionLabel } from './submit.ts';
import type { ResourceRef } from './types.ts';

// Groups the apiserver serves itself: no CRD to look for.
const builtInGroups = new Set(['', 'batch', 'apps']);

const crdResource = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };

function usesRun(ctx: DoctorContext): boolean {
  return ctx.purpose !== 'submit';
}

function usesSubmit(ctx: DoctorContext): boolean {
  return ctx.purpose !== 'run';
}

/** The trial job's resource, from the rendered job or the inline template. */
function trialResource(ctx: DoctorContext): ResourceRef | undefined {
  const head = ctx.trialJob ?? ctx.manifest?.spec.trialTemplate?.trialSpec;
  if (head === undefined) return undefined;
  try {
    return resourceFor(String(head.apiVersion ?? ''), String(head.kind ?? ''));
  } catch {
    return undefined;
  }
}

function brief(err: unknown): string {
  const f = apiFailure(err);
  return `${f.status ?? 'network error'}: ${f.message}`.slice(0, 300);
}

/** Who installs the CRD of `ref`, for the fix. */
function provider(ref: ResourceRef): string {
  if (ref.kind === 'Experiment' && ref.group === 'kubeflow.org')
    return 'Katib (it serves kubeflow.org/v1beta1 Experiments)';
  if (ref.group === 'trainer.kubeflow.org')
    return `Kubeflow Trainer (it serves ${ref.group}/${ref.version} ${ref.kind})`;
  if (ref.kind === 'MPIJob' && ref.version === 'v2beta1')
    return 'the MPI Operator (it serves kubeflow.org/v2beta1 MPIJob)';
  if (ref.group === 'kubeflow.org') return `the Kubeflow Training Operator v1 (it serves kubeflow.org/v1 ${ref.kind})`;
  return `the operator that serves ${ref.kind} (${ref.group}/${ref.version})`;
}

async function crdCheck(ctx: DoctorContext, ref: ResourceRef, validate: boolean): Promise<DoctorCheck> {
  const name = qualifiedResource(ref);
  const wanted = `${ref.group}/${ref.version}`;
  let crd: { spec?: { versions?: { name?: string; served?: boolean }[] } };
  try {
    crd = (await ctx.clients.custom.getClusterCustomObject({ ...crdResource, name })) as typeof crd;
  } catch (err) {
    const f = apiFailure(err);
    if (f.status === 404) {
      return {
        check: 'crd',
        status: 'fail',
        message: `the CRD ${name} is not installed, so ${ref.kind} objects cannot be created`,
        fix: `install ${provider(ref)}; 'kubectl get crd ${name}' shows it once installed`,
      };
    }
    return {
      check: 'crd',
      status: 'skip',
      message: `cannot read the CRD ${name} (${brief(err)})`,
      fix: `ask for get on customresourcedefinitions.apiextensions.k8s.io, or check by hand: kubectl get crd ${name}`,
    };
  }
  const served = (crd.spec?.versions ?? []).filter((v) => v.served).map((v) => v.name ?? '');
  if (!served.includes(ref.version)) {
    return {
      check: 'crd',
      status: 'fail',
      message: `the CRD ${name} serves ${served.map((v) => `${ref.group}/${v}`).join(', ') || 'no version'}, not ${wanted} which the experiment uses`,
      fix: `set apiVersion to a served version in the template, or install the operator release that serves ${wanted}`,
    };
  }
  if (!validate || ctx.trialJob === undefined) {
    return { check: 'crd', status: 'pass', message: `${name} serves ${wanted}` };
  }
  // The live schema, not the one this tool ships with: a cluster upgraded (or not) differs from both.
  const issues = validateAgainstCrd(ctx.trialJob, JSON.stringify(crd)).filter((i) => i.severity !== 'warning');
  if (issues.length > 0) {
    return {
      check: 'crd',
      status: 'fail',
      message: `the rendered trial does not validate against the live ${name} schema: ${issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}`,
      fix: "correct these fields of the trial template ('hpo run FILE --backend kubernetes --dry-run' shows the rendered job), or upgrade the operator whose CRD lacks them",
    };
  }
  return {
    check: 'crd',
    status: 'pass',
    message: `${name} serves ${wanted} and the rendered trial validates against it`,
  };
}

/** One CRD check per custom resource the experiment needs. */
export async function crdChecks(ctx: DoctorContext): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  const trial = trialResource(ctx);
  if (trial !== undefined && !builtInGroups.has(trial.group)) out.push(await crdCheck(ctx, trial, true));
  if (usesSubmit(ctx)) out.push(await crdCheck(ctx, experimentResource, false));
  return out;
}

interface Need {
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly verbs: readonly string[];
  readonly why: string;
}

/** Every verb the Kubernetes backend and `hpo submit` use, per resource. */
function needs(ctx: DoctorContext): Need[] {
  const out: Need[] = [];
  const trial = trialResource(ctx);
  if (usesRun(ctx)) {
    if (trial !== undefined) {
      out.push({
        group: trial.group,
        resource: trial.plural,
        verbs: ['create', 'get', 'list', 'watch', 'delete'],
        why: 'trial jobs',
      });
    }
    out.push({ group: '', resource: 'pods', verbs: ['list', 'watch'], why: 'finding trial pods' });
    out.push({ group: '', resource: 'pods', subresource: 'log', verbs: ['get'], why: 'metrics from the log' });
    out.push({ group: '', resource: 'events', verbs: ['list'], why: 'stuck-pod diagnosis' });
    if (ctx.manifest?.spec.trialTemplate?.configMap !== undefined) {
      out.push({ group: '', resource: 'configmaps', verbs: ['get'], why: 'the trial template ConfigMap' });
    }
  }
  if (usesSubmit(ctx)) {
    out.push({
      group: experimentResource.group,
      resource: experimentResource.plural,
      verbs: ['create', 'get'],
      why: 'hpo submit',
    });
  }
  return out;
}

/** One RBAC check per resource, each verb asked with a SelfSubjectAccessReview. */
export async function rbacChecks(ctx: DoctorContext): Promise<DoctorCheck[]> {
  const auth = ctx.clients.kc.makeApiClient(AuthorizationV1Api);
  const out: DoctorCheck[] = [];
  for (const n of needs(ctx)) {
    const name = `${n.group === '' ? n.resource : `${n.resource}.${n.group}`}${n.subresource ? `/${n.subresource}` : ''}`;
    const denied: string[] = [];
    try {
      for (const verb of n.verbs) {
        const r = await auth.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: {
              resourceAttributes: {
                namespace: ctx.namespace,
                verb,
                group: n.group,
                resource: n.resource,
                ...(n.subresource === undefined ? {} : { subresource: n.subresource }),
              },
            },
          },
        });
        if (r.status?.allowed !== true) denied.push(verb);
      }
    } catch (err) {
      out.push({ check: 'rbac', status: 'skip', message: `cannot ask the apiserver about ${name} (${brief(err)})` });
      continue;
    }
    const what = `${n.verbs.join(', ')} ${name} in ${ctx.namespace} (${n.why})`;
    if (denied.length === 0) {
      out.push({ check: 'rbac', status: 'pass', message: `allowed: ${what}` });
      continue;
    }
    const res = n.subresource ? `${n.resource}/${n.subresource}` : n.resource;
    const role = `hpo-${n.resource}${n.subresource ? `-${n.subresource}` : ''}`;
    out.push({
      check: 'rbac',
      status: 'fail',
      message: `denied: ${denied.join(', ')} ${name} in ${ctx.namespace} (${n.why})`,
      fix: `grant them to your identity with a Role and RoleBinding, e.g. kubectl create role ${role} -n ${ctx.namespace} --verb=${n.verbs.join(',')} --resource=${res}${n.group ? `.${n.group}` : ''} && kubectl create rolebinding ${role} -n ${ctx.namespace} --role=${role} --serviceaccount=NAMESPACE:NAME (or --user=NAME); check with kubectl auth can-i ${denied[0]} ${res}${n.group ? `.${n.group}` : ''} -n ${ctx.namespace}`,
    });
  }
  return out;
}

/** The namespace exists; for `hpo submit`, it carries Katib's metrics-collector-injection label. */
export async function namespaceCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  const ns = ctx.namespace;
  let labels: Record<string, string>;
  try {
    labels = (await ctx.clients.core.readNamespace({ name: ns })).metadata?.labels ?? {};
  } catch (err) {
    if (apiFailure(err).status === 404) {
      return {
        check: 'namespace',
        status: 'fail',
        message: `namespace ${ns} does not exist`,
        fix: `kubectl create namespace ${ns}${usesSubmit(ctx) ? ` && ${injectionFix(ns)}` : ''}`,
      };
    }
    return { check: 'namespace', status: 'skip', message: `cannot read namespace ${ns} (${brief(err)})` };
  }
  if (usesSubmit(ctx) && labels[injectionLabel] !== 'enabled') {
    return {
      check: 'namespace',
      status: 'fail',
      message: `namespace ${ns} lacks ${injectionLabel}=enabled: Katib rejects Experiments there and injects no metrics collector`,
      fix: injectionFix(ns),
    };
  }
  return {
    check: 'namespace',
    status: 'pass',
    message: usesSubmit(ctx) ? `namespace ${ns} exists with ${injectionLabel}=enabled` : `namespace ${ns} exists`,
  };
}
