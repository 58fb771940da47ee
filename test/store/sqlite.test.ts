import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import type { EventRow, ObservationRow, TrialPatch } from '../../src/store/types.ts';
import { caught } from '../helpers.ts';
import { experiment, fullTrial, tempStore, trial } from './fixtures.ts';

describe('SqliteStore experiments', () => {
  it.each([
    ['only required fields', experiment('a')],
    ['every optional field', experiment('b', { sourcePath: '/x/b.yaml', completedAt: '2024-05-02T00:00:00Z' })],
  ])('round-trips an experiment with %s', (_label, rec) => {
    const store = tempStore();
    store.createExperiment(rec);
    const back = store.getExperiment(rec.name);
    expect(back).toStrictEqual(rec);
    expect(Object.keys(back ?? {})).toEqual(Object.keys(rec));
  });

  it('lists experiments by creation time and answers undefined for an unknown name', () => {
    const store = tempStore();
    store.createExperiment(experiment('late', { createdAt: '2024-06-01T00:00:00Z' }));
    store.createExperiment(experiment('early', { createdAt: '2024-01-01T00:00:00Z' }));
    expect(store.listExperiments().map((e) => e.name)).toEqual(['early', 'late']);
    expect(store.getExperiment('nope')).toBeUndefined();
  });

  it('refuses a duplicate experiment with a conflict naming the remedy', () => {
    const store = tempStore();
    store.createExperiment(experiment('dup'));
    const err = caught(() => store.createExperiment(experiment('dup')));
    expect(err.code).toBe(ErrorCode.conflict);
    expect(err.message).toBe(
      `experiment dup already exists in ${store.path}; use \`hpo resume dup\` or \`hpo delete dup\``,
    );
  });

  it('patches only the given fields of an experiment', () => {
    const store = tempStore();
    store.createExperiment(experiment('p'));
    store.updateExperiment('p', { phase: 'Succeeded', completedAt: '2024-05-03T00:00:00Z' });
    expect(store.getExperiment('p')).toStrictEqual(
      experiment('p', { phase: 'Succeeded', completedAt: '2024-05-03T00:00:00Z' }),
    );
    store.updateExperiment('p', { manifest: { ...experiment().manifest, metadata: { name: 'renamed' } } });
    expect(store.getExperiment('p')?.manifest.metadata).toEqual({ name: 'renamed' });
    expect(store.getExperiment('p')?.phase).toBe('Succeeded');
  });

  it.each([
    ['a missing experiment', { phase: 'Running' as const }],
    ['a missing experiment with an empty patch', {}],
  ])('raises notFound when updating %s', (_label, patch) => {
    const store = tempStore();
    expect(caught(() => store.updateExperiment('ghost', patch)).code).toBe(ErrorCode.notFound);
  });

  it('rejects a patch field that is not updatable instead of writing a column named by the caller', () => {
    const store = tempStore();
    store.createExperiment(experiment('p'));
    const patch = { name: 'other' } as never;
    const err = caught(() => store.updateExperiment('p', patch));
    expect(err.code).toBe(ErrorCode.invalidArgument);
    expect(store.getExperiment('p')?.name).toBe('p');
  });
});

