// LocalProcessExecutor under the handle contract, end to end: a real process's output and metrics file reach
// runTrial's collector, and a stop reaches the process group.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, WorkbenchError } from '../../src/common/errors.ts';
import { configOf } from '../../src/spec/config.ts';
import type { MetricsCollectorSpec } from '../../src/spec/types.ts';
import type { StopReason } from '../../src/trial/executor.ts';
import { LocalProcessExecutor } from '../../src/trial/localProcess.ts';
import { tempDir } from '../helpers.ts';
import { fakeContext, manifestFor } from '../training/local/helpers.ts';
import { runnable } from './runExecutor.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hpo-local-process-');
});
afterEach(() => tmp.cleanup());

const earlyStop: StopReason = { kind: 'EarlyStopped', reason: 'TrialEarlyStopped', message: 'Trial is early stopped' };

/** The executor of a one-container Job running `node -e script`, with `collector`, run through runTrial. */
function executor(script: string | undefined, collector?: MetricsCollectorSpec) {
  const container = {
    name: 'main',
    image: 'node:20',
    ...(script === undefined ? {} : { command: [process.execPath, '-e', script] }),
  };
  const trialSpec = { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [container] } } } };
  const manifest = manifestFor(trialSpec);
  const config = configOf(
    collector === undefined ? manifest : { ...manifest, spec: { ...manifest.spec, metricsCollectorSpec: collector } },
  );
  return runnable(new LocalProcessExecutor({ config }), config, { pollIntervalMs: 20 });
}

describe('LocalProcessExecutor through its handle', () => {
  it('a File collector with no path: the process writes Katib’s default file, made per trial, and it is collected', async () => {
    const script =
      "const fs=require('fs');const p='/var/log/katib/metrics.log';" +
      "fs.appendFileSync(p,'score=0.5\\n');console.log('score=9');fs.appendFileSync(p,'score=0.75 loss=0.1\\n');";
    const { ctx, reports } = fakeContext(tmp.dir);
    expect(await executor(script, { collector: { kind: 'File' } }).run(ctx)).toEqual({
      outcome: 'completed',
      exitCode: 0,
    });
    expect(reports.map((r) => `${r.name}=${r.value}`)).toEqual(['score=0.5', 'score=0.75', 'loss=0.1']);
    expect(existsSync(join(tmp.dir, 'fs', 'var', 'log', 'katib', 'metrics.log'))).toBe(true);
  });

  it('StdOut: a line over the limit is a metrics problem of the completed trial; the next line still counts', async () => {
    const script = "process.stdout.write('x'.repeat(1100000)+'\\nscore=0.5\\n')";
    const { ctx, reports } = fakeContext(tmp.dir);
    const result = await executor(script).run(ctx);
    expect(result).toMatchObject({ outcome: 'completed', exitCode: 0 });
    expect(result.outcome === 'completed' ? result.metricsProblems : undefined).toEqual([
      'a line of 1100000 bytes at byte offset 0 of stdout exceeded the 1 MiB line limit; metrics on it were not parsed',
    ]);
    expect(reports.map((r) => `${r.name}=${r.value}`)).toEqual(['score=0.5']);
  });

  it('a stop reaches the process: the trial ends stopped, long before its program would have', async () => {
    const script = "console.log('score=0.1');setTimeout(()=>console.log('score=0.9'),30000)";
    const { ctx, reports, abort } = fakeContext(tmp.dir);
    const exec = executor(script);
    const started = Date.now();
    const running = exec.run(ctx);
    while (reports.length === 0) await new Promise((r) => setTimeout(r, 10));
    abort.abort(earlyStop);
    expect(await running).toMatchObject({ outcome: 'stopped' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(reports.map((r) => r.value)).toEqual(['0.1']);
    expect(readFileSync(ctx.logPath, 'utf8')).toContain('score=0.1');
  });

  it('a container without a command fails the trial, saying why, and starts nothing', async () => {
    const { ctx } = fakeContext(tmp.dir);
    expect(await executor(undefined).run(ctx)).toEqual({
      outcome: 'failed',
      reason: 'TrialFailed',
      message:
        "container 'main' has no command: locally the image's entrypoint is unknown; set command in the trial template",
    });
    expect(existsSync(ctx.logPath)).toBe(false);
  });

  it('refuses, when built, a collector a local process cannot feed, naming the field', () => {
    for (const kind of ['Push', 'PrometheusMetric'] as const) {
      let error: unknown;
      try {
        executor('1', { collector: { kind } });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(WorkbenchError);
      const e = error as WorkbenchError;
      expect(e.code).toBe(ErrorCode.unsupported);
      expect(e.describe()).toContain('spec.metricsCollectorSpec.collector.kind');
      expect(e.describe()).toContain(kind);
    }
  });
});
