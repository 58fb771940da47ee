import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';

/** A file the page needs, as served: its bytes and content type. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const staticDir = fileURLToPath(new URL('./static/', import.meta.url));

/**
 * Where each URL the page loads comes from: a fixed table, so no part of a request path ever reaches the file
 * system. vega and vega-lite are the optional peers' own browser bundles (UMD, defining `vega` and `vegaLite`),
 * found next to the module Node resolves for each package; nothing is fetched from a CDN.
 */
const table: Record<string, () => string> = {
  '/': () => join(staticDir, 'index.html'),
  '/static/app.js': () => join(staticDir, 'app.js'),
  '/static/table.js': () => join(staticDir, 'table.js'),
  '/static/style.css': () => join(staticDir, 'style.css'),
  '/vendor/vega.min.js': () => join(packageBuild('vega'), 'vega.min.js'),
  '/vendor/vega-lite.min.js': () => join(packageBuild('vega-lite'), 'vega-lite.min.js'),
};

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

function packageBuild(name: string): string {
  try {
    // Both packages' main module lives in their build/ folder, beside the browser bundle.
    return dirname(createRequire(import.meta.url).resolve(name));
  } catch (e) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `the dashboard draws plots with ${name}, which is not installed; run \`npm install vega vega-lite\``,
      { cause: e },
    );
  }
}

const cache = new Map<string, Asset>();

/** Whether `path` is one of the page's files. */
export function isAsset(path: string): boolean {
  return Object.hasOwn(table, path);
}

/** The page's file at URL `path` (see {@link isAsset}), read once and kept. */
export async function asset(path: string): Promise<Asset> {
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  const file = table[path]!();
  const a = { body: await readFile(file), type: types[file.slice(file.lastIndexOf('.') + 1)] ?? 'text/plain' };
  cache.set(path, a);
  return a;
}
