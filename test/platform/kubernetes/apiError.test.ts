// Error normalisation, the messages that say what to do, and the retry policy.
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apiFailure, describeFailure, isRetryable } from '../../../src/platform/kubernetes/apiError.ts';
import { backoffMs, defaultRetryPolicy, StoppedError, withRetry } from '../../../src/platform/kubernetes/retry.ts';

const status = (code: number, reason: string, message: string, details?: object) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details });

describe('apiFailure', () => {
  it.each([
    [
      'an ApiException with a Status body',
      new ApiException(409, 'Unknown API Status Code!', status(409, 'AlreadyExists', 'x exists'), {}),
      { status: 409, reason: 'AlreadyExists', message: 'x exists' },
    ],
    [
      'a 429 with Retry-After seconds',
      new ApiException(429, 'x', status(429, 'TooManyRequests', 'slow down'), { 'retry-after': '7' }),
      { status: 429, reason: 'TooManyRequests', message: 'slow down', retryAfterMs: 7000 },
    ],
    [
      'a 429 with only details.retryAfterSeconds',
      new ApiException(429, 'x', status(429, 'TooManyRequests', 'slow', { retryAfterSeconds: 2 }), {}),
      { status: 429, reason: 'TooManyRequests', message: 'slow', retryAfterMs: 2000 },
    ],
    ['a watch error', Object.assign(new Error('Gone'), { statusCode: 410 }), { status: 410, message: 'Gone' }],
    [
      'a watch ERROR event Status',
      { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (9)' },
      { status: 410, reason: 'Expired', message: 'too old resource version: 1 (9)' },
    ],
    [
      'a network error',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      { message: 'cannot reach the Kubernetes API server: connect ECONNREFUSED 127.0.0.1:1' },
    ],
  ])('reads %s', (_what, err, expected) => {
    expect(apiFailure(err)).toEqual(expected);
  });

  it.each([
    [{ message: 'net' }, true],
    [{ status: 429, message: '' }, true],
    [{ status: 500, message: '' }, true],
    [{ status: 503, message: '' }, true],
    [{ status: 403, message: '' }, false],
    [{ status: 404, message: '' }, false],
    [{ status: 409, message: '' }, false],
  ])('isRetryable(%o) = %s', (f, expected) => {
    expect(isRetryable(f)).toBe(expected);
  });
});

describe('describeFailure', () => {
  const pytorch = { group: 'kubeflow.org', plural: 'pytorchjobs', version: 'v1' };
  it.each([
    [
      'a 403 for a service account',
      { verb: 'create', resource: pytorch, namespace: 'team-a' },
      {
        status: 403,
        message: 'pytorchjobs.kubeflow.org is forbidden: User "system:serviceaccount:team-a:trainer" cannot…',
        user: 'system:serviceaccount:team-a:trainer',
      },
      "the service account cannot create pytorchjobs.kubeflow.org in namespace team-a: grant verb 'create' on resource 'pytorchjobs' in API group 'kubeflow.org' (denied to system:serviceaccount:team-a:trainer)",
    ],
    [
      'a 403 for a user on a core subresource',
      { verb: 'get', resource: { group: '', plural: 'pods' }, namespace: 'ns', name: 'p', subresource: 'log' },
      { status: 403, message: 'forbidden', user: 'alice@example.com' },
      `user "alice@example.com" cannot get pods log in namespace ns: grant verb 'get' on resource 'pods/log' in the core API group ("") (denied to alice@example.com)`,
    ],
    [
      'a 404 for a resource type the cluster does not serve',
      {
        verb: 'create',
        resource: { group: 'trainer.kubeflow.org', plural: 'trainjobs', version: 'v1alpha1' },
        namespace: 'ns',
      },
      { status: 404, message: 'the server could not find the requested resource' },
      'the cluster does not serve trainjobs.trainer.kubeflow.org/v1alpha1: install Kubeflow Trainer v2 and JobSet',
    ],
    [
      'a 401',
      { verb: 'list', resource: pytorch, namespace: 'ns' },
      { status: 401, message: 'Unauthorized' },
      "the API server rejected the credentials (401 Unauthorized) while trying to list pytorchjobs.kubeflow.org: refresh the kubeconfig's token or client certificate",
    ],
    [
      'anything else',
      { verb: 'delete', resource: pytorch, namespace: 'ns', name: 'j' },
      { status: 500, reason: 'InternalError', message: 'etcd timeout' },
      'cannot delete pytorchjobs.kubeflow.org "j" in namespace ns: HTTP 500 InternalError: etcd timeout',
    ],
  ])('%s', (_what, op, f, expected) => {
    expect(describeFailure(op, f)).toBe(expected);
  });
});

describe('withRetry', () => {
  const fail = (code: number, headers: Record<string, string> = {}) =>
    new ApiException(code, 'x', status(code, 'R', `HTTP ${code}`), headers);

  it('backs off exponentially up to the cap, and uses Retry-After when given (capped too)', () => {
    const p = { attempts: 10, baseMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffMs(p, a))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(p, 0, { message: '', retryAfterMs: 300 })).toBe(300);
    expect(backoffMs(p, 0, { message: '', retryAfterMs: 60_000 })).toBe(1000);
    expect(defaultRetryPolicy).toEqual({ attempts: 8, baseMs: 250, maxMs: 30_000 });
  });

  it('retries 429/5xx until success, and rethrows a non-retryable error at once', async () => {
    const waits: number[] = [];
    const policy = { attempts: 5, baseMs: 10, maxMs: 1000, sleep: async (ms: number) => void waits.push(ms) };
    const answers = [fail(500), fail(429, { 'retry-after': '1' }), fail(503)];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        const next = answers.shift();
        if (next) throw next;
        return 'ok';
      },
      { policy },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(4);
    expect(waits).toEqual([10, 1000, 40]);
    let forbidden = 0;
    await expect(
      withRetry(
        async () => {
          forbidden++;
          throw fail(403);
        },
        { policy },
      ),
    ).rejects.toMatchObject({ code: 403 });
    expect(forbidden).toBe(1);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    const policy = { attempts: 3, baseMs: 1, maxMs: 1, sleep: async () => undefined };
    await expect(
      withRetry(
        async () => {
          calls++;
          throw fail(500);
        },
        { policy },
      ),
    ).rejects.toMatchObject({ code: 500 });
    expect(calls).toBe(3);
  });

  it('stops with StoppedError when the signal aborts during a wait', async () => {
    const abort = new AbortController();
    const run = withRetry(
      async () => {
        throw fail(503);
      },
      { policy: { attempts: 5, baseMs: 60_000, maxMs: 60_000 }, signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 10);
    await expect(run).rejects.toBeInstanceOf(StoppedError);
  });
});
