import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../src/common/errors.ts';
import { collectorSpecFrom, createCollector, resolveTrialPath } from '../../src/metrics/collector.ts';
import type { MetricLog } from '../../src/metrics/types.ts';
import { writeEventFile } from '../fixtures/metrics/tfeventsWriter.ts';

const root = mkdtempSync(join(tmpdir(), 'hpo-collector-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const workDir = () => join(root, `trial-${n++}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('resolveTrialPath', () => {
  it.each([
    ['/var/log/katib/metrics.log', '/w/fs/var/log/katib/metrics.log'],
    ['/var/log/katib/tfevent/', '/w/fs/var/log/katib/tfevent/'],
    ['/../../etc/passwd', '/w/fs/etc/passwd'],
    ['out/metrics.log', '/w/out/metrics.log'],
    ['../../escape.log', '/w/escape.log'],
  ])('%s -> %s', (p, expected) => {
    expect(resolveTrialPath('/w', p)).toBe(expected);
  });

  it('is idempotent: a path already inside the work dir is kept', () => {
    const once = resolveTrialPath('/w', '/katib/mnist.log');
    expect(resolveTrialPath('/w', once)).toBe(once);
    expect(resolveTrialPath('/w/', once)).toBe(once);
    expect(resolveTrialPath('/w', '/wx/a.log')).toBe('/w/fs/wx/a.log');
  });
});

describe('collectorSpecFrom', () => {
  it('defaults to StdOut and flattens File settings', () => {
    expect(collectorSpecFrom(undefined)).toEqual({ kind: 'StdOut' });
    expect(
      collectorSpecFrom({
        collector: { kind: 'File' },
        source: { fileSystemPath: { path: '/katib/mnist.log', kind: 'File' }, filter: { metricsFormat: ['(a)(b)'] } },
      }),
    ).toEqual({ kind: 'File', path: '/katib/mnist.log', format: 'TEXT', filters: ['(a)(b)'] });
  });

  it('rejects kinds with no local implementation', () => {
    expect(() => collectorSpecFrom({ collector: { kind: 'PrometheusMetric' } })).toThrow(WorkbenchError);
  });
});

describe('StdOut collector', () => {
  it('parses lines, batches them to subscribers, and summarises', async () => {
    const c = createCollector({ kind: 'StdOut' }, ['loss', 'accuracy']);
    const batches: (readonly MetricLog[])[] = [];
    c.onLog((b) => batches.push(b));
    c.start(workDir());
    c.onStdoutLine('epoch 1 loss=0.5 accuracy=0.7');
    c.onStdoutLine('just noise');
    c.onStdoutLine('epoch 2 loss=0.3 accuracy=0.8');
    await Promise.resolve();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(4);
    await c.finish();
    expect(c.summary()).toEqual([
      { name: 'loss', min: 0.3, max: 0.5, latest: '0.3' },
      { name: 'accuracy', min: 0.7, max: 0.8, latest: '0.8' },
    ]);
  });

  it('uses custom filters and rejects invalid ones up front', () => {
    const c = createCollector({ kind: 'StdOut', filters: ['(\\w+):\\s(\\d+)'] }, ['acc']);
    c.onStdoutLine('acc: 9');
    expect(c.summary()[0]?.latest).toBe('9');
    expect(() => createCollector({ kind: 'StdOut', filters: ['(x'] }, ['acc'])).toThrow(WorkbenchError);
  });

  it('ignores stdout for other kinds', () => {
    const c = createCollector({ kind: 'Push' }, ['loss']);
    c.onStdoutLine('loss=1');
    expect(c.summary()).toEqual([{ name: 'loss' }]);
  });
});

