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

  it('refuses a scheme this version cannot serve, saying what works and never printing the URL', () => {
    expect(() => openStore('mysql://u:secret@db.example/hpo')).toThrow(/'mysql' stores are not available/);
    expect(() => openStore('mysql://u:secret@db.example/hpo')).not.toThrow(/secret/);
    expect(() => resolveStoreLocation('mysql://x/y', {}, '/w')).toThrow(/sqlite:PATH.*postgresql:\/\//);
  });

  it.each(['postgresql://u:pw@db.example:5432/hpo', 'postgres://db.example/hpo', 'POSTGRESQL://h/d'])(
    'opens %s as a PostgreSQL store without connecting yet (the pool connects on the first call)',
    async (url) => {
      const store = openStore(url);
      expect(store.constructor.name).toBe('PostgresStore');
      expect(store.root).toBe(join(process.cwd(), '.hpo'));
      await store.close();
    },
  );
});
