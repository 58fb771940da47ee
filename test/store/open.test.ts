import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openDatabase, resolveStoreLocation } from '../../src/store/open.ts';
import { openInMemoryDatabase } from '../../src/store/sqlite.ts';
import { experiment, tempDir } from './fixtures.ts';

describe('resolveStoreLocation', () => {
  const cwd = '/home/u/proj';
  it.each([
    ['nothing given: .hpo in the working directory', undefined, {}, '/home/u/proj/.hpo', '/home/u/proj/.hpo/hpo.db'],
    ['HPO_STORE when no path is given', undefined, { HPO_STORE: '/data/s' }, '/data/s', '/data/s/hpo.db'],
    ['an empty HPO_STORE is ignored', undefined, { HPO_STORE: '' }, '/home/u/proj/.hpo', '/home/u/proj/.hpo/hpo.db'],
    [
      'the given path over HPO_STORE',
      'runs',
      { HPO_STORE: '/data/s' },
      '/home/u/proj/runs',
      '/home/u/proj/runs/hpo.db',
    ],
    ['a .db path is the file itself', 'state/my.db', {}, '/home/u/proj/state', '/home/u/proj/state/my.db'],
    ['an absolute .db in HPO_STORE', undefined, { HPO_STORE: '/x/y.db' }, '/x', '/x/y.db'],
  ])('%s', (_label, location, env, root, dbPath) => {
    expect(resolveStoreLocation(location, env, cwd)).toEqual({ root, dbPath });
  });
});

describe('openDatabase', () => {
  it('creates missing folders and uses <dir>/hpo.db', () => {
    const dir = join(tempDir(), 'a', 'b');
    const store = openDatabase(dir);
    store.createExperiment(experiment('x'));
    store.close();
    expect(store.root).toBe(dir);
    expect(existsSync(join(dir, 'hpo.db'))).toBe(true);
    const again = openDatabase(join(dir, 'hpo.db'));
    expect(again.getExperiment('x')?.name).toBe('x');
    again.close();
  });

  it('follows HPO_STORE when no location is given', () => {
    const file = join(tempDir(), 'env', 'custom.db');
    vi.stubEnv('HPO_STORE', file);
    try {
      const store = openDatabase();
      store.close();
      expect(store.root).toBe(join(file, '..'));
      expect(existsSync(file)).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('openInMemoryDatabase', () => {
  it('is a working store that leaves nothing on disk', () => {
    const root = tempDir();
    const store = openInMemoryDatabase(root);
    store.createExperiment(experiment('m'));
    expect(store.listExperiments().map((e) => e.name)).toEqual(['m']);
    expect(store.acquireExperimentLock('m')).toBe(true);
    store.close();
    expect(existsSync(join(root, 'hpo.db'))).toBe(false);
  });
});
