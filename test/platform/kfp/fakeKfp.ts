// An in-process fake of KFP 2.17's v2beta1 REST API, built from KFP's own swagger files (shared/kubeflow/protos/
// kfp-2.17.0/backend_api_v2beta1/swagger): the operations the upload uses are routed by their swagger paths, every
// query parameter, form field and JSON body field is checked against the swagger declaration (an unknown one is
// 400, as a strict client contract), an uploaded file is checked with validatePipeline against KFP's real
// pipeline_spec.proto, pipeline names are unique (409, as KFP's AlreadyExists), and every answer is itself checked
// against the swagger response schema. Errors are google.rpc.Status bodies.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validatePipeline } from '../../../src/platform/kfp/index.ts';
import { kfpProtoDir } from './fixtures.ts';

interface Schema {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  enum?: string[];
  format?: string;
}
interface Parameter {
  name: string;
  in: 'query' | 'path' | 'body' | 'formData';
  required?: boolean;
  type?: string;
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  responses: Record<string, { schema?: Schema }>;
}
interface Swagger {
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, Schema>;
}

const swaggerDir = `${kfpProtoDir}/backend_api_v2beta1/swagger/`;
const swaggers: Swagger[] = ['pipeline.upload.swagger.json', 'pipeline.swagger.json', 'run.swagger.json'].map(
  (f) => JSON.parse(readFileSync(`${swaggerDir}${f}`, 'utf8')) as Swagger,
);

