// Drives ExperimentController.step() by hand: a fake algorithm that answers when the test says, a fake executor
// whose trials the test ends, and a fake clock. No real sleeps: every wait is on something the test did.
import { describe, expect, it } from 'vitest';
import { ExperimentController, type Progress } from '../../src/experiment/controller.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { SuggestRequest, SuggestResult } from '../../src/search/types.ts';
import { buildManifest, search } from '../../src/spec/create.ts';
import type { Store } from '../../src/store/types.ts';
import type { ExecutorResult, TrialContext, TrialExecutor, TrialHandle } from '../../src/trial/executor.ts';
import { type RunningTrial, startTrial } from '../../src/trial/handle.ts';
import { freshStorePerTest, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

const t0 = Date.parse('2030-01-01T00:00:00.000Z');

/** A clock that moves only when the test says so. */
function fakeClock(): { now: () => Date; advance: (ms: number) => void; iso: () => string } {
  let t = t0;
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    iso: () => new Date(t).toISOString(),
  };
}

/** An algorithm that answers only when the test calls `answer`, with x = 0, 1, 2, ... */
class FakeAlgorithm {
  readonly requests: SuggestRequest[] = [];
  cancels = 0;
  private pending: ((r: SuggestResult) => void) | undefined;
  private next = 0;
  private answers = 0;
  suggest(req: SuggestRequest): Promise<SuggestResult> {
    this.requests.push(req);
    return new Promise((resolve) => {
      this.pending = resolve;
    });
  }
  async cancel(): Promise<void> {
    this.cancels++;
    this.pending?.({ suggestions: [] });
  }
  /** Answers the outstanding request with `count` points (all it asked for when omitted). */
  answer(count?: number): void {
    const asked = this.requests.at(-1)!.count;
    const n = count ?? asked;
    const suggestions = Array.from({ length: n }, () => ({ params: { x: this.next++ } }));
    const resolve = this.pending!;
    this.pending = undefined;
    resolve({ suggestions, state: { answers: ++this.answers }, ...(n === 0 ? { exhausted: true } : {}) });
  }
}

