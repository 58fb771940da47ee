#!/usr/bin/env node
// Runs the compiled CLI from dist/ when it is at least as new as the sources (or there are no sources, as
// in an installed package); otherwise runs the TypeScript sources through tsx's loader.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// HPO_CLI_FROM=dist|src forces one (benchmarks time the compiled CLI, as installed).
const from = process.env.HPO_CLI_FROM;
const useDist =
  from === 'dist' ||
  (from !== 'src' && existsSync(compiled) && (!existsSync(sources) || statSync(compiled).mtimeMs >= newest(sources)));
let mod;
if (useDist) {
  mod = await import(new URL(`file://${compiled}`).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
const code = await mod.main(process.argv.slice(2));
process.exitCode = code;
setImmediate(() => process.exit(code));
