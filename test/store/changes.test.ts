import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { openDatabaseForReading } from '../../src/store/open.ts';
import type { ChangeRow } from '../../src/store/types.ts';
import { caught } from '../helpers.ts';
import { experiment, tempDir, tempStore, trial } from './fixtures.ts';

/** The fields a test compares: what changed, without the seq and time. */
const what = (changes: readonly ChangeRow[]): string[] =>
  changes.map((c) => `${c.experiment}:${c.kind}${c.trial === undefined ? '' : `:${c.trial}`}`);

const obs = (t: string, step: number) => ({ trial: t, metric: 'loss', value: String(step), step });

describe('change feed', () => {
  it('records one change per write, in commit order, and nothing for writes that change nothing', () => {
    const store = tempStore();
    expect(store.hasChangeFeed).toBe(true);
    expect(store.changesSince(undefined, 0)).toEqual({ changes: [], seq: 0 });
    store.createExperiment(experiment('e'));
    store.insertTrial(trial('e', 0));
    store.insertTrial(trial('e', 1));
    store.updateTrial('e', 'e-t0', { state: 'Running' });
    // One batch over two trials: one change per trial, not per row.
    store.appendObservations('e', [obs('e-t0', 1), obs('e-t1', 1), obs('e-t0', 2)]);
    store.addEvent({ experiment: 'e', trial: 'e-t0', type: 'Normal', reason: 'R', message: 'm', time: 't' });
    store.addEvent({ experiment: 'e', type: 'Normal', reason: 'R', message: 'm', time: 't' });
    store.updateExperiment('e', { phase: 'Running' });
    // Not part of the feed (see README), or no change at all:
    store.saveAlgorithmState('e', { n: 1 });
    store.updateTrial('e', 'e-t0', {});
    store.appendObservations('e', []);
    expect(caught(() => store.updateTrial('e', 'nope', { state: 'Failed' })).code).toBe(ErrorCode.notFound);
    expect(caught(() => store.updateExperiment('nope', { phase: 'Failed' })).code).toBe(ErrorCode.notFound);

    const { changes, seq } = store.changesSince(undefined, 0);
    expect(what(changes)).toEqual([
      'e:experiment',
      'e:trial:e-t0',
      'e:trial:e-t1',
      'e:trial:e-t0',
      'e:observations:e-t0',
      'e:observations:e-t1',
      'e:event:e-t0',
      'e:event',
      'e:experiment',
    ]);
    expect(changes.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seq).toBe(9);
    for (const c of changes) expect(c.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(store.changesSince(undefined, 9)).toEqual({ changes: [], seq: 9 });
  });

  it('filters by experiment, pages with limit, and hands back where to continue', () => {
    const store = tempStore();
    store.createExperiment(experiment('a'));
    store.createExperiment(experiment('b'));
    for (let i = 0; i < 5; i++) store.insertTrial(trial('a', i));
    store.insertTrial(trial('b', 0));

    const first = store.changesSince('a', 0, 2);
    expect(what(first.changes)).toEqual(['a:experiment', 'a:trial:a-t0']);
    // Cut by the limit: continue after the last change returned.
    expect(first.seq).toBe(3);
    const second = store.changesSince('a', first.seq, 10);
    expect(what(second.changes)).toEqual(['a:trial:a-t1', 'a:trial:a-t2', 'a:trial:a-t3', 'a:trial:a-t4']);
    // Not cut: the store's latest seq, past b's last change, so the next poll skips b's changes.
    expect(second.seq).toBe(8);
    expect(store.changesSince('a', second.seq)).toEqual({ changes: [], seq: 8 });
    expect(what(store.changesSince('b', 0).changes)).toEqual(['b:experiment', 'b:trial:b-t0']);
    expect(what(store.changesSince(undefined, 6).changes)).toEqual(['a:trial:a-t4', 'b:trial:b-t0']);
  });

  it('rolls a change back with its write, and shows it to another connection only once committed', () => {
    const dir = tempDir();
    const store = tempStore(dir);
    store.createExperiment(experiment('e'));
    expect(() =>
      store.transaction(() => {
        store.insertTrial(trial('e', 0));
        throw new Error('abandon');
      }),
    ).toThrow('abandon');
    expect(what(store.changesSince('e', 0).changes)).toEqual(['e:experiment']);

    const reader = openDatabaseForReading(dir);
    try {
      store.transaction(() => {
        store.insertTrial(trial('e', 1));
        store.updateTrial('e', 'e-t1', { state: 'Running' });
        expect(reader.changesSince('e', 1)).toEqual({ changes: [], seq: 1 });
      });
      const seen = reader.changesSince('e', 1);
      expect(what(seen.changes)).toEqual(['e:trial:e-t1', 'e:trial:e-t1']);
      // The rolled-back insert used no seq a reader could miss: the committed ones follow on.
      expect(seen.changes.map((c) => c.seq)).toEqual([2, 3]);
    } finally {
      reader.close();
    }
  });

  it('drops a deleted experiment\u2019s changes but says that it changed, and never reuses a seq', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.insertTrial(trial('e', 0));
    store.createExperiment(experiment('keep'));
    store.deleteExperiment('e');
    const after = store.changesSince(undefined, 0);
    expect(what(after.changes)).toEqual(['keep:experiment', 'e:experiment']);
    expect(after.seq).toBe(4);
    store.createExperiment(experiment('e'));
    expect(store.changesSince('e', 0).changes.map((c) => [c.seq, c.kind])).toEqual([
      [4, 'experiment'],
      [5, 'experiment'],
    ]);
  });

  it('refuses a position or limit that is not a whole number', () => {
    const store = tempStore();
    for (const [since, limit] of [
      [-1, 10],
      [1.5, 10],
      [Number.NaN, 10],
      [0, 0],
      [0, 2.5],
    ] as const) {
      const e = caught(() => store.changesSince(undefined, since, limit));
      expect(e.code).toBe(ErrorCode.invalidArgument);
      expect(e.message).toMatch(/must be a whole number/);
    }
  });
});
