// `import 'hpo-workbench'` loads no native module: the SQLite driver is required only when a store opens.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const index = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

function loadedAfter(script: string): string[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as string[];
}

const natives = `console.log(JSON.stringify(Object.keys((await import('node:module')).createRequire(import.meta.url).cache).filter((k) => k.includes('better-sqlite3') || k.endsWith('.node'))));`;

describe('the SQLite driver', () => {
  it('is not loaded by importing the package', () => {
    expect(loadedAfter(`await import(${JSON.stringify(index)}); ${natives}`)).toEqual([]);
  });

  it('is loaded when a store opens', () => {
    const loaded = loadedAfter(
      `const { openStore } = await import(${JSON.stringify(index)}); openStore(':memory:').close(); ${natives}`,
    );
    expect(loaded.some((k) => k.includes('better-sqlite3'))).toBe(true);
  });
});