/** Every way `value` does not fit `schema` (unknown fields included), as `path: problem` lines. */
export function schemaIssues(value: unknown, schema: Schema, defs: Record<string, Schema>, path = '$'): string[] {
  if (schema.$ref !== undefined)
    return schemaIssues(value, defs[schema.$ref.replace('#/definitions/', '')]!, defs, path);
  const t = schema.type;
  if (t === 'object' || (t === undefined && (schema.properties || schema.additionalProperties))) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: not an object`];
    const out: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      const p = schema.properties?.[k];
      if (p !== undefined) out.push(...schemaIssues(v, p, defs, `${path}.${k}`));
      else if (typeof schema.additionalProperties === 'object')
        out.push(...schemaIssues(v, schema.additionalProperties, defs, `${path}.${k}`));
      else if (schema.properties !== undefined) out.push(`${path}.${k}: unknown field`);
    }
    return out;
  }
  if (t === 'array') {
    if (!Array.isArray(value)) return [`${path}: not an array`];
    return value.flatMap((v, i) => schemaIssues(v, schema.items ?? {}, defs, `${path}[${i}]`));
  }
  if (t === 'string') {
    if (typeof value !== 'string') return [`${path}: not a string`];
    if (schema.enum && !schema.enum.includes(value))
      return [`${path}: '${value}' is not one of ${schema.enum.join(', ')}`];
    return [];
  }
  if (t === 'integer') return Number.isInteger(Number(value)) ? [] : [`${path}: not an integer`];
  if (t === 'number') return typeof value === 'number' ? [] : [`${path}: not a number`];
  if (t === 'boolean') return typeof value === 'boolean' ? [] : [`${path}: not a boolean`];
  return [];
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: string[];
  readonly op: Operation;
  readonly defs: Record<string, Schema>;
}

const routes: Route[] = swaggers.flatMap((s) =>
  Object.entries(s.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const names: string[] = [];
      const pattern = new RegExp(
        `^${path.replace(/\{([^}]+)\}/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        })}$`,
      );
      return { method: method.toUpperCase(), pattern, names, op, defs: s.definitions };
    }),
  ),
);

/** One request as the fake received it (after validation). */
export interface FakeKfpRequest {
  readonly operation: string;
  readonly query: Record<string, string>;
  readonly body?: unknown;
  readonly file?: string;
  readonly authorization?: string;
}

/** A running fake: its base URL, what it received, and a hook to fail the next call of an operation. */
export interface FakeKfp {
  readonly url: string;
  readonly requests: FakeKfpRequest[];
  readonly pipelines: Map<string, { id: string; versions: string[] }>;
  /** The next call of `operation` answers `status` with `body` (e.g. a 403 of an auth proxy). */
  failNext(operation: string, status: number, body: string): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Starts the fake on 127.0.0.1, optionally under a path prefix (KFP behind Kubeflow's gateway is `/pipeline`). */
export async function startFakeKfp(prefix = ''): Promise<FakeKfp> {
  const requests: FakeKfpRequest[] = [];
  const pipelines = new Map<string, { id: string; versions: string[] }>();
  const failures = new Map<string, { status: number; body: string }>();
  let next = 1;
  const id = (kind: string): string => `${kind}-${String(next++).padStart(4, '0')}`;

  async function handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body: unknown; schema?: Schema; defs?: Record<string, Schema> }> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith(`${prefix}/`)) throw new HttpError(404, `no route ${url.pathname}`);
    const path = url.pathname.slice(prefix.length);
    const route = routes.find((r) => r.method === req.method && r.pattern.test(path));
    if (route === undefined) throw new HttpError(404, `no operation ${req.method} ${path}`);
    const op = route.op;
    const failure = failures.get(op.operationId);
    if (failure !== undefined) {
      failures.delete(op.operationId);
      return { status: failure.status, body: failure.body };
    }
    const params = op.parameters ?? [];
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) {
      if (!params.some((p) => p.in === 'query' && p.name === k))
        throw new HttpError(400, `unknown query parameter ${k}`);
      query[k] = v;
    }
    const m = route.pattern.exec(path)!;
    const pathParams = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    let body: unknown;
    let file: string | undefined;
    const form = params.filter((p) => p.in === 'formData');
    if (form.length > 0) {
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith('multipart/form-data')) throw new HttpError(400, `want multipart/form-data, got '${type}'`);
      const fd = await new Request('http://fake', {
        method: 'POST',
        headers: { 'content-type': type },
        body: raw,
      }).formData();
      for (const k of fd.keys()) {
        if (!form.some((p) => p.name === k)) throw new HttpError(400, `unknown form field ${k}`);
      }
      for (const p of form) if (p.required && !fd.has(p.name)) throw new HttpError(400, `missing form field ${p.name}`);
      const f = fd.get('uploadfile');
      file = typeof f === 'string' ? f : await (f as Blob).text();
      const check = await validatePipeline(file, { schema: kfpProtoDir });
      if (!check.valid) {
        throw new HttpError(
          400,
          `invalid pipeline spec: ${check.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        );
      }
    }
    const bodyParam = params.find((p) => p.in === 'body');
    if (bodyParam !== undefined) {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        throw new HttpError(400, 'want application/json');
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new HttpError(400, 'body is not JSON');
      }
      const issues = schemaIssues(body, bodyParam.schema ?? {}, route.defs);
      if (issues.length > 0) throw new HttpError(400, issues.join('; '));
    }
    requests.push({
      operation: op.operationId,
      query,
      ...(body === undefined ? {} : { body }),
      ...(file === undefined ? {} : { file }),
      ...(req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
    });
    const ok = (b: unknown) => ({ status: 200, body: b, schema: op.responses['200']?.schema ?? {}, defs: route.defs });
    const now = '2026-01-01T00:00:00Z';
    switch (op.operationId) {
      case 'UploadPipeline': {
        const name = query.name ?? query.display_name ?? '';
        if (pipelines.has(name)) throw new HttpError(409, `pipeline with name ${name} already exists`);
        const p = { id: id('pipeline'), versions: [id('version')] };
        pipelines.set(name, p);
        return ok({
          pipeline_id: p.id,
          name,
          display_name: query.display_name ?? name,
          description: query.description ?? '',
          created_at: now,
        });
      }
      case 'UploadPipelineVersion': {
        const p = [...pipelines.values()].find((x) => x.id === query.pipelineid);
        if (p === undefined) throw new HttpError(404, `no pipeline ${query.pipelineid}`);
        const v = id('version');
        p.versions.push(v);
        return ok({
          pipeline_id: p.id,
          pipeline_version_id: v,
          name: query.name ?? '',
          display_name: query.display_name ?? '',
          created_at: now,
        });
      }
      case 'PipelineService_GetPipelineByName': {
        const p = pipelines.get(pathParams.name!);
        if (p === undefined) throw new HttpError(404, `no pipeline named ${pathParams.name}`);
        return ok({ pipeline_id: p.id, name: pathParams.name, display_name: pathParams.name, created_at: now });
      }
      case 'RunService_CreateRun': {
        const run = body as {
          display_name?: string;
          pipeline_version_reference?: { pipeline_id?: string; pipeline_version_id?: string };
        };
        const ref = run.pipeline_version_reference;
        const p = [...pipelines.values()].find((x) => x.id === ref?.pipeline_id);
        if (p === undefined) throw new HttpError(404, `no pipeline ${ref?.pipeline_id}`);
        if (ref?.pipeline_version_id !== undefined && !p.versions.includes(ref.pipeline_version_id))
          throw new HttpError(404, `no version ${ref.pipeline_version_id}`);
        if (!run.display_name) throw new HttpError(400, 'display_name is required');
        return ok({ ...run, run_id: id('run'), state: 'PENDING', created_at: now, storage_state: 'AVAILABLE' });
      }
      default:
        throw new HttpError(501, `${op.operationId} is not faked`);
    }
  }

  const server = createServer((req, res: ServerResponse) => {
    handle(req).then(
      (r) => {
        if (r.schema !== undefined) {
          const issues = schemaIssues(r.body, r.schema, r.defs ?? {});
          if (issues.length > 0) throw new Error(`the fake's own answer breaks the swagger: ${issues.join('; ')}`);
        }
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
      },
      (e: unknown) => {
        const status = e instanceof HttpError ? e.status : 500;
        const code = { 400: 3, 404: 5, 409: 6, 501: 12 }[status] ?? 13;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code, message: (e as Error).message, details: [] }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    pipelines,
    failNext: (operation, status, body) => failures.set(operation, { status, body }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