describe('SqliteStore trials', () => {
  it.each([
    ['only required fields', trial('e', 0)],
    ['every optional field', fullTrial('e', 0)],
  ])('round-trips a trial with %s', (_label, rec) => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.insertTrial(rec);
    const back = store.getTrial('e', rec.name);
    expect(back).toStrictEqual(rec);
    expect(Object.keys(back ?? {}).sort()).toEqual(Object.keys(rec).sort());
    expect(store.listTrials('e')).toStrictEqual([rec]);
  });

  it('lists trials in seq order regardless of insertion order or name, and counts them', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.createExperiment(experiment('other'));
    for (const seq of [2, 0, 10, 1]) store.insertTrial(trial('e', seq, { name: `z-${9 - seq}` }));
    store.insertTrial(trial('other', 0));
    expect(store.listTrials('e').map((t) => t.seq)).toEqual([0, 1, 2, 10]);
    expect(store.countTrials('e')).toBe(4);
    expect(store.countTrials('missing')).toBe(0);
    expect(store.listTrials('missing')).toEqual([]);
  });

  it('applies patches field by field, keeping what a patch leaves out', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.insertTrial(trial('e', 0));
    const steps: TrialPatch[] = [
      { state: 'Running', reason: 'TrialRunning', startedAt: '2024-05-01T10:00:01Z', workDir: '/w' },
      { objective: 0.5, metrics: [{ name: 'acc', max: 0.5, latest: '0.5' }] },
      { state: 'Succeeded', completedAt: '2024-05-01T10:00:09Z', exitCode: 0, labels: { a: 'b' } },
    ];
    let expected = trial('e', 0);
    for (const patch of steps) {
      store.updateTrial('e', 'e-t0', patch);
      expected = { ...expected, ...patch };
      expect(store.getTrial('e', 'e-t0')).toStrictEqual(expected);
    }
  });

  it('treats an explicit undefined in a patch as "not provided"', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.insertTrial(fullTrial('e', 0));
    store.updateTrial('e', 'e-t0', { objective: undefined, state: 'Killed' } as unknown as TrialPatch);
    expect(store.getTrial('e', 'e-t0')).toStrictEqual({ ...fullTrial('e', 0), state: 'Killed' });
  });

  it.each([
    ['a duplicate name', (s: number) => trial('e', s + 1, { name: 'e-t0' }), ErrorCode.conflict, /already exists/],
    ['a duplicate seq', (_s: number) => trial('e', 0, { name: 'fresh' }), ErrorCode.conflict, /seq 0 is already used/],
    ['an unknown experiment', (_s: number) => trial('ghost', 5), ErrorCode.notFound, /experiment ghost not found/],
  ])('refuses a trial with %s', (_label, make, code, text) => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.insertTrial(trial('e', 0));
    const err = caught(() => store.insertTrial(make(0)));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(text);
    expect(err.message).toContain(store.path);
    expect(store.countTrials('e')).toBe(1);
  });

  it('raises notFound when updating a trial that does not exist', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    expect(caught(() => store.updateTrial('e', 'nope', { state: 'Running' })).code).toBe(ErrorCode.notFound);
  });
});

describe('SqliteStore observations, events and algorithm state', () => {
  it('returns observations in insertion order, all or of one metric, per trial', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.insertTrial(trial('e', 0));
    store.insertTrial(trial('e', 1));
    const rows: ObservationRow[] = [
      { trial: 'e-t0', metric: 'loss', value: '0.9', step: 1, time: '2024-05-01T10:00:01Z' },
      { trial: 'e-t0', metric: 'acc', value: '0.1', step: 1 },
      { trial: 'e-t1', metric: 'loss', value: '5', step: 1 },
      { trial: 'e-t0', metric: 'loss', value: '0.7', step: 2, time: '2024-05-01T10:00:02Z' },
    ];
    store.appendObservations('e', rows.slice(0, 2));
    store.appendObservations('e', rows.slice(2));
    expect(store.getObservations('e', 'e-t0')).toStrictEqual([rows[0], rows[1], rows[3]]);
    expect(store.getObservations('e', 'e-t0', 'loss')).toStrictEqual([rows[0], rows[3]]);
    expect(store.getObservations('e', 'e-t1', 'acc')).toEqual([]);
  });

  it('appends a batch of observations atomically: a row for an unknown trial leaves none behind', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.insertTrial(trial('e', 0));
    const err = caught(() =>
      store.appendObservations('e', [
        { trial: 'e-t0', metric: 'loss', value: '1', step: 1 },
        { trial: 'ghost', metric: 'loss', value: '1', step: 1 },
      ]),
    );
    expect(err.code).toBe(ErrorCode.notFound);
    expect(store.getObservations('e', 'e-t0')).toEqual([]);
  });

  it('lists the latest events oldest first, honouring the limit', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.createExperiment(experiment('f'));
    const events: EventRow[] = Array.from({ length: 5 }, (_, i) => ({
      experiment: 'e',
      type: i === 3 ? 'Warning' : 'Normal',
      reason: `R${i}`,
      message: `m${i}`,
      time: '2024-05-01T10:00:00Z', // same time: order must come from insertion, not the clock
      ...(i % 2 === 0 ? { trial: `e-t${i}` } : {}),
    }));
    for (const ev of events) store.addEvent(ev);
    store.addEvent({ ...events[0]!, experiment: 'f' });
    expect(store.listEvents('e')).toStrictEqual(events);
    expect(store.listEvents('e', 2)).toStrictEqual(events.slice(3));
    expect(store.listEvents('e', 0)).toEqual([]);
    expect(store.listEvents('f')).toHaveLength(1);
    expect(caught(() => store.listEvents('e', -1)).code).toBe(ErrorCode.invalidArgument);
  });

  it('round-trips algorithm state, including a multi-megabyte one, and clears it with undefined', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    expect(store.loadAlgorithmState('e')).toBeUndefined();
    const big = {
      population: Array.from({ length: 20_000 }, (_, i) => ({ id: `t${i}`, score: i / 7, params: [i, -i - 1, 'x'] })),
      note: 'ünïcødé ✓',
    };
    store.saveAlgorithmState('e', big);
    expect(store.loadAlgorithmState('e')).toStrictEqual(big);
    store.saveAlgorithmState('e', { round: 2 });
    expect(store.loadAlgorithmState('e')).toStrictEqual({ round: 2 });
    store.saveAlgorithmState('e', undefined);
    expect(store.loadAlgorithmState('e')).toBeUndefined();
    expect(caught(() => store.saveAlgorithmState('ghost', 1)).code).toBe(ErrorCode.notFound);
  });

  it.each([
    ['NaN', { best: Number.NaN }, /"best" is NaN/],
    ['Infinity deep inside', { history: [{ y: Number.POSITIVE_INFINITY }] }, /"y" is Infinity/],
    ['a bare -Infinity', Number.NEGATIVE_INFINITY, /the state is -Infinity/],
  ])('refuses algorithm state with %s rather than silently storing null', (_label, state, text) => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    store.saveAlgorithmState('e', { ok: 1 });
    const err = caught(() => store.saveAlgorithmState('e', state));
    expect(err.code).toBe(ErrorCode.invalidArgument);
    expect(err.message).toMatch(text);
    expect(store.loadAlgorithmState('e')).toEqual({ ok: 1 });
  });
});

