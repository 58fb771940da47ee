// Several optimize() calls on one shared experiment (RunOptions.join, Experiment.fromStore): each works it as one
// worker of a shared experiment (src/experiment/join.ts, worker.ts), sharing its budget and trial leases.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import type { Progress } from '../../src/experiment/controller.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import { search } from '../../src/spec/create.ts';
import { openStore } from '../../src/store/open.ts';
import type { Objective } from '../../src/trial/inProcess.ts';
import { rejected, sequenceExperiment, tempDir } from '../helpers.ts';
import { expectCompleteAndUnique } from './sharedChecks.ts';
import { waitFor } from './sharedEarlyStop.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function folder(): string {
  const { dir, cleanup } = tempDir();
  onTestFinished(cleanup);
  return dir;
}

// Objects in one process share one Store: two SQLite connections in one process block each other's write transactions
// (SQLite's busy wait is synchronous). Separate processes, each with its own connection, are tested below.
describe('optimize({ join }) on one experiment from two objects', () => {
  it('finishes exactly the budget, every point once, and both return the finished experiment', async () => {
    const dir = folder();
    const definition = sequenceExperiment('joined', { maxTrialCount: 9, parallelTrialCount: 2 });
    const ran: string[][] = [[], []];
    let secondStarted!: () => void;
    const bothWork = new Promise<void>((resolve) => {
      secondStarted = resolve;
    });
    const objective =
      (mine: string[], gate: () => Promise<void>): Objective =>
      async (p, report, ctx) => {
        mine.push(ctx.trial);
        // The first caller's trials end only once the second caller runs one: the budget is really shared.
        await gate();
        const x = Number(p.x);
        for (let step = 1; step <= 3; step++) {
          await sleep(15 + (x % 3) * 10);
          report({ loss: x + 1 / step });
        }
      };
    const probe = openStore(dir);
    onTestFinished(() => probe.close());
    const first = Experiment.create({ ...definition, store: probe });
    onTestFinished(() => first.close());
    const one = first.optimize(
      objective(ran[0]!, () => bothWork),
      { join: { worker: 'one', heartbeatMs: 400 } },
    );
    // The second joins the experiment the first created, knowing only its name and store.
    await waitFor(
      'the first caller created the experiment',
      async () => (await probe.getExperiment('joined')) !== undefined,
    );
    const second = await Experiment.fromStore('joined', { store: probe });
    onTestFinished(() => second.close());
    const two = second.optimize(
      objective(ran[1]!, async () => secondStarted()),
      { join: { worker: 'two', heartbeatMs: 400 } },
    );
    const results = await Promise.all([one, two]);
    const trials = await expectCompleteAndUnique(probe, 'joined', 9);
    expect(trials.filter((t) => t.state === 'Killed')).toEqual([]);
    // The sequence algorithm proposes x = (trials it sees): a caller blind to the other's trials would repeat an x.
    expect(trials.map((t) => Number(t.params.x)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...ran[0]!, ...ran[1]!].sort()).toEqual(trials.map((t) => t.name).sort());
    for (const r of results) {
      expect([r.status, r.reason, r.trials.length]).toEqual(['Succeeded', 'ExperimentMaxTrialsReached', 9]);
      expect(r.bestTrial?.parameters.x).toBe(0);
    }
    // Each object held at most two of the nine slots at a time, so the first alone could not have run them all.
    expect(ran.every((mine) => mine.length > 0)).toBe(true);
    expect(await probe.getExperimentLock('joined')).toBeUndefined();
  }, 60_000);

  it("runs the experiment's early-stopping rules: report() answers true and the trial is EarlyStopped", async () => {
    const dir = folder();
    const exp = Experiment.create({
      ...sequenceExperiment('joined-median', { maxTrialCount: 4, parallelTrialCount: 1 }),
      earlyStopping: { algorithmName: 'medianstop', algorithmSettings: { min_trials_required: 2, start_step: 2 } },
      store: dir,
    });
    onTestFinished(() => exp.close());
    const epochs: number[] = [];
    const progress: Progress[] = [];
    const result = await exp.optimize(
      async (p, report) => {
        // Trials 0 and 1 are good; later ones are worse by 1 at every epoch.
        const offset = Number(p.x) < 2 ? 0 : 1;
        let e = 1;
        for (; e <= 10 && !report({ loss: offset + 1 / e }); e++);
        epochs.push(Math.min(e, 10));
      },
      { join: true, onProgress: (p) => progress.push(p) },
    );
    expect(result.trials.map((t) => t.state)).toEqual(['Succeeded', 'Succeeded', 'EarlyStopped', 'EarlyStopped']);
    expect(epochs).toEqual([10, 10, 2, 2]);
    expect(result.trials[2]?.message).toContain('medianstop');
    // The whole experiment's progress, reported when it changed (the last once every trial had ended).
    expect(progress.at(-1)).toMatchObject({ done: 4, total: 4, running: 0, best: 0.1 });
    const done = progress.map((p) => p.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // Never the same report twice in a row.
    expect(
      progress.every(
        (p, i) =>
          i === 0 || JSON.stringify({ ...p, elapsedMs: 0 }) !== JSON.stringify({ ...progress[i - 1], elapsedMs: 0 }),
      ),
    ).toBe(true);
  }, 60_000);
});

const child = fileURLToPath(new URL('./optimizeJoinChild.ts', import.meta.url));

/** Runs optimizeJoinChild.ts in its own process; resolves with its exit code and output. */
function optimizeInProcess(dir: string, worker: string): Promise<{ code: number | null; out: string; err: string }> {
  const p = spawn(process.execPath, ['--import', 'tsx', child, dir, worker], { stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  p.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve) => p.on('exit', (code) => resolve({ code, out, err })));
}

describe('optimize({ join }) in separate processes on one SQLite store', () => {
  it('finishes exactly the budget with no trial run twice', async () => {
    const dir = folder();
    const ends = await Promise.all(['p1', 'p2', 'p3'].map((w) => optimizeInProcess(dir, w)));
    for (const e of ends)
      expect([e.code, e.err, e.out.trim().split('\n').at(-1)]).toEqual([0, '', 'done Succeeded 12']);
    const store = openStore(dir);
    onTestFinished(() => store.close());
    const trials = await expectCompleteAndUnique(store, 'processes', 12);
    expect(trials.filter((t) => t.state === 'Killed')).toEqual([]);
    expect(trials.map((t) => Number(t.params.x)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // Every trial was run by exactly one process.
    const ran = ends.flatMap((e) => [...e.out.matchAll(/^ran (\S+)$/gm)].map((m) => m[1]));
    expect(ran.sort()).toEqual(trials.map((t) => t.name).sort());
  }, 90_000);
});

describe('run({ join }) on one experiment from two objects', () => {
  it('runs the trial template as local processes, sharing the budget', async () => {
    const dir = folder();
    const curveTrial = fileURLToPath(new URL('../fixtures/trials/curve.mjs', import.meta.url));
    const definition = {
      name: 'joined-template',
      objective: { type: 'minimize' as const, objectiveMetricName: 'loss' },
      algorithm: { algorithmName: 'grid' as const },
      parameters: [search.discrete('a', [0, 1, 2, 3])],
      parallelTrialCount: 1,
      maxTrialCount: 4,
      trialTemplate: {
        primaryContainerName: 'main',
        trialParameters: [{ name: 'a', reference: 'a' }],
        trialSpec: {
          apiVersion: 'batch/v1',
          kind: 'Job',
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'main',
                    image: 'node',
                    command: [process.execPath, curveTrial, '${trialParameters.a}', '5', '20'],
                  },
                ],
                restartPolicy: 'Never',
              },
            },
          },
        },
      },
    };
    const store = openStore(dir);
    onTestFinished(() => store.close());
    const objects = ['x', 'y'].map(() => {
      const exp = Experiment.create({ ...definition, store });
      onTestFinished(() => exp.close());
      return exp;
    });
    // Two controllers in one process would both issue seq 0; two joined workers share the slots.
    const results = await Promise.all(
      objects.map((exp, i) => exp.run({ join: { worker: `t${i}`, heartbeatMs: 300 } })),
    );
    for (const r of results) expect([r.status, r.reason]).toEqual(['Succeeded', 'ExperimentMaxTrialsReached']);
    const trials = await expectCompleteAndUnique(store, 'joined-template', 4);
    expect(trials.map((t) => Number(t.params.a)).sort()).toEqual([0, 1, 2, 3]);
    // Each trial's loss is a + 1/5 after its five epochs, read from its own process's output.
    for (const t of trials) expect(t.objective).toBeCloseTo(Number(t.params.a) + 0.2, 6);
  }, 90_000);
});

