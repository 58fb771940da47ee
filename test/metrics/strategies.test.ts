import { describe, expect, it } from 'vitest';
import {
  defaultStrategies,
  MetricAccumulator,
  objectiveValue,
  parseMetricNumber,
  summarize,
} from '../../src/metrics/strategies.ts';
import type { MetricLog } from '../../src/metrics/types.ts';

describe('summarize (Katib getMetrics)', () => {
  it('takes min/max over numeric values and latest as the last line without timestamps', () => {
    const logs: MetricLog[] = [
      { name: 'loss', value: '0.5' },
      { name: 'loss', value: '0.2' },
      { name: 'loss', value: 'nan' },
      { name: 'loss', value: '0.3' },
    ];
    expect(summarize(logs, ['loss'])).toEqual([{ name: 'loss', min: 0.2, max: 0.5, latest: '0.3' }]);
  });

  it('uses the greatest timestamp for latest, whatever the order of the logs', () => {
    const logs: MetricLog[] = [
      { name: 'acc', value: '0.9', time: '2024-01-01T00:00:02Z' },
      { name: 'acc', value: '0.7', time: '2024-01-01T00:00:01.999999999Z' },
    ];
    expect(summarize(logs, ['acc'])[0]?.latest).toBe('0.9');
  });

  it('on equal timestamps the later log wins', () => {
    const logs: MetricLog[] = [
      { name: 'acc', value: '0.9', time: '2024-01-01T00:00:02Z' },
      { name: 'acc', value: '0.8', time: '2024-01-01T01:00:02+01:00' },
    ];
    expect(summarize(logs, ['acc'])[0]?.latest).toBe('0.8');
  });

  it('a timestamped log beats later logs without one (they are at the zero time)', () => {
    const logs: MetricLog[] = [
      { name: 'acc', value: '0.9', time: '2024-01-01T00:00:02Z' },
      { name: 'acc', value: '0.1' },
    ];
    expect(summarize(logs, ['acc'])[0]?.latest).toBe('0.9');
  });

  it('reports a metric never seen as unavailable and ignores unknown names; keeps the order of names', () => {
    const logs: MetricLog[] = [
      { name: 'other', value: '1' },
      { name: 'b', value: '2' },
    ];
    expect(summarize(logs, ['a', 'b'])).toEqual([{ name: 'a' }, { name: 'b', min: 2, max: 2, latest: '2' }]);
  });

  it('keeps latest for non-numeric metrics without min/max', () => {
    expect(summarize([{ name: 'g', value: 'Genotype(x)' }], ['g'])).toEqual([{ name: 'g', latest: 'Genotype(x)' }]);
  });

  it('is incremental: the accumulator summary equals the batch summary at every point', () => {
    const acc = new MetricAccumulator(['x']);
    const seen: MetricLog[] = [];
    for (const v of ['3', '1', '4', '1', '5']) {
      const log = { name: 'x', value: v };
      acc.add(log);
      seen.push(log);
      expect(acc.summary()).toEqual(summarize(seen, ['x']));
    }
  });
});

describe('parseMetricNumber', () => {
  it.each([
    ['1', 1],
    ['-0.5', -0.5],
    ['+.5', 0.5],
    ['1.', 1],
    ['7.53e-05', 7.53e-5],
    ['1E0', 1],
  ])('%s -> %d', (text, n) => {
    expect(parseMetricNumber(text)).toBe(n);
  });

  it.each(['', ' 1', '1 ', '0x10', 'inf', 'NaN', '.', '1e', 'e5', '1e400', '1,5', 'unavailable'])(
    'rejects %j',
    (text) => {
      expect(parseMetricNumber(text)).toBeUndefined();
    },
  );
});

describe('defaultStrategies (REFERENCE §1.2)', () => {
  it('gives the objective and each additional metric min for minimize', () => {
    expect(
      defaultStrategies({ type: 'minimize', objectiveMetricName: 'loss', additionalMetricNames: ['acc'] }),
    ).toEqual([
      { name: 'loss', value: 'min' },
      { name: 'acc', value: 'min' },
    ]);
  });

  it('keeps given strategies and fills the rest with max for maximize', () => {
    expect(
      defaultStrategies({
        type: 'maximize',
        objectiveMetricName: 'accuracy',
        additionalMetricNames: ['loss', 'f1'],
        metricStrategies: [{ name: 'loss', value: 'min' }],
      }),
    ).toEqual([
      { name: 'loss', value: 'min' },
      { name: 'accuracy', value: 'max' },
      { name: 'f1', value: 'max' },
    ]);
  });
});

describe('objectiveValue', () => {
  const s = { name: 'loss', min: 0.1, max: 0.9, latest: '0.5' };
  it.each([
    ['min', 0.1],
    ['max', 0.9],
    ['latest', 0.5],
  ] as const)('%s', (strategy, v) => {
    expect(objectiveValue(s, strategy)).toBe(v);
  });

  it('falls back to latest when min/max are unavailable, and is undefined when nothing is numeric', () => {
    expect(objectiveValue({ name: 'x', latest: '2' }, 'min')).toBe(2);
    expect(objectiveValue({ name: 'x', latest: 'Genotype' }, 'max')).toBeUndefined();
    expect(objectiveValue({ name: 'x' }, 'latest')).toBeUndefined();
    expect(objectiveValue(undefined, 'latest')).toBeUndefined();
  });
});
