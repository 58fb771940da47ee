import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type WorkbenchError } from '../../src/common/errors.ts';
import type { StoreDamage } from '../../src/store/codec.ts';
import { openDatabase, openDatabaseForReading } from '../../src/store/open.ts';
import { experiment, fullTrial, tempDir } from './fixtures.ts';

/** A store with experiments `a` (trials 0..2) and `b` (trial 0), then damaged by `sql` run on the raw file. */
function damagedStore(...sql: string[]): string {
  const dir = tempDir();
  const s = openDatabase(dir);
  s.createExperiment(experiment('a'));
  s.createExperiment(experiment('b'));
  for (const seq of [0, 1, 2]) s.insertTrial(fullTrial('a', seq));
  s.insertTrial(fullTrial('b', 0));
  s.close();
  const db = new Database(join(dir, 'hpo.db'));
  for (const q of sql) db.prepare(q).run();
  db.close();
  return dir;
}

describe('damaged rows', () => {
  it.each([
    ["UPDATE trials SET params = '{\"lr\": 0.0' WHERE name = 'a-t1'", 'params', 'not JSON'],
    ["UPDATE trials SET params = '[1, 2]' WHERE name = 'a-t1'", 'params', 'expected a JSON object'],
    ["UPDATE trials SET objective = 'high' WHERE name = 'a-t1'", 'objective', 'not a number'],
    ["UPDATE trials SET metrics = 'nope' WHERE name = 'a-t1'", 'metrics', 'not JSON'],
    ["UPDATE trials SET labels = '\"x\"' WHERE name = 'a-t1'", 'labels', 'expected a JSON object'],
    ["UPDATE trials SET explain = '{' WHERE name = 'a-t1'", 'explain', 'not JSON'],
  ])('%s: reported with experiment, trial and column; the other rows read intact', (sql, column, problem) => {
    const dir = damagedStore(sql);
    const seen: StoreDamage[] = [];
    const store = openDatabaseForReading(dir, { onDamage: (d) => seen.push(d) });
    try {
      const trials = store.listTrials('a');
      expect(trials.map((t) => t.name)).toEqual(['a-t0', 'a-t1', 'a-t2']);
      expect(trials[0]).toEqual(fullTrial('a', 0));
      expect(trials[2]).toEqual(fullTrial('a', 2));
      expect(store.listTrials('b')).toEqual([fullTrial('b', 0)]);
      expect(seen).toEqual([{ experiment: 'a', trial: 'a-t1', column, problem: expect.stringContaining(problem) }]);
    } finally {
      store.close();
    }
  });

  it('reads an experiment whose manifest is damaged with an empty spec, and reports it', () => {
    const dir = damagedStore("UPDATE experiments SET manifest = '{oops' WHERE name = 'b'");
    const seen: StoreDamage[] = [];
    const store = openDatabaseForReading(dir, { onDamage: (d) => seen.push(d) });
    try {
      expect(
        store
          .listExperiments()
          .map((e) => e.name)
          .sort(),
      ).toEqual(['a', 'b']);
      expect(store.getExperiment('b')?.manifest.spec).toEqual({});
      expect(seen[0]).toMatchObject({ experiment: 'b', column: 'manifest' });
    } finally {
      store.close();
    }
  });

  it('fails a read without a damage sink, naming experiment, trial and column', () => {
    const dir = damagedStore("UPDATE trials SET params = 'x' WHERE name = 'a-t2'");
    const store = openDatabase(dir);
    try {
      expect(() => store.listTrials('a')).toThrow(
        expect.objectContaining({
          code: ErrorCode.storeFailed,
          message: expect.stringContaining('experiment a, trial a-t2, column params'),
        }) as WorkbenchError,
      );
    } finally {
      store.close();
    }
  });
});
