#!/usr/bin/env node
// Runs the compiled CLI when dist/ exists, otherwise the TypeScript sources through tsx's loader.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let mod;
if (existsSync(fileURLToPath(compiled))) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
const code = await mod.main(process.argv.slice(2));
process.exitCode = code;
setImmediate(() => process.exit(code));
