import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { observationPageSql } from '../../src/store/observationPages.ts';
import { prepareStatements } from '../../src/store/statements.ts';
import type { ObservationRow, StoredObservation } from '../../src/store/types.ts';
import { caught } from '../helpers.ts';
import { experiment, tempDir, tempStore, trial } from './fixtures.ts';

const row = (t: string, metric: string, step: number, time?: string): ObservationRow => ({
  trial: t,
  metric,
  value: `${t}/${metric}/${step}`,
  step,
  ...(time === undefined ? {} : { time }),
});

/** Experiment `e` with trials e-t0..e-t2 whose rows interleave across trials and metrics, plus a decoy `other`. */
function filledStore(dir?: string) {
  const store = tempStore(dir);
  store.createExperiment(experiment('e'));
  store.createExperiment(experiment('other'));
  for (let i = 0; i < 3; i++) store.insertTrial(trial('e', i));
  store.insertTrial(trial('other', 0));
  const written: ObservationRow[] = [
    row('e-t1', 'loss', 1, '2024-05-01T10:00:00Z'),
    row('e-t0', 'loss', 1),
    row('e-t0', 'acc', 1),
  ];
  store.appendObservations('e', written);
  store.appendObservations('other', [row('other-t0', 'loss', 1)]);
  const more = [row('e-t2', 'loss', 1), row('e-t0', 'loss', 2), row('e-t1', 'acc', 1)];
  store.appendObservations('e', more);
  return { store, written: [...written, ...more] };
}

const strip = (rows: readonly StoredObservation[]): ObservationRow[] => rows.map(({ id: _id, ...r }) => r);

describe('getObservationsOf', () => {
  it('reads every trial of an experiment in insertion order, with increasing ids, and nothing of others', () => {
    const { store, written } = filledStore();
    const all = store.getObservationsOf('e');
    expect(strip(all)).toStrictEqual(written);
    const ids = all.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(store.getObservationsOf('nope')).toEqual([]);
  });

  it('narrows by metric and by a trial list, and agrees with the per-trial read', () => {
    const { store, written } = filledStore();
    expect(strip(store.getObservationsOf('e', { metric: 'acc' }))).toStrictEqual(
      written.filter((r) => r.metric === 'acc'),
    );
    expect(strip(store.getObservationsOf('e', { trials: ['e-t0', 'e-t2', 'no-such'] }))).toStrictEqual(
      written.filter((r) => r.trial === 'e-t0' || r.trial === 'e-t2'),
    );
    expect(strip(store.getObservationsOf('e', { trials: ['e-t0'], metric: 'loss' }))).toStrictEqual(
      store.getObservations('e', 'e-t0', 'loss'),
    );
    expect(store.getObservationsOf('e', { trials: [] })).toEqual([]);
    // A name that looks like SQL or JSON is just a name.
    expect(store.getObservationsOf('e', { trials: ["e-t0') OR 1=1 --", '"]'] })).toEqual([]);
  });

  it('pages by id: limit and afterId give back the whole read, page by page, even as rows are added', () => {
    const { store, written } = filledStore();
    const pages: StoredObservation[][] = [];
    let afterId = 0;
    for (;;) {
      const page = store.getObservationsOf('e', { afterId, limit: 2 });
      if (page.length === 0) break;
      pages.push(page);
      afterId = page.at(-1)?.id ?? afterId;
      // A row written while a reader pages lands after its position, so the reader gets it on a later page.
      if (pages.length === 1) store.appendObservations('e', [row('e-t2', 'loss', 2)]);
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
    expect(strip(pages.flat())).toStrictEqual([...written, row('e-t2', 'loss', 2)]);
  });

  it('refuses a bad position, limit or trial list', () => {
    const { store } = filledStore();
    for (const query of [{ afterId: -1 }, { afterId: 0.5 }, { limit: 0 }, { limit: Number.POSITIVE_INFINITY }]) {
      const e = caught(() => store.getObservationsOf('e', query));
      expect(e.code).toBe(ErrorCode.invalidArgument);
      expect(e.message).toMatch(/must be a whole number/);
    }
    const e = caught(() => store.getObservationsOf('e', { trials: 'e-t0' as unknown as string[] }));
    expect(e.code).toBe(ErrorCode.invalidArgument);
  });

  it('plans every read on an index: no walk of the whole experiment for some trials, no sort for all of them', () => {
    const dir = tempDir();
    filledStore(dir);
    const db = new Database(join(dir, 'hpo.db'), { readonly: true });
    const plan = (sql: string, params: unknown[]): string =>
      db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((r) => r.detail)
        .join('; ');
    try {
      // The whole experiment (optionally one metric): in id order straight from the (namespace, experiment, id)
      // index.
      for (const byMetric of [false, true]) {
        const p = plan(
          observationPageSql(byMetric, false),
          byMetric ? ['default', 'e', 0, 'loss', -1] : ['default', 'e', 0, -1],
        );
        expect(p).toContain('USING INDEX observation_logs_by_experiment (namespace=? AND experiment=? AND id>?)');
        expect(p).not.toContain('TEMP B-TREE');
      }
      // Some trials, and the per-trial reads: by trial, never every row of the experiment.
      const byTrial = 'USING INDEX observation_logs_by_metric (namespace=? AND experiment=? AND trial=?';
      expect(plan(observationPageSql(false, true), ['default', 'e', 0, '["e-t0"]', -1])).toContain(byTrial);
      expect(plan(observationPageSql(true, true), ['default', 'e', 0, 'loss', '["e-t0"]', -1])).toContain(byTrial);
      const s = prepareStatements(db);
      expect(plan(s.observations.source, ['default', 'e', 'e-t0'])).toContain(byTrial);
      expect(plan(s.observationsOfMetric.source, ['default', 'e', 'e-t0', 'loss'])).toContain(byTrial);
    } finally {
      db.close();
    }
  });

  it('reads 1,000 trials \u00d7 10 observations in one call', () => {
    const store = tempStore();
    store.createExperiment(experiment('big'));
    store.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        store.insertTrial(trial('big', i));
        store.appendObservations(
          'big',
          Array.from({ length: 10 }, (_, s) => row(`big-t${i}`, 'loss', s + 1)),
        );
      }
    });
    const all = store.getObservationsOf('big', { metric: 'loss' });
    expect(all).toHaveLength(10_000);
    expect(all[0]).toMatchObject({ trial: 'big-t0', step: 1 });
    expect(all.at(-1)).toMatchObject({ trial: 'big-t999', step: 10 });
  });
});
