import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { ExperimentResult } from '../../src/experiment/report.ts';
import { ExperimentReader } from '../../src/index.ts';
import { openStore } from '../../src/store/open.ts';
import type { ChangeRow } from '../../src/store/types.ts';
import { rejected, sequenceExperiment, tempDir } from '../helpers.ts';
import { writeOldStore } from '../store/oldStore.ts';

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
    await store.close();
  }
});
afterEach(() => tmp.cleanup());

describe('ExperimentReader', () => {
  it('reads a store a run wrote, through a read-only copy it never writes to', async () => {
    const copy = join(tmp.dir, 'copy');
    cpSync(written, copy, { recursive: true });
    const before = snapshot(copy);
    const reader = await ExperimentReader.open(copy, 'seen');
    expect(await reader.experiment()).toMatchObject({ name: 'seen', phase: 'Succeeded' });
    expect((await reader.trials()).map((t) => t.params.x)).toEqual([0, 1, 2]);
    const [first] = await reader.trials();
    expect(await reader.trial(first!.name)).toEqual(first);
    expect(await reader.trial('no-such-trial')).toBeUndefined();
    expect((await reader.observations(first!.name, 'loss')).map((o) => o.value)).toEqual(['10', '1']);
    expect((await reader.observations(first!.name)).map((o) => o.metric)).toEqual(['loss', 'loss']);
    const events = await reader.events(1);
    expect(events).toHaveLength(1);
    expect(events[0]?.reason).toBe('ExperimentMaxTrialsReached');
    expect((await reader.events()).length).toBeGreaterThan(1);
    expect((await reader.best())?.params).toEqual({ x: 1 });
    expect(await reader.result()).toEqual(result);
    expect(await reader.controller()).toEqual({
      running: false,
      lock: 'none',
      message: 'none (the experiment has finished)',
    });
    await reader.close();
    expect((await rejected(reader.trials())).message).toContain('closed');
    expect(snapshot(copy)).toEqual(before);
  });

  it('says what is missing: no store there, or no such experiment in it', async () => {
    expect((await rejected(ExperimentReader.open(join(tmp.dir, 'typo'), 'seen'))).code).toBe(ErrorCode.notFound);
    const e = await rejected(ExperimentReader.open(written, 'unseen'));
    expect(e.code).toBe(ErrorCode.notFound);
    expect(e.message).toContain("no experiment 'unseen'");
    expect(e.message).toContain('it holds: seen');
  });

  it('reads an open store without closing it, and reports the controller that holds the experiment', async () => {
    const store = openStore(written);
    try {
      expect(await store.acquireExperimentLock('seen')).toBe(true);
      const reader = await ExperimentReader.open(store, 'seen');
      const report = await reader.controller();
      expect(report).toMatchObject({ running: true, lock: 'held', pid: process.pid });
      expect(report.message).toContain(`process ${process.pid}`);
      // A lease judged after it ran out: nobody drives the experiment any more.
      expect((await reader.controller(new Date(Date.parse(report.expiresAt!) + 1))).lock).toBe('expired');
      await reader.close();
      expect(await store.listTrials('seen')).toHaveLength(3);
    } finally {
      await store.releaseExperimentLock('seen');
      await store.close();
    }
  });

  it('reads every trial\u2019s observations in one call, with ids to page by', async () => {
    const reader = await ExperimentReader.open(written, 'seen');
    try {
      const all = await reader.observations({});
      const names = (await reader.trials()).map((t) => t.name);
      expect(new Set(all.map((o) => o.trial))).toEqual(new Set(names));
      // The bulk read holds exactly what the per-trial reads hold, each trial's rows in their order.
      for (const name of names) {
        expect(all.filter((o) => o.trial === name).map(({ id: _id, ...o }) => o)).toEqual(
          await reader.observations(name),
        );
      }
      const paged = [];
      for (let afterId = 0; ; ) {
        const page = await reader.observations({ afterId, limit: 4 });
        if (page.length === 0) break;
        paged.push(...page);
        afterId = page.at(-1)?.id ?? afterId;
      }
      expect(paged).toEqual(all);
      const [first] = names;
      expect((await reader.observations({ trials: [first!], metric: 'loss' })).map((o) => o.value)).toEqual([
        '10',
        '1',
      ]);
    } finally {
      await reader.close();
    }
  });

  it('gives the feed of a run: every kind of write, in order, each trial created before its results', async () => {
    const reader = await ExperimentReader.open(written, 'seen');
    try {
      const { changes, seq, unavailable } = await reader.changes(0);
      expect(unavailable).toBeUndefined();
      expect(seq).toBe(changes.at(-1)?.seq);
      const seqs = changes.map((c) => c.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(changes[0]).toMatchObject({ experiment: 'seen', kind: 'experiment' });
      expect(new Set(changes.map((c) => c.kind))).toEqual(new Set(['experiment', 'trial', 'observations', 'event']));
      for (const t of await reader.trials()) {
        const mine = changes.filter((c) => c.trial === t.name);
        const firstTrial = mine.findIndex((c) => c.kind === 'trial');
        const firstObservations = mine.findIndex((c) => c.kind === 'observations');
        // Created (Pending) first, then its observations, and its final state is written last or with them.
        expect(firstTrial).toBe(0);
        expect(firstObservations).toBeGreaterThan(firstTrial);
        expect(mine.filter((c) => c.kind === 'trial').length).toBeGreaterThanOrEqual(3);
      }
      // The experiment's last write (its Succeeded phase) is in the feed after every trial change.
      const lastTrial = changes.findLastIndex((c) => c.kind === 'trial');
      expect(changes.findLastIndex((c) => c.kind === 'experiment')).toBeGreaterThan(lastTrial);
      expect(await reader.changes(seq)).toEqual({ changes: [], seq });
      expect((await reader.changes(0, 2)).changes).toEqual(changes.slice(0, 2));
    } finally {
      await reader.close();
    }
  });

  it('follows a run from another connection: each poll sees the new writes, none missed or repeated', async () => {
    const store = openStore(written);
    let reader: ExperimentReader | undefined;
    let since = 0;
    const polled: ChangeRow[] = [];
    const newPerPoll: number[] = [];
    const sawOwnTrial: boolean[] = [];
    const poll = async (r: ExperimentReader): Promise<void> => {
      const page = await r.changes(since);
      since = page.seq;
      polled.push(...page.changes);
      newPerPoll.push(page.changes.length);
    };
    try {
      await Experiment.create({
        ...sequenceExperiment('live', { maxTrialCount: 4, parallelTrialCount: 1 }),
        store,
      }).optimize(async (p, report, ctx) => {
        // Opened read-only on the store's path, as a dashboard in another process would.
        reader ??= await ExperimentReader.open(written, 'live');
        await poll(reader);
        // This trial's row was written before it started, so the feed already names it. (Checked after the run:
        // an assertion failing in here would only fail the trial.)
        sawOwnTrial.push(polled.some((c) => c.kind === 'trial' && c.trial === ctx.trial));
        report({ loss: Number(p.x) });
        return Number(p.x);
      });
      if (reader === undefined) throw new Error('the objective never ran');
      await poll(reader);
      expect((await reader.trials()).map((t) => t.state)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
      expect(newPerPoll.every((n) => n > 0)).toBe(true);
      expect(newPerPoll).toHaveLength(5);
      expect(sawOwnTrial).toEqual([true, true, true, true]);
      expect(polled).toEqual((await reader.changes(0)).changes);
      expect(polled.every((c) => c.experiment === 'live')).toBe(true);
    } finally {
      await reader?.close();
      await store.close();
    }
  });

  it('says the feed is unavailable on a store an older version wrote, and still reads it', async () => {
    const dir = tempDir();
    try {
      writeOldStore(dir.dir, 3);
      const reader = await ExperimentReader.open(dir.dir, 'old');
      try {
        const page = await reader.changes(5);
        expect(page.changes).toEqual([]);
        expect(page.seq).toBe(5);
        expect(page.unavailable).toContain('has no change feed');
        expect(page.unavailable).toContain('hpo resume old');
        expect((await reader.observations({})).map((o) => o.value)).toEqual(['0.5', '0.25']);
        expect((await reader.trials()).map((t) => t.name)).toEqual(['old-a']);
      } finally {
        await reader.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
