// Guards the one-way folder rule of DESIGN.md and the determinism rules of STYLE.md by reading the sources.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Which of our folders each folder may import (itself always allowed). */
const allowed: Record<string, readonly string[]> = {
  common: [],
  types: [],
  search: ['common'],
  spec: ['common', 'search'],
  metrics: ['common', 'search', 'spec', 'store'],
  store: ['common', 'search', 'spec'],
  suggestion: ['common', 'search'],
  testing: ['common', 'search'],
  trial: ['common', 'search', 'spec', 'metrics', 'store', 'suggestion'],
  training: ['common', 'search', 'spec', 'metrics', 'store', 'trial'],
  experiment: ['common', 'search', 'spec', 'metrics', 'store', 'suggestion', 'trial', 'training'],
  platform: ['common', 'search', 'spec', 'metrics', 'store', 'suggestion', 'trial', 'training', 'experiment'],
  // The analysis room reads experiments (through ExperimentReader) and draws them; nothing below imports it.
  analysis: ['common', 'search', 'spec', 'store', 'experiment'],
  // The dashboard serves what the reader and the analysis room read; trial only for a trial's log path.
  ui: ['common', 'search', 'spec', 'store', 'trial', 'experiment', 'analysis'],
  // 'index.ts' is the root public API (src/index.ts), which only the CLI imports.
  cli: [
    'index.ts',
    'common',
    'search',
    'spec',
    'metrics',
    'store',
    'suggestion',
    'trial',
    'training',
    'experiment',
    'platform',
    'analysis',
    'ui',
  ],
};

const all = files(src).map((f) => ({ file: relative(src, f), text: readFileSync(f, 'utf8') }));

describe('architecture', () => {
  it('imports flow one way between folders', () => {
    const bad: string[] = [];
    for (const { file, text } of all) {
      const folder = file.includes('/') ? file.split('/')[0]! : '';
      if (folder === '') continue; // src/index.ts is the public surface
      for (const m of text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
        const target = relative(src, join(dirname(join(src, file)), m[1]!)).split('/')[0]!;
        if (target !== folder && !(allowed[folder] ?? []).includes(target)) bad.push(`${file} imports ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the CLI goes through the public API only: the root index and the subpath index files', () => {
    const publicFiles = new Set([
      'index.ts',
      'testing/index.ts',
      'training/index.ts',
      'platform/grpc/index.ts',
      'platform/kubernetes/index.ts',
      'platform/kfp/index.ts',
      'platform/kserve/index.ts',
      'platform/mlmd/index.ts',
      'analysis/index.ts',
      'ui/index.ts',
    ]);
    const bad: string[] = [];
    for (const { file, text } of all) {
      if (!file.startsWith('cli/')) continue;
      for (const m of text.matchAll(/(?:from |import\()'(\.\.?\/[^']+)'/g)) {
        const target = relative(src, join(dirname(join(src, file)), m[1]!));
        if (!target.startsWith('cli/') && !publicFiles.has(target)) bad.push(`${file} imports ${m[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('keeps src/search pure and algorithms free of clocks and global randomness', () => {
    const bad: string[] = [];
    for (const { file, text } of all) {
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (file.startsWith('search/') && /from 'node:/.test(code)) bad.push(`${file} imports node:*`);
      if (
        (file.startsWith('search/') || file.startsWith('suggestion/')) &&
        /Math\.random\(|Date\.now\(|new Date\(/.test(code)
      ) {
        bad.push(`${file} uses Math.random/Date`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('loads the plot renderers (optional peers) only lazily, from src/analysis/render.ts', () => {
    const bad: string[] = [];
    for (const { file, text } of all) {
      for (const m of text.matchAll(/(from |import\()'(vega|vega-lite|@resvg\/resvg-js)'/g)) {
        if (file !== 'analysis/render.ts' || m[1] !== 'import(') bad.push(`${file} imports ${m[2]}`);
      }
    }
    expect(bad).toEqual([]);
    expect(all.find((f) => f.file === 'index.ts')!.text).not.toContain('./analysis/');
  });

  it('never spawns through a shell', () => {
    const bad = all
      .filter(({ text }) => /shell:\s*true|child_process'[^;]*\bexec(Sync)?\b|\bexecSync\(/.test(text))
      .map((f) => f.file);
    expect(bad).toEqual([]);
  });
});
