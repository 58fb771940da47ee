import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, resolveStoreLocation } from '../../src/store/open.ts';

describe('store locations as URLs', () => {
  it.each([
    ['sqlite:runs/exp.db', '/w/runs', '/w/runs/exp.db'],
    ['sqlite:runs', '/w/runs', '/w/runs/hpo.db'],
    ['sqlite:///abs/store.db', '/abs', '/abs/store.db'],
    ['runs/exp.db', '/w/runs', '/w/runs/exp.db'],
  ])('%s', (url, root, dbPath) => {
    expect(resolveStoreLocation(url, {}, '/w')).toEqual({ root, dbPath });
  });

  it('HPO_STORE takes a URL too', () => {
    expect(resolveStoreLocation(undefined, { HPO_STORE: 'sqlite:/data/team.db' }, '/w')).toEqual({
      root: '/data',
      dbPath: join('/data', 'team.db'),
    });
  });

  it('refuses a scheme this version cannot serve, saying what works', () => {
    expect(() => openStore('postgresql://db.example/hpo')).toThrow(/'postgresql' stores are not available/);
    expect(() => resolveStoreLocation('mysql://x/y', {}, '/w')).toThrow(/sqlite:PATH/);
  });
});
