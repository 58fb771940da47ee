// `import 'hpo-workbench'` loads no native module and no database client: the SQLite driver is required only when
// a store opens, the PostgreSQL one (`pg`) only when a postgresql:// store opens.
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

const pgLoaded = `console.log(JSON.stringify(Object.keys((await import('node:module')).createRequire(import.meta.url).cache).filter((k) => /[\\/]node_modules[\\/]pg[\\/]/.test(k))));`;

describe('the PostgreSQL driver', () => {
  it('is not loaded by importing the package nor by opening a SQLite store', () => {
    const script = `const { openStore } = await import(${JSON.stringify(index)}); await openStore(':memory:').close(); ${pgLoaded}`;
    expect(loadedAfter(script)).toEqual([]);
  });

  it('is loaded when a postgresql:// store opens', () => {
    const script = `const { openStore } = await import(${JSON.stringify(index)}); await openStore('postgresql://h/d').close(); ${pgLoaded}`;
    expect(loadedAfter(script).length).toBeGreaterThan(0);
  });
});