describe('SqliteStore delete and transactions', () => {
  it('deletes an experiment with all its trials, observations, events and state, leaving others intact', () => {
    const store = tempStore();
    for (const name of ['gone', 'kept']) {
      store.createExperiment(experiment(name));
      store.insertTrial(fullTrial(name, 0));
      store.appendObservations(name, [{ trial: `${name}-t0`, metric: 'loss', value: '1', step: 1 }]);
      store.addEvent({ experiment: name, type: 'Normal', reason: 'R', message: 'm', time: 't' });
      store.saveAlgorithmState(name, { n: 1 });
    }
    store.deleteExperiment('gone');
    expect(store.getExperiment('gone')).toBeUndefined();
    expect(store.listTrials('gone')).toEqual([]);
    expect(store.getObservations('gone', 'gone-t0')).toEqual([]);
    expect(store.listEvents('gone')).toEqual([]);
    expect(store.loadAlgorithmState('gone')).toBeUndefined();
    expect(store.listTrials('kept')).toHaveLength(1);
    expect(store.getObservations('kept', 'kept-t0')).toHaveLength(1);
    expect(store.listEvents('kept')).toHaveLength(1);
    expect(store.loadAlgorithmState('kept')).toEqual({ n: 1 });
    expect(caught(() => store.deleteExperiment('gone')).code).toBe(ErrorCode.notFound);
    // The name is free again.
    store.createExperiment(experiment('gone'));
    expect(store.countTrials('gone')).toBe(0);
  });

  it('commits a transaction as a whole and rolls it back as a whole, passing the error through', () => {
    const store = tempStore();
    store.createExperiment(experiment('e'));
    const result = store.transaction(() => {
      store.insertTrial(trial('e', 0));
      store.updateTrial('e', 'e-t0', { state: 'Running' });
      store.appendObservations('e', [{ trial: 'e-t0', metric: 'loss', value: '1', step: 1 }]);
      return 'done';
    });
    expect(result).toBe('done');
    const boom = new Error('boom');
    expect(() =>
      store.transaction(() => {
        store.insertTrial(trial('e', 1));
        store.transaction(() =>
          store.addEvent({ experiment: 'e', type: 'Normal', reason: 'R', message: '', time: 't' }),
        );
        throw boom;
      }),
    ).toThrow(boom);
    expect(store.countTrials('e')).toBe(1);
    expect(store.listEvents('e')).toEqual([]);
    expect(store.getTrial('e', 'e-t0')?.state).toBe('Running');
  });

  it('raises storeFailed naming the database after close, and close is idempotent', () => {
    const store = tempStore();
    store.close();
    store.close();
    const err = caught(() => store.listExperiments());
    expect(err.code).toBe(ErrorCode.storeFailed);
    expect(err.message).toContain(store.path);
  });
});
