/**
 * Hands a pipeline to a Kubeflow Pipelines API server and starts it (`hpo export --to kfp --upload URL`), through
 * KFP's v2beta1 REST API: `POST /apis/v2beta1/pipelines/upload` (multipart, the IR YAML as `uploadfile`), or, when a
 * pipeline of that name exists, a new version of it (`GET /apis/v2beta1/pipelines/names/{name}` then
 * `POST /apis/v2beta1/pipelines/upload_version`), then `POST /apis/v2beta1/runs` on that version. Node's own fetch; no
 * dependency.
 */
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';

/** Options of {@link uploadPipeline}. */
export interface UploadPipelineOptions {
  /** The API server's base URL (`http://localhost:8888`, `https://host/pipeline` behind Kubeflow's gateway). */
  readonly url: string;
  /** The pipeline's name in KFP (its `pipelineInfo.name`). */
  readonly name: string;
  readonly description?: string;
  /** The run's display name; the pipeline's name without it. */
  readonly runName?: string;
  /** A bearer token (a service account's, audience `pipelines.kubeflow.org`) sent as `Authorization`. */
  readonly token?: string;
  /** Per request; default 30 s. */
  readonly timeoutMs?: number;
  /** The version's name when the pipeline exists already (must be unique in it). */
  readonly versionName: string;
}

/** What KFP made. */
export interface UploadedPipeline {
  readonly pipelineId: string;
  /** Set when a new version of an existing pipeline was uploaded; a new pipeline's run takes its only version. */
  readonly pipelineVersionId?: string;
  /** True when the pipeline existed and got a new version. */
  readonly newVersion: boolean;
  readonly runId: string;
  /** The run's state as KFP answered it (usually `PENDING`). */
  readonly state?: string;
  /** The run in KFP's UI. */
  readonly runUrl: string;
}

function base(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `--upload wants the KFP API server's URL (http[s]://…), not '${url}'`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new WorkbenchError(ErrorCode.invalidArgument, `--upload wants an http:// or https:// URL, not '${url}'`);
  }
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

/** KFP's error body (`google.rpc.Status`, or grpc-gateway's `{error, message}`), reduced to its message. */
function statusMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    const m = typeof body.message === 'string' && body.message !== '' ? body.message : body.error;
    if (typeof m === 'string' && m !== '') return m;
  } catch {
    // not JSON: a proxy's page; shown as text below
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat || '(empty body)';
}

type Request = (method: 'GET' | 'POST', path: string, body?: FormData | object) => Promise<Response>;

function requester(root: URL, opts: UploadPipelineOptions): Request {
  return async (method, path, body) => {
    const target = new URL(path, root);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    try {
      return await fetch(target, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `cannot reach the KFP API server at ${root.origin}${root.pathname} (${why}); check --upload (e.g. kubectl -n kubeflow port-forward svc/ml-pipeline-ui 8080:80, then --upload http://localhost:8080)`,
        { cause: e, retryable: true },
      );
    }
  };
}

async function json(r: Response, what: string): Promise<Record<string, unknown>> {
  const text = await r.text();
  if (!r.ok) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `KFP refused ${what} (HTTP ${r.status}): ${statusMessage(text)}`,
      { retryable: r.status >= 500 },
    );
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `KFP answered ${what} with something that is not JSON: ${statusMessage(text)}`,
      {
        cause: e,
      },
    );
  }
}

function idOf(body: Record<string, unknown>, field: string, what: string): string {
  const id = body[field];
  if (typeof id !== 'string' || id === '') {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `KFP's answer to ${what} has no ${field}: is --upload a KFP v2 API server?`,
    );
  }
  return id;
}

/** Uploads `pipelineYaml` (IR) to KFP at `opts.url` and starts one run of it. */
export async function uploadPipeline(pipelineYaml: string, opts: UploadPipelineOptions): Promise<UploadedPipeline> {
  const root = base(opts.url);
  const request = requester(root, opts);
  const form = (): FormData => {
    const f = new FormData();
    f.set('uploadfile', new Blob([pipelineYaml], { type: 'application/x-yaml' }), 'pipeline.yaml');
    return f;
  };
  const query = (q: Record<string, string | undefined>): string =>
    new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined)).toString();

  const uploaded = await request(
    'POST',
    `apis/v2beta1/pipelines/upload?${query({ name: opts.name, display_name: opts.name, description: opts.description })}`,
    form(),
  );
  let pipelineId: string;
  let pipelineVersionId: string | undefined;
  if (uploaded.status === 409) {
    // KFP keeps pipeline names unique: a second export of the experiment becomes a new version of its pipeline.
    await uploaded.body?.cancel();
    const found = await json(
      await request('GET', `apis/v2beta1/pipelines/names/${encodeURIComponent(opts.name)}`),
      `the lookup of pipeline '${opts.name}'`,
    );
    pipelineId = idOf(found, 'pipeline_id', 'the pipeline lookup');
    const version = await json(
      await request(
        'POST',
        `apis/v2beta1/pipelines/upload_version?${query({ name: opts.versionName, display_name: opts.versionName, pipelineid: pipelineId, description: opts.description })}`,
        form(),
      ),
      `the new version of pipeline '${opts.name}'`,
    );
    pipelineVersionId = idOf(version, 'pipeline_version_id', 'the version upload');
  } else {
    pipelineId = idOf(await json(uploaded, 'the pipeline upload'), 'pipeline_id', 'the pipeline upload');
  }
  const run = await json(
    await request('POST', 'apis/v2beta1/runs', {
      display_name: opts.runName ?? opts.name,
      ...(opts.description === undefined ? {} : { description: opts.description }),
      pipeline_version_reference: {
        pipeline_id: pipelineId,
        ...(pipelineVersionId === undefined ? {} : { pipeline_version_id: pipelineVersionId }),
      },
      runtime_config: { parameters: {} },
    }),
    'the run',
  );
  const runId = idOf(run, 'run_id', 'the run');
  return {
    pipelineId,
    ...(pipelineVersionId === undefined ? {} : { pipelineVersionId }),
    newVersion: pipelineVersionId !== undefined,
    runId,
    ...(typeof run.state === 'string' ? { state: run.state } : {}),
    runUrl: new URL(`#/runs/details/${encodeURIComponent(runId)}`, root).href,
  };
}
