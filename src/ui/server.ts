import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPlotKind } from '../analysis/plot.ts';
import { plotKinds } from '../analysis/types.ts';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Store } from '../store/types.ts';
import { asset, isAsset } from './assets.ts';
import { DashboardData } from './data.ts';
import { experimentPlot, trialGoing, trialLogPath } from './reads.ts';
import { serveChanges, serveLog } from './stream.ts';
import { parseTrialQuery, trialPage } from './trialTable.ts';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The store to serve, opened read-only by the caller (`openStoreForReading`), left open by `close()`. */
  readonly store: Store;
  /** Address to bind; default 127.0.0.1, so only this machine can reach it. */
  readonly host?: string;
  /** Port; default 0 (any free one: read it from the returned `url`). */
  readonly port?: number;
  /** Milliseconds between two polls of the change feed and of a followed log; default 500. */
  readonly pollMs?: number;
  /** How many experiments' decoded trials to keep (least recently read dropped first); default 16. */
  readonly cachedExperiments?: number;
}

/** A running dashboard: where it listens, and how to stop it. */
export interface Dashboard {
  /** `http://HOST:PORT/`. */
  readonly url: string;
  readonly server: Server;
  /** Ends the open event and log streams and stops listening; the store stays open. */
  close(): Promise<void>;
}

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);

/** The status code an error answers with: the client's mistakes are 4xx, everything else 500. */
function statusOf(e: unknown): number {
  if (!(e instanceof WorkbenchError)) return 500;
  if (e.code === ErrorCode.notFound) return 404;
  if (e.code === ErrorCode.invalidArgument || e.code === ErrorCode.invalidSpec) return 400;
  // A missing optional package (vega for the page's plots): the server cannot do this, the request was fine.
  if (e.code === ErrorCode.unsupported) return 501;
  return 500;
}

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Vega compiles its expressions with `new Function`, hence 'unsafe-eval'; nothing is loaded from elsewhere.
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...securityHeaders,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Splits `/a/b%2Fc` into its decoded segments; a malformed escape is a 400. */
function segments(pathname: string): string[] {
  try {
    return pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    throw new WorkbenchError(ErrorCode.invalidArgument, 'the path has a malformed %-escape');
  }
}

/**
 * Starts the dashboard's HTTP server over `store`: the page and its scripts, and the read-only JSON API under
 * `/api/` (see the README's Dashboard section). Only GET and HEAD are answered (anything else is 405), and, bound to
 * a loopback address, only requests whose Host is a loopback name, so a web page elsewhere cannot read it through
 * DNS rebinding. Called by `hpo ui` and by tests; resolves once it listens.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  const pollMs = options.pollMs ?? 500;
  const data = new DashboardData(
    options.store,
    options.cachedExperiments === undefined ? {} : { cachedExperiments: options.cachedExperiments },
  );
  const streams = new AbortController();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...securityHeaders, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('the dashboard is read-only: only GET and HEAD\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (loopback.has(host)) {
      const name = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
      if (!loopback.has(name)) {
        sendJson(res, 403, { error: 'this dashboard answers only requests to localhost' });
        return;
      }
    }
    if (isAsset(url.pathname)) {
      const a = await asset(url.pathname);
      res.writeHead(200, { ...securityHeaders, 'content-type': a.type, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : a.body);
      return;
    }
    const [api, ...rest] = segments(url.pathname);
    if (api !== 'api') throw new WorkbenchError(ErrorCode.notFound, `no page ${url.pathname}`);
    const done = new AbortController();
    const signal = AbortSignal.any([done.signal, streams.signal]);
    res.on('close', () => done.abort());
    await route(rest, url.searchParams, res, { data, pollMs, signal });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = statusOf(e);
      sendJson(res, status, {
        error: status === 500 ? `internal error: ${(e as Error).message}` : (e as Error).message,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    server,
    close: async () => {
      streams.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface RouteContext {
  readonly data: DashboardData;
  readonly pollMs: number;
  readonly signal: AbortSignal;
}

/** Answers `/api/…` (the segments after `api`, decoded). */
async function route(path: string[], query: URLSearchParams, res: ServerResponse, ctx: RouteContext): Promise<void> {
  const { data } = ctx;
  if (path.length === 1 && path[0] === 'experiments') return sendJson(res, 200, await data.list());
  if (path.length === 1 && path[0] === 'events') {
    const since = Number(query.get('since') ?? 0);
    if (!Number.isSafeInteger(since) || since < 0) {
      throw new WorkbenchError(ErrorCode.invalidArgument, `since must be a whole number, got '${query.get('since')}'`);
    }
    const ns = query.get('namespace');
    const name = query.get('experiment');
    return serveChanges(res, {
      store: data.store,
      ...(name === null ? {} : { experiment: data.key(ns ?? 'default', name) }),
      since,
      pollMs: ctx.pollMs,
      signal: ctx.signal,
    });
  }
  if (path[0] !== 'experiments' || path.length < 3) throw new WorkbenchError(ErrorCode.notFound, 'no such API path');
  const [, ns, name, what, arg, ...extra] = path as [string, string, string, string?, string?, ...string[]];
  if (extra.length > 0) throw new WorkbenchError(ErrorCode.notFound, 'no such API path');
  if (what === undefined) return sendJson(res, 200, await data.detail(ns, name));
  if (what === 'trials' && arg === undefined) {
    const q = parseTrialQuery(query);
    const e = await data.experiment(ns, name);
    const trials = await data.trials(e);
    return sendJson(res, 200, trialPage(trials, q, data.objectiveColumns(e, trials)));
  }
  if (what === 'trials' && arg !== undefined) return sendJson(res, 200, await data.trial(ns, name, arg));
  if (what === 'plots' && arg !== undefined) {
    if (!isPlotKind(arg)) {
      throw new WorkbenchError(ErrorCode.notFound, `no plot kind '${arg}'; the kinds are ${plotKinds.join(', ')}`);
    }
    const plot = await experimentPlot(data, ns, name, arg, query);
    // `part=spec`: the spec alone (its data is inline), half the bytes of the whole plot for the page to parse.
    return sendJson(res, 200, query.get('part') === 'spec' ? plot.spec : plot);
  }
  if (what === 'logs' && arg !== undefined) {
    const e = await data.experiment(ns, name);
    const path = await trialLogPath(data, e, arg);
    const offset = Number(query.get('offset') ?? 0);
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `offset must be a whole number, got '${query.get('offset')}'`,
      );
    }
    const follow = query.get('follow') === '1';
    const served = await serveLog(res, {
      path,
      offset,
      going: follow ? () => trialGoing(data, e, arg) : () => Promise.resolve(false),
      pollMs: ctx.pollMs,
      signal: ctx.signal,
    });
    if (!served)
      throw new WorkbenchError(ErrorCode.notFound, `trial '${arg}' has no log file (in-process trials write none)`);
    return;
  }
  throw new WorkbenchError(ErrorCode.notFound, 'no such API path');
}
