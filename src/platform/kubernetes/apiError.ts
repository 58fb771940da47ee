/**
 * Turns what `@kubernetes/client-node` throws (ApiException with a JSON `Status` body, a watch error with
 * `statusCode`, a node-fetch network error) into one plain shape, and into messages that say what to do:
 * a 403 names the RBAC verb, resource and API group to grant.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { qualifiedResource } from './resources.ts';
import type { ResourceRef } from './types.ts';

/** A failed API call, reduced to what decisions need. */
export interface ApiFailure {
  /** HTTP status; undefined for a network failure (refused, reset, DNS). */
  readonly status?: number;
  /** The `Status.reason` (`AlreadyExists`, `Forbidden`, `Expired`, `TooManyRequests`, …). */
  readonly reason?: string;
  readonly message: string;
  /** From `Retry-After` or `Status.details.retryAfterSeconds`. */
  readonly retryAfterMs?: number;
  /** The identity a 403 names (`system:serviceaccount:ns:name`). */
  readonly user?: string;
}

/** What we were doing when a call failed, for the message. */
export interface ApiOperation {
  readonly verb: string;
  readonly resource: Pick<ResourceRef, 'group' | 'plural'> & { readonly version?: string };
  readonly namespace?: string;
  readonly name?: string;
  /** `log` or `status` when the call was on a subresource. */
  readonly subresource?: string;
}

type Loose = Record<string, unknown>;

function parseStatus(body: unknown): Loose | undefined {
  if (typeof body === 'string') {
    try {
      const v = JSON.parse(body) as unknown;
      return v !== null && typeof v === 'object' ? (v as Loose) : undefined;
    } catch {
      return undefined;
    }
  }
  return body !== null && typeof body === 'object' ? (body as Loose) : undefined;
}

function retryAfter(headers: unknown, status: Loose | undefined): number | undefined {
  const h = headers !== null && typeof headers === 'object' ? (headers as Record<string, unknown>) : {};
  const raw = h['retry-after'] ?? h['Retry-After'];
  if (typeof raw === 'string' && raw.trim() !== '') {
    const s = Number(raw);
    if (Number.isFinite(s) && s >= 0) return s * 1000;
    const at = Date.parse(raw);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  const details = status?.details as Loose | undefined;
  const secs = details?.retryAfterSeconds;
  return typeof secs === 'number' && secs >= 0 ? secs * 1000 : undefined;
}

/** Normalises anything a client call threw (or a watch `ERROR` event's Status object). */
export function apiFailure(err: unknown): ApiFailure {
  const e = (err ?? {}) as Loose;
  if (e.kind === 'Status') {
    const code = typeof e.code === 'number' ? e.code : undefined;
    return {
      ...(code === undefined ? {} : { status: code }),
      ...(typeof e.reason === 'string' ? { reason: e.reason } : {}),
      message: typeof e.message === 'string' ? e.message : 'watch error',
    };
  }
  const code = typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (code === undefined) {
    const why = err instanceof Error ? err.message : String(err);
    return { message: `cannot reach the Kubernetes API server: ${why}` };
  }
  const status = parseStatus(e.body);
  const message =
    typeof status?.message === 'string'
      ? status.message
      : typeof e.body === 'string' && e.body.trim() !== ''
        ? e.body.trim().slice(0, 500)
        : err instanceof Error
          ? err.message.split('\n')[0]!.replace(/^HTTP-Code: \d+\s*/, '')
          : `HTTP ${code}`;
  const after = retryAfter(e.headers, status);
  const user = /User "([^"]+)"/.exec(message)?.[1];
  return {
    status: code,
    ...(typeof status?.reason === 'string' ? { reason: status.reason } : {}),
    message,
    ...(after === undefined ? {} : { retryAfterMs: after }),
    ...(user === undefined ? {} : { user }),
  };
}

/** Whether waiting and trying again can help: network failures, 429 and 5xx. */
export function isRetryable(f: ApiFailure): boolean {
  return f.status === undefined || f.status === 429 || f.status >= 500;
}

/** Who the message says was refused. */
function subject(user: string | undefined): string {
  if (user === undefined || user.startsWith('system:serviceaccount:')) return 'the service account';
  return `user "${user}"`;
}

/** Which operator serves a group, for a "the cluster does not serve …" message. */
function installHint(group: string, plural: string): string {
  if (plural === 'experiments' && group === 'kubeflow.org') return 'install Katib';
  if (group === 'kubeflow.org') return 'install the Kubeflow training operator (mpi-operator for MPIJob v2beta1)';
  if (group === 'trainer.kubeflow.org') return 'install Kubeflow Trainer v2 and JobSet';
  return 'install the operator that defines this resource';
}

/** A one-line message saying what failed and, for 401/403/404-of-a-type, what to do about it. */
export function describeFailure(op: ApiOperation, f: ApiFailure): string {
  const res = qualifiedResource(op.resource);
  const full = op.subresource === undefined ? op.resource.plural : `${op.resource.plural}/${op.subresource}`;
  const where = op.namespace === undefined ? '' : ` in namespace ${op.namespace}`;
  if (f.status === 403) {
    const group = op.resource.group === '' ? 'the core API group ("")' : `API group '${op.resource.group}'`;
    const identity = f.user === undefined ? '' : ` (denied to ${f.user})`;
    const what = op.subresource === undefined ? res : `${res} ${op.subresource}`;
    return `${subject(f.user)} cannot ${op.verb} ${what}${where}: grant verb '${op.verb}' on resource '${full}' in ${group}${identity}`;
  }
  if (f.status === 401) {
    return `the API server rejected the credentials (401 Unauthorized) while trying to ${op.verb} ${res}: refresh the kubeconfig's token or client certificate`;
  }
  if (f.status === 404 && (op.name === undefined || f.message === 'the server could not find the requested resource')) {
    const version = op.resource.version === undefined ? '' : `/${op.resource.version}`;
    return `the cluster does not serve ${res}${version}: ${installHint(op.resource.group, op.resource.plural)}`;
  }
  const named = op.name === undefined ? '' : ` "${op.name}"`;
  const http = f.status === undefined ? '' : `HTTP ${f.status}${f.reason === undefined ? '' : ` ${f.reason}`}: `;
  return `cannot ${op.verb} ${res}${named}${where}: ${http}${f.message}`;
}

/** A {@link WorkbenchError} for a failed call: `notFound` for a missing object, `conflict` for 409, else `executorFailed`. */
export function failureError(op: ApiOperation, err: unknown): WorkbenchError {
  const f = apiFailure(err);
  const code =
    f.status === 404 && op.name !== undefined
      ? ErrorCode.notFound
      : f.status === 409
        ? ErrorCode.conflict
        : ErrorCode.executorFailed;
  return new WorkbenchError(code, describeFailure(op, f), { cause: err, retryable: isRetryable(f) });
}