/** An executor whose trials run until the test ends them. */
class FakeExecutor implements TrialExecutor {
  readonly kind = 'fake';
  readonly needsWorkDir = false;
  private readonly running = new Map<string, { trial: RunningTrial; resolve: (r: ExecutorResult) => void }>();
  private readonly clock: { iso: () => string };
  constructor(clock: { iso: () => string }) {
    this.clock = clock;
  }
  start(ctx: TrialContext): TrialHandle {
    return startTrial(
      (trial) =>
        new Promise((resolve) => {
          if (trial.signal.aborted) return resolve({ outcome: 'stopped' });
          this.running.set(ctx.trial, { trial, resolve });
          trial.signal.addEventListener('abort', () => {
            this.running.delete(ctx.trial);
            resolve({ outcome: 'stopped' });
          });
        }),
    );
  }
  get names(): string[] {
    return [...this.running.keys()];
  }
  /** Reports `loss` for the trial and ends its program, once its program has started; returns once the controller heard. */
  async complete(trial: string, loss: number): Promise<void> {
    // The controller starts a launched trial's program a few microtasks later (never on a timer).
    for (let i = 0; i < 100 && !this.running.has(trial); i++) await Promise.resolve();
    const r = this.running.get(trial);
    if (!r) throw new Error(`trial ${trial} is not running`);
    this.running.delete(trial);
    r.trial.metrics([{ name: 'loss', value: String(loss), time: this.clock.iso() }]);
    r.resolve({ outcome: 'completed' });
    // The end reaches the controller once runTrial has finished the trial's collector: a few microtasks, all
    // run before the next macrotask (no timer is involved).
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function setup(over: {
  maxTrialCount?: number;
  parallelTrialCount?: number;
  goal?: number;
  signal?: AbortSignal;
}) {
  const manifest = buildManifest({
    name: 'stepped',
    objective: {
      type: 'minimize',
      objectiveMetricName: 'loss',
      ...(over.goal === undefined ? {} : { goal: over.goal }),
    },
    algorithm: { algorithmName: 'random' },
    parameters: [search.int('x', 0, 100)],
    maxTrialCount: over.maxTrialCount ?? 3,
    parallelTrialCount: over.parallelTrialCount ?? 2,
  });
  const clock = fakeClock();
  await store.createExperiment({
    name: 'stepped',
    namespace: 'default',
    manifest,
    phase: 'Created',
    reason: 'ExperimentCreated',
    message: 'Experiment is created',
    seed: 7,
    createdAt: clock.iso(),
    updatedAt: clock.iso(),
  });
  const algorithm = new FakeAlgorithm();
  const executor = new FakeExecutor(clock);
  const progress: Progress[] = [];
  const controller = await ExperimentController.open({
    store,
    experiment: 'stepped',
    executor,
    host: algorithm,
    settings: {},
    now: clock.now,
    onProgress: (p) => progress.push(p),
    ...(over.signal === undefined ? {} : { signal: over.signal }),
  });
  return { controller, algorithm, executor, clock, progress };
}

const states = async () => (await store.listTrials('stepped')).map((t) => t.state);

describe('ExperimentController.step(), driven by hand', () => {
  it('runs the stages in order (reap, completion, launch, request) and never waits for the algorithm or a trial', async () => {
    const { controller, algorithm, executor, clock, progress } = await setup({
      maxTrialCount: 3,
      parallelTrialCount: 2,
    });

    // Step 1: nothing to reap or launch; asks for both free slots and returns while the algorithm thinks.
    const s1 = await controller.step();
    expect(s1).toMatchObject({
      state: 'running',
      reaped: [],
      launched: [],
      requested: 2,
      running: [],
      suggesting: true,
    });
    expect((await store.getExperiment('stepped'))?.phase).toBe('Running');
    // Stepping again while it thinks asks nothing more (one request at a time).
    expect(await controller.step()).toMatchObject({ requested: 0, suggesting: true });
    expect(algorithm.requests).toHaveLength(1);

    // Step 2: the answer's trials are stored and launched; the slots are full, so nothing is asked.
    clock.advance(1000);
    algorithm.answer();
    await controller.changed();
    const s2 = await controller.step();
    expect(s2.launched).toHaveLength(2);
    expect(s2).toMatchObject({ state: 'running', reaped: [], requested: 0, suggesting: false });
    expect(s2.running).toEqual(s2.launched);
    expect(await states()).toEqual(['Running', 'Running']);
    expect((await store.listTrials('stepped')).map((t) => t.startedAt)).toEqual([clock.iso(), clock.iso()]);
    const [a, b] = s2.launched as [string, string];

    // Step 3: the ended trial is reaped and judged with the fake clock's time; its slot is asked for again.
    clock.advance(5000);
    await executor.complete(a, 4);
    await controller.changed();
    const s3 = await controller.step();
    expect(s3).toMatchObject({ state: 'running', reaped: [a], launched: [], requested: 1, running: [b] });
    expect(await store.getTrial('stepped', a)).toMatchObject({
      state: 'Succeeded',
      objective: 4,
      completedAt: clock.iso(),
    });
    expect(progress.at(-1)).toMatchObject({ done: 1, best: 4, bestTrial: a, elapsedMs: 6000 });
    // The algorithm saw the ended trial in its history.
    expect(algorithm.requests[1]?.trials.find((t) => t.name === a)?.state).toBe('Succeeded');

    algorithm.answer();
    await controller.changed();
    const s4 = await controller.step();
    expect(s4.launched).toHaveLength(1);
    const c = s4.launched[0]!;

    // Step 5: both remaining trials end; reaped in the order they ended, then the budget completes the experiment.
    clock.advance(1000);
    await executor.complete(c, 1);
    await executor.complete(b, 2);
    await controller.changed();
    const s5 = await controller.step();
    expect(s5).toMatchObject({ state: 'completed', reaped: [c, b], running: [], suggesting: false });
    expect(s5.verdict?.reason).toBe('ExperimentMaxTrialsReached');
    expect(await store.getExperiment('stepped')).toMatchObject({ phase: 'Succeeded', completedAt: clock.iso() });
    expect(await states()).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    // A finished controller does nothing more.
    expect(await controller.step()).toBe(s5);
    expect(algorithm.requests).toHaveLength(2);
  });

  it('completion stops the trials still running, in the step that reaped the goal', async () => {
    const { controller, algorithm, executor } = await setup({ maxTrialCount: 10, parallelTrialCount: 2, goal: 0.5 });
    await controller.step();
    algorithm.answer();
    await controller.changed();
    const [a, b] = (await controller.step()).launched as [string, string];
    await executor.complete(a, 0.1);
    await controller.changed();
    const s = await controller.step();
    expect(s).toMatchObject({ state: 'completed', reaped: [a], launched: [], requested: 0, running: [] });
    expect(s.verdict?.reason).toBe('ExperimentGoalReached');
    expect(await store.getTrial('stepped', b)).toMatchObject({ state: 'Killed', reason: 'ExperimentCompleted' });
    expect(executor.names).toEqual([]);
    expect(algorithm.requests).toHaveLength(1);
  });

  it('an answer that arrives with the goal-reaching end is dropped: no trial is stored after the experiment is over', async () => {
    const { controller, algorithm, executor } = await setup({ maxTrialCount: 10, parallelTrialCount: 2, goal: 0.5 });
    await controller.step();
    algorithm.answer();
    await controller.changed();
    const [a, b] = (await controller.step()).launched as [string, string];
    await executor.complete(a, 3);
    await controller.changed();
    expect(await controller.step()).toMatchObject({ reaped: [a], requested: 1, suggesting: true });
    // Both come in before the next step: the algorithm's answer and the trial that reaches the goal.
    algorithm.answer();
    await executor.complete(b, 0.1);
    await controller.changed();
    const s = await controller.step();
    expect(s).toMatchObject({ state: 'completed', reaped: [b], launched: [] });
    expect(s.verdict?.reason).toBe('ExperimentGoalReached');
    expect(await states()).toEqual(['Succeeded', 'Succeeded']);
    // Nor is the state that came with it: the stored state matches the stored trials (exact resume).
    expect(await store.loadAlgorithmState('stepped')).toEqual({ answers: 1 });
  });

  it('an empty answer with nothing running ends the experiment in the same step (the algorithm is exhausted)', async () => {
    const { controller, algorithm, executor } = await setup({ maxTrialCount: 10, parallelTrialCount: 1 });
    await controller.step();
    algorithm.answer();
    await controller.changed();
    const [a] = (await controller.step()).launched as [string];
    await executor.complete(a, 1);
    await controller.changed();
    expect(await controller.step()).toMatchObject({ reaped: [a], requested: 1 });
    algorithm.answer(0);
    await controller.changed();
    const s = await controller.step();
    expect(s).toMatchObject({ state: 'completed', launched: [] });
    expect(s.verdict?.reason).toBe('ExperimentSuggestionEndReached');
  });

  it('an abort stops running trials, cancels the thinking algorithm and leaves the experiment resumable', async () => {
    const abort = new AbortController();
    const { controller, algorithm, executor } = await setup({
      maxTrialCount: 5,
      parallelTrialCount: 2,
      signal: abort.signal,
    });
    await controller.step();
    algorithm.answer();
    await controller.changed();
    const [a, b] = (await controller.step()).launched as [string, string];
    await executor.complete(a, 1);
    await controller.changed();
    expect(await controller.step()).toMatchObject({ reaped: [a], requested: 1, running: [b], suggesting: true });
    abort.abort();
    await controller.changed();
    const s = await controller.step();
    expect(s).toMatchObject({ state: 'interrupted', running: [], suggesting: false });
    expect(algorithm.cancels).toBe(1);
    expect(await store.getTrial('stepped', b)).toMatchObject({ state: 'Killed', reason: 'Interrupted' });
    expect((await store.getExperiment('stepped'))?.phase).toBe('Running');
    expect((await store.listEvents('stepped')).at(-1)?.reason).toBe('Interrupted');
    // The cancelled request's answer is not stored either.
    expect(await states()).toEqual(['Succeeded', 'Killed']);
  });
});

describe('the injected clock', () => {
  it('stamps what ask()/tell() write: the experiment, its trials and their observations', async () => {
    const clock = fakeClock();
    const exp = Experiment.create({
      ...sequenceExperiment('clocked', { maxTrialCount: 1, parallelTrialCount: 1 }),
      store,
      now: clock.now,
    });
    const t = await exp.ask();
    clock.advance(60_000);
    await exp.tell(t!.name, 3);
    await exp.close();
    const trial = (await store.getTrial('clocked', t!.name))!;
    expect((await store.getExperiment('clocked'))?.createdAt).toBe(new Date(t0).toISOString());
    expect(trial.createdAt).toBe(new Date(t0).toISOString());
    expect(trial.completedAt).toBe(clock.iso());
    expect((await store.getObservations('clocked', t!.name)).map((o) => o.time)).toEqual([clock.iso()]);
    expect((await store.getExperiment('clocked'))?.completedAt).toBe(clock.iso());
  });
});
