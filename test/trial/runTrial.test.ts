// runTrial is the one place a metrics collector meets a trial: a scripted executor's handle emits lines, writes
// a metrics file, pushes values or is stopped, and the observations are those the collector gives for them.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { resolveTrialPath } from '../../src/metrics/collector.ts';
import type { MetricLog } from '../../src/metrics/types.ts';
import { type CollectorConfig, configOf } from '../../src/spec/config.ts';
import { buildManifest, search } from '../../src/spec/create.ts';
import type { MetricsCollectorSpec } from '../../src/spec/types.ts';
import type { ExecutorResult, StopReason, TrialContext, TrialExecutor, TrialHandle } from '../../src/trial/executor.ts';
import { type RunningTrial, startTrial } from '../../src/trial/handle.ts';
import { runTrial } from '../../src/trial/runTrial.ts';
import { writeEventFile } from '../fixtures/metrics/tfeventsWriter.ts';
import { tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hpo-run-trial-');
});
afterEach(() => tmp.cleanup());

const earlyStop: StopReason = { kind: 'EarlyStopped', reason: 'TrialEarlyStopped', message: 'Trial is early stopped' };
const killed: StopReason = { kind: 'Killed', reason: 'ExperimentCompleted', message: 'experiment completed' };

/** An executor whose trial does what the test scripts; records each start and every stop its handles get. */
class ScriptedExecutor implements TrialExecutor {
  readonly kind = 'scripted';
  readonly needsWorkDir = false;
  starts = 0;
  readonly stops: StopReason[] = [];
  private readonly script: (trial: RunningTrial) => Promise<ExecutorResult>;
  constructor(script: (trial: RunningTrial) => Promise<ExecutorResult>) {
    this.script = script;
  }
  start(_ctx: TrialContext): TrialHandle {
    this.starts++;
    const handle = startTrial(this.script);
    return {
      ...handle,
      stop: (reason) => {
        this.stops.push(reason);
        handle.stop(reason);
      },
    };
  }
}

/** The config's collector of an experiment with this `metricsCollectorSpec` (Katib's defaults applied). */
function collectorOf(spec?: MetricsCollectorSpec): { collector: CollectorConfig; metricNames: readonly string[] } {
  const manifest = buildManifest({
    name: 'rt',
    objective: { type: 'minimize', objectiveMetricName: 'loss', additionalMetricNames: ['accuracy'] },
    algorithm: { algorithmName: 'random' },
    parameters: [search.double('x', 0, 1)],
  });
  const config = configOf(
    spec === undefined ? manifest : { ...manifest, spec: { ...manifest.spec, metricsCollectorSpec: spec } },
  );
  return { collector: config.collector, metricNames: config.metricNames };
}

function context(): TrialContext {
  return {
    experiment: 'rt',
    namespace: 'default',
    trial: 'rt-1',
    params: { x: 0.5 },
    workDir: tmp.dir,
    logPath: join(tmp.dir, 'rt-1.log'),
    warn: () => undefined,
  };
}

/** Runs `executor` through runTrial with the collector of `spec`; returns the result and what reached the controller. */
async function run(
  executor: TrialExecutor,
  spec?: MetricsCollectorSpec,
  o: { signal?: AbortSignal; onMetrics?: (logs: readonly MetricLog[]) => void } = {},
): Promise<{ result: ExecutorResult; seen: MetricLog[] }> {
  const seen: MetricLog[] = [];
  const result = await runTrial({
    executor,
    context: context(),
    ...collectorOf(spec),
    signal: o.signal ?? new AbortController().signal,
    onMetrics: (logs) => {
      seen.push(...logs);
      o.onMetrics?.(logs);
    },
    collectorOptions: { pollIntervalMs: 10 },
  });
  return { result, seen };
}