describe('optimize({ join }) refusals', () => {
  it('refuses a budget edit (it needs the lock workers do not take), and fromStore an experiment not stored', async () => {
    const dir = folder();
    const exp = Experiment.create({ ...sequenceExperiment('no-edit'), store: dir });
    onTestFinished(() => exp.close());
    const edit = await rejected(exp.optimize(() => 1, { join: true, budget: { maxTrialCount: 9 } }));
    expect([edit.code, edit.message]).toEqual([ErrorCode.invalidArgument, expect.stringContaining('budget edit')]);
    expect(await exp.store.getExperiment('no-edit')).toBeUndefined();
    for (const join of [{ heartbeatMs: -5 }, { leaseMs: Number.NaN }, { heartbeatMs: 0 }, { worker: ' ' }]) {
      const bad = await rejected(exp.optimize(() => 1, { join }));
      expect([bad.code, bad.message]).toEqual([
        ErrorCode.invalidArgument,
        expect.stringMatching(/positive number|non-empty/),
      ]);
    }
    expect(await exp.store.getExperiment('no-edit')).toBeUndefined();
    const missing = await rejected(Experiment.fromStore('nowhere', { store: dir }));
    expect([missing.code, missing.message]).toEqual([
      ErrorCode.notFound,
      expect.stringContaining("experiment 'nowhere' is not in the store"),
    ]);
  });
});
