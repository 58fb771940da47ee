#!/usr/bin/env node
// Runs the compiled CLI from dist/ when it is at least as new as the sources (or there are no sources, as
// in an installed package); otherwise runs the TypeScript sources through tsx's loader.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Until a command installs its own handlers (`hpo run` stops its trials first), SIGINT and SIGTERM end the CLI
// with status 130, the documented "interrupted" status, instead of dying of the signal (143 for SIGTERM) — also while
// the CLI is still loading. A handler steps aside as soon as the command has one of its own.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (process.listenerCount(signal) === 1) process.exit(130);
  });
}

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
// Exits only once stdout and stderr are drained: exiting right after a write cuts piped output at 64 KiB.
await mod.runAsProcess(process.argv.slice(2));
