import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, WorkbenchError } from '../../src/common/errors.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { ExperimentResult } from '../../src/experiment/report.ts';
import { ExperimentReader } from '../../src/index.ts';
import { openStore } from '../../src/store/open.ts';
import { sequenceExperiment, tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
let written: string;
let result: ExperimentResult;

/** Every file of a folder with its bytes, to prove that nothing was written. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      // Reading a WAL database makes SQLite create its shared-memory index (-shm) and an empty log (-wal): no
      // page of the database goes into either. A non-empty -wal would be a write, and is compared.
      .filter(
        (e) =>
          !e.name.endsWith('-shm') && !(e.name.endsWith('-wal') && statSync(join(e.parentPath, e.name)).size === 0),
      )
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return [path, readFileSync(path).toString('base64')];
      }),
  );
}

function caught(fn: () => unknown): WorkbenchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WorkbenchError) return e;
    throw e;
  }
  throw new Error('expected a WorkbenchError');
}

beforeEach(async () => {
  tmp = tempDir();
  written = join(tmp.dir, 'store');
  const store = openStore(written);
  try {
    result = await Experiment.create({ ...sequenceExperiment('seen', { maxTrialCount: 3 }), store }).optimize(
      (p, report) => {
        report({ loss: 10 + Number(p.x) });
        return (Number(p.x) - 1) ** 2;
      },
    );
  } finally {
    store.close();
  }
});
afterEach(() => tmp.cleanup());

describe('ExperimentReader', () => {
  it('reads a store a run wrote, through a read-only copy it never writes to', () => {
    const copy = join(tmp.dir, 'copy');
    cpSync(written, copy, { recursive: true });
    const before = snapshot(copy);
    const reader = ExperimentReader.open(copy, 'seen');
    expect(reader.experiment()).toMatchObject({ name: 'seen', phase: 'Succeeded' });
    expect(reader.trials().map((t) => t.params.x)).toEqual([0, 1, 2]);
    const [first] = reader.trials();
    expect(reader.trial(first!.name)).toEqual(first);
    expect(reader.trial('no-such-trial')).toBeUndefined();
    expect(reader.observations(first!.name, 'loss').map((o) => o.value)).toEqual(['10', '1']);
    expect(reader.observations(first!.name).map((o) => o.metric)).toEqual(['loss', 'loss']);
    const events = reader.events(1);
    expect(events).toHaveLength(1);
    expect(events[0]?.reason).toBe('ExperimentMaxTrialsReached');
    expect(reader.events().length).toBeGreaterThan(1);
    expect(reader.best()?.params).toEqual({ x: 1 });
    expect(reader.result()).toEqual(result);
    expect(reader.controller()).toEqual({
      running: false,
      lock: 'none',
      message: 'none (the experiment has finished)',
    });
    reader.close();
    expect(caught(() => reader.trials()).message).toContain('closed');
    expect(snapshot(copy)).toEqual(before);
  });

  it('says what is missing: no store there, or no such experiment in it', () => {
    expect(caught(() => ExperimentReader.open(join(tmp.dir, 'typo'), 'seen')).code).toBe(ErrorCode.notFound);
    const e = caught(() => ExperimentReader.open(written, 'unseen'));
    expect(e.code).toBe(ErrorCode.notFound);
    expect(e.message).toContain("no experiment 'unseen'");
    expect(e.message).toContain('it holds: seen');
  });

  it('reads an open store without closing it, and reports the controller that holds the experiment', () => {
    const store = openStore(written);
    try {
      expect(store.acquireExperimentLock('seen')).toBe(true);
      const reader = ExperimentReader.open(store, 'seen');
      const report = reader.controller();
      expect(report).toMatchObject({ running: true, lock: 'held', pid: process.pid });
      expect(report.message).toContain(`process ${process.pid}`);
      // A lease judged after it ran out: nobody drives the experiment any more.
      expect(reader.controller(new Date(Date.parse(report.expiresAt!) + 1)).lock).toBe('expired');
      reader.close();
      expect(store.listTrials('seen')).toHaveLength(3);
    } finally {
      store.releaseExperimentLock('seen');
      store.close();
    }
  });
});
