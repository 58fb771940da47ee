/**
 * `hpo serve`: answers the Open Inference Protocol (KServe v2 REST) on this machine for a scikit-learn or TorchScript
 * model, so the
 * hand-off to KServe can be tried without a cluster: `GET /v2/health/live`, `/v2/health/ready`, `/v2/models/NAME`,
 * `/v2/models/NAME/ready`, `POST /v2/models/NAME/infer`. Node answers HTTP and checks requests; a Python helper
 * (modelHelper.ts) loads the model and predicts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HelperReady, ModelHelper, type ServedFormat } from './modelHelper.ts';
import { readInferRequest, v2Datatype } from './openInference.ts';

/** Options of {@link serveModel}. */
export interface ServeModelOptions {
  /**
   * The joblib/pickle file, or the TorchScript file for `pytorch`. Loading either runs code from it (unpickling;
   * TorchScript's own pickled constants): serve only models you trust (your own trials').
   */
  readonly modelPath: string;
  /** Default `sklearn`. */
  readonly format?: ServedFormat;
  /** The name in `/v2/models/NAME`. */
  readonly modelName: string;
  /** Default 8080 (KServe's); 0 picks a free port. */
  readonly port?: number;
  /** Default `127.0.0.1`: the model answers this machine only unless asked otherwise. */
  readonly host?: string;
  /** Default `/usr/bin/python3`. */
  readonly python?: string;
  /** Request bodies above this many bytes are refused with 413 (default 16 MiB). */
  readonly maxBodyBytes?: number;
}

/** A running server: where it listens, what it loaded, and how to stop it. */
export interface ModelServer {
  readonly url: string;
  readonly model: HelperReady;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** The body as text, or undefined once it passed `limit` (the request is then answered 413 and its connection closed). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      // Stop keeping what follows; the reply goes out and the connection is closed after it.
      req.off('data', onData);
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A path segment decoded; a malformed escape (`%E0`) is kept as written, so it names no model instead of failing. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Starts the helper on the model, then the HTTP server; resolves once both are ready. */
export async function serveModel(options: ServeModelOptions): Promise<ModelServer> {
  const format = options.format ?? 'sklearn';
  const { helper, ready } = await ModelHelper.start(options.modelPath, options.python, format);
  const name = options.modelName;
  const limit = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const metadata = {
    name,
    versions: [],
    // KServe's own names for the platforms; a TorchScript module answers its raw FP32 output (e.g. logits).
    platform: format === 'pytorch' ? 'pytorch_torchscript' : 'sklearn',
    inputs: [{ name: 'input-0', datatype: format === 'pytorch' ? 'FP32' : 'FP64', shape: [-1, ready.features ?? -1] }],
    outputs: [
      format === 'pytorch'
        ? { name: 'output-0', datatype: 'FP32', shape: [-1, -1] }
        : { name: 'output-0', datatype: 'BYTES', shape: [-1] },
    ],
  };

  const infer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req, limit);
    if (text === undefined) {
      res.shouldKeepAlive = false;
      res.on('finish', () => req.destroy());
      return json(res, 413, { error: `the request body is over ${limit} bytes` });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return json(res, 400, { error: `the request body is not JSON: ${(e as Error).message}` });
    }
    const request = readInferRequest(body, ready.features);
    if ('error' in request) return json(res, 400, { error: request.error });
    const p = await helper.predict(request.tensor);
    if ('error' in p) return json(res, helper.alive ? 400 : 500, { error: p.error });
    json(res, 200, {
      model_name: name,
      ...(request.id === undefined ? {} : { id: request.id }),
      outputs: [{ name: 'output-0', shape: p.shape, datatype: v2Datatype(p.kind, p.itemsize), data: p.data }],
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    const model = /^\/v2\/models\/([^/]+)(\/ready|\/infer)?$/.exec(path);
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/v2/health/live' && get) return json(res, 200, { live: true });
    if (path === '/v2/health/ready' && get) return json(res, helper.alive ? 200 : 503, { ready: helper.alive });
    if (path === '/v2' && get) return json(res, 200, { name: 'hpo-workbench', version: '2', extensions: [] });
    if (model === null) return json(res, 404, { error: `no route ${path}` });
    if (decoded(model[1]!) !== name)
      return json(res, 404, { error: `model '${model[1]}' is not served here; '${name}' is` });
    if (model[2] === '/infer') {
      if (req.method !== 'POST') return json(res, 405, { error: 'infer takes POST' });
      return infer(req, res);
    }
    if (!get) return json(res, 405, { error: `${path} takes GET` });
    if (model[2] === '/ready') return json(res, helper.alive ? 200 : 503, { name, ready: helper.alive });
    return json(res, 200, metadata);
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (e) {
    helper.close();
    throw e;
  }
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    model: ready,
    close: async () => {
      helper.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