const pairs = (logs: readonly MetricLog[]) => logs.map((l) => `${l.name}=${l.value}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runTrial: the collector wired to a trial handle', () => {
  it('StdOut: parses the handle lines into observations, as the collector does for a process', async () => {
    const executor = new ScriptedExecutor(async (trial) => {
      trial.line('epoch 1 loss=0.5 accuracy=0.7');
      trial.line('just noise');
      await sleep(5);
      trial.line('epoch 2 loss=0.25 accuracy=0.8');
      return { outcome: 'completed', exitCode: 0 };
    });
    const { result, seen } = await run(executor);
    expect(pairs(seen)).toEqual(['loss=0.5', 'accuracy=0.7', 'loss=0.25', 'accuracy=0.8']);
    expect(result).toEqual({ outcome: 'completed', exitCode: 0 });
    expect(executor.starts).toBe(1);
  });

  it('a line over the limit becomes a metrics problem of a completed result, after the executor’s own', async () => {
    const script = (outcome: 'completed' | 'failed') =>
      new ScriptedExecutor(async (trial) => {
        trial.overlongLine({ bytes: 2_000_000, offset: 12 }, 'stdout');
        trial.line('loss=0.5');
        return outcome === 'completed'
          ? { outcome, exitCode: 0, metricsProblems: ['the executor’s own'] }
          : { outcome, reason: 'TrialFailed', message: 'exit 1', exitCode: 1 };
      });
    const done = await run(script('completed'));
    expect(done.result).toEqual({
      outcome: 'completed',
      exitCode: 0,
      metricsProblems: [
        'the executor’s own',
        'a line of 2000000 bytes at byte offset 12 of stdout exceeded the 1 MiB line limit; metrics on it were not parsed',
      ],
    });
    expect(pairs(done.seen)).toEqual(['loss=0.5']);
    expect((await run(script('failed'))).result).toEqual({
      outcome: 'failed',
      reason: 'TrialFailed',
      message: 'exit 1',
      exitCode: 1,
    });
  });

  it('File with no path: reads Katib’s default file under the announced folder, drained after the result', async () => {
    const file = resolveTrialPath(tmp.dir, '/var/log/katib/metrics.log');
    const executor = new ScriptedExecutor(async (trial) => {
      trial.files(tmp.dir);
      trial.line('loss=9'); // stdout is not the File collector's source
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, 'loss=0.5\n');
      await sleep(30);
      // Written just before the program ends: the collector's finish reads it.
      appendFileSync(file, 'loss=0.25\n');
      return { outcome: 'completed', exitCode: 0 };
    });
    const { result, seen } = await run(executor, { collector: { kind: 'File' } });
    expect(result).toEqual({ outcome: 'completed', exitCode: 0 });
    expect(pairs(seen)).toEqual(['loss=0.5', 'loss=0.25']);
  });

  it('TensorFlowEvent: reads the event files under the announced folder at the end, with their steps', async () => {
    const executor = new ScriptedExecutor(async (trial) => {
      trial.files(tmp.dir);
      const dir = resolveTrialPath(tmp.dir, '/logs/tb');
      mkdirSync(dir, { recursive: true });
      writeEventFile(join(dir, 'events.out.tfevents.1.h'), [
        { wallTime: 1700000000, step: 100, values: [{ tag: 'loss', value: 0.5 }] },
        { wallTime: 1700000001, step: 200, values: [{ tag: 'loss', value: 0.25 }] },
      ]);
      return { outcome: 'completed', exitCode: 0 };
    });
    const { seen } = await run(executor, {
      collector: { kind: 'TensorFlowEvent' },
      source: { fileSystemPath: { kind: 'Directory', path: '/logs/tb' } },
    });
    expect(seen.map((l) => [l.name, l.value, l.step])).toEqual([
      ['loss', '0.5', 100],
      ['loss', '0.25', 200],
    ]);
  });

  it('pushed metrics reach the controller as they are (steps kept), whatever the collector kind', async () => {
    const pushed: MetricLog[] = [
      { name: 'loss', value: '0.5', time: '2026-01-01T00:00:00Z', step: 3 },
      { name: 'genotype', value: 'conv3x3', time: '2026-01-01T00:00:01Z' },
    ];
    for (const spec of [undefined, { collector: { kind: 'Push' } }, { collector: { kind: 'Custom' } }] as const) {
      const executor = new ScriptedExecutor(async (trial) => {
        trial.metrics(pushed);
        trial.line('loss=7'); // a Custom collector has no local implementation: lines are not parsed
        return { outcome: 'completed' };
      });
      const { seen, result } = await run(executor, spec);
      expect(result).toEqual({ outcome: 'completed' });
      expect(seen.slice(0, 2)).toEqual(pushed);
      expect(pairs(seen.slice(2))).toEqual(spec === undefined ? ['loss=7'] : []);
    }
  });

  it('stop reaches the handle once, with the first reason, and the result is then stopped', async () => {
    const abort = new AbortController();
    const executor = new ScriptedExecutor(async (trial) => {
      trial.line('loss=0.9');
      await new Promise<void>((resolve) => trial.signal.addEventListener('abort', () => resolve()));
      return { outcome: 'stopped' };
    });
    const { result, seen } = await run(executor, undefined, {
      signal: abort.signal,
      // The controller's early-stopping check runs inside the metrics callback, as in LiveTrial.
      onMetrics: () => {
        abort.abort(earlyStop);
        abort.abort(killed);
      },
    });
    expect(result).toEqual({ outcome: 'stopped' });
    expect(executor.stops).toEqual([earlyStop]);
    expect(pairs(seen)).toEqual(['loss=0.9']);
  });

  it('a stop that came before the start reaches the trial before its body runs', async () => {
    const abort = new AbortController();
    abort.abort(killed);
    let sawStop: StopReason | undefined;
    const executor = new ScriptedExecutor(async (trial) => {
      sawStop = trial.signal.reason as StopReason;
      return trial.signal.aborted ? { outcome: 'stopped' } : { outcome: 'completed' };
    });
    expect((await run(executor, undefined, { signal: abort.signal })).result).toEqual({ outcome: 'stopped' });
    expect(sawStop).toEqual(killed);
    expect(executor.stops).toEqual([killed]);
  });

  it('a bad collector fails before the trial starts: nothing runs', async () => {
    const executor = new ScriptedExecutor(async () => ({ outcome: 'completed' }));
    await expect(
      run(executor, {
        collector: { kind: 'File' },
        source: {
          fileSystemPath: { kind: 'File', path: '/m.json', format: 'JSON' },
          filter: { metricsFormat: ['(x)'] },
        },
      }),
    ).rejects.toMatchObject({ code: ErrorCode.invalidSpec });
    expect(executor.starts).toBe(0);
  });

  it('a result that rejects (an executor bug) rejects runTrial, after the collector was finished', async () => {
    const executor = new ScriptedExecutor(async (trial) => {
      trial.files(tmp.dir);
      throw new Error('bug in the executor');
    });
    await expect(run(executor, { collector: { kind: 'File' } })).rejects.toThrow('bug in the executor');
  });
});

describe('startTrial', () => {
  it('keeps what a trial emitted before the listener subscribed and replays it in order', async () => {
    const handle = startTrial(async (trial) => {
      trial.files('/somewhere');
      trial.line('a');
      trial.metrics([{ name: 'loss', value: '1', time: '2026-01-01T00:00:00Z' }]);
      trial.line('b');
      return { outcome: 'completed' };
    });
    await handle.result;
    const events: string[] = [];
    handle.listen({
      line: (t) => events.push(`line ${t}`),
      overlongLine: () => events.push('overlong'),
      files: (d) => events.push(`files ${d}`),
      metrics: (logs) => events.push(`metrics ${logs.length}`),
    });
    expect(events).toEqual(['files /somewhere', 'line a', 'metrics 1', 'line b']);
    expect(() => handle.listen({ line() {}, overlongLine() {}, files() {}, metrics() {} })).toThrow(/one listener/);
  });

  it('runs the body only after start returned, and a body that throws gives a rejected result', async () => {
    let ran = false;
    const handle = startTrial(() => {
      ran = true;
      throw new Error('boom');
    });
    expect(ran).toBe(false);
    await expect(handle.result).rejects.toThrow('boom');
    expect(ran).toBe(true);
  });
});