describe('File collector', () => {
  it('tails the rewritten Katib path while the trial writes, and drains on finish', async () => {
    const wd = workDir();
    const c = createCollector({ kind: 'File', path: '/katib/mnist.log', format: 'TEXT' }, ['loss'], {
      pollIntervalMs: 20,
    });
    const seen: MetricLog[] = [];
    c.onLog((b) => seen.push(...b));
    c.start(wd);
    expect(c.resolvedPath).toBe(join(wd, 'fs', 'katib', 'mnist.log'));
    writeFileSync(c.resolvedPath!, 'loss=0.9\n');
    for (let i = 0; i < 100 && seen.length === 0; i++) await sleep(10);
    expect(seen).toEqual([{ name: 'loss', value: '0.9' }]); // streamed before the trial ended
    appendFileSync(c.resolvedPath!, 'loss=0.4\nloss=0.6');
    await c.finish();
    expect(seen.map((l) => l.value)).toEqual(['0.9', '0.4', '0.6']);
    expect(c.summary()).toEqual([{ name: 'loss', min: 0.4, max: 0.9, latest: '0.6' }]);
  });

  it('skips a metrics-file line over the 1 MiB limit whole and says where it was', async () => {
    const wd = workDir();
    const c = createCollector({ kind: 'File', path: '/katib/long.log', format: 'TEXT' }, ['loss'], {
      pollIntervalMs: 20,
    });
    c.start(wd);
    writeFileSync(c.resolvedPath!, `loss=0.5\nloss=0.${'1'.repeat(1_200_000)}\nloss=0.7\n`);
    await c.finish();
    expect(c.summary()).toEqual([{ name: 'loss', min: 0.5, max: 0.7, latest: '0.7' }]);
    expect(c.problems).toEqual([
      `a line of 1200007 bytes at byte offset 9 of ${c.resolvedPath} exceeded the 1 MiB line limit; metrics on it were not parsed`,
    ]);
  });

  it('reports over-long stdout lines of a StdOut collector, only the first few one by one', async () => {
    const c = createCollector({ kind: 'StdOut' }, ['loss']);
    for (let i = 0; i < 5; i++) c.onStdoutOverlong({ bytes: 2_000_000, offset: i * 2_000_001 }, 'stdout');
    await c.finish();
    expect(c.problems).toHaveLength(4);
    expect(c.problems[1]).toBe(
      'a line of 2000000 bytes at byte offset 2000001 of stdout exceeded the 1 MiB line limit; metrics on it were not parsed',
    );
    expect(c.problems[3]).toBe('2 more lines exceeded the line limit');
  });

  it('reads JSON files and warns about lines that are not JSON', async () => {
    const wd = workDir();
    const c = createCollector({ kind: 'File', path: '/katib/mnist.json', format: 'JSON' }, ['loss']);
    c.start(wd);
    writeFileSync(c.resolvedPath!, '{"loss": "0.2", "timestamp": 1638422847.5}\nnot json\n{"loss": 0.1}\n');
    await c.finish();
    expect(c.summary()).toEqual([{ name: 'loss', min: 0.1, max: 0.2, latest: '0.2' }]);
    expect(c.warnings.join()).toMatch(/1 lines .* not JSON/);
  });

  it('rejects filters with JSON like Katib', () => {
    expect(() => createCollector({ kind: 'File', format: 'JSON', filters: ['(a)(b)'] }, ['x'])).toThrow(/json/);
  });
});

describe('TensorFlowEvent collector', () => {
  it('reads the event directory at finish', async () => {
    const wd = workDir();
    const c = createCollector({ kind: 'TensorFlowEvent', path: '/mnist-with-summaries-logs/test' }, ['accuracy']);
    c.start(wd);
    writeEventFile(join(c.resolvedPath!, 'events.out.tfevents.1.h'), [
      { wallTime: 1700000000, step: 100, values: [{ tag: 'accuracy', value: 0.5 }] },
      { wallTime: 1700000001, step: 200, values: [{ tag: 'accuracy', value: 0.25 }] },
    ]);
    const seen: MetricLog[] = [];
    c.onLog((b) => seen.push(...b));
    await c.finish();
    // The events' own steps travel with the values (step is not "the n-th report").
    expect(seen.map((l) => l.step)).toEqual([100, 200]);
    expect(c.summary()).toEqual([{ name: 'accuracy', min: 0.25, max: 0.5, latest: '0.25' }]);
  });
});

describe('Push collector', () => {
  it('records pushed metrics synchronously with the clock time, and an explicit time when given', () => {
    const c = createCollector({ kind: 'Push' }, ['loss'], { now: () => new Date('2024-01-01T00:00:00.250Z') });
    const seen: MetricLog[] = [];
    c.onLog((b) => seen.push(...b));
    c.push({ loss: 0.5, accuracy: '0.9' });
    expect(seen).toEqual([
      { name: 'loss', value: '0.5', time: '2024-01-01T00:00:00.25Z' },
      { name: 'accuracy', value: '0.9', time: '2024-01-01T00:00:00.25Z' },
    ]);
    c.push({ loss: 0.7 }, '2023-01-01T00:00:00Z');
    // The older explicit time does not replace latest.
    expect(c.summary()).toEqual([{ name: 'loss', min: 0.5, max: 0.7, latest: '0.5' }]);
  });

  it('unsubscribe stops delivery', () => {
    const c = createCollector({ kind: 'Push' }, ['loss']);
    let count = 0;
    const off = c.onLog(() => count++);
    c.push({ loss: 1 });
    off();
    c.push({ loss: 2 });
    expect(count).toBe(1);
  });
});
