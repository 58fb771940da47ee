import { describe, expect, it } from 'vitest';
import { JsonMetricParser } from '../../src/metrics/jsonParser.ts';

describe('JsonMetricParser', () => {
  const names = ['loss', 'accuracy'];

  it.each([
    [
      'string values (Katib)',
      '{"loss": "0.1414", "accuracy": "0.9"}',
      [
        { name: 'loss', value: '0.1414' },
        { name: 'accuracy', value: '0.9' },
      ],
    ],
    [
      'number values (our extension)',
      '{"loss": 0.25, "accuracy": 1e-3}',
      [
        { name: 'loss', value: '0.25' },
        { name: 'accuracy', value: '0.001' },
      ],
    ],
    [
      'epoch-seconds timestamp',
      '{"global_step": "1", "loss": "0.1414", "timestamp": 1638422847.28721, "trial": "0"}',
      [{ name: 'loss', value: '0.1414', time: '2021-12-02T05:27:27.28721Z' }],
    ],
    [
      'RFC3339 timestamp',
      '{"loss": "0.5", "timestamp": "2021-12-02T05:27:27.5+01:00"}',
      [{ name: 'loss', value: '0.5', time: '2021-12-02T04:27:27.5Z' }],
    ],
    ['unparsable timestamp means none', '{"loss": "0.5", "timestamp": "yesterday"}', [{ name: 'loss', value: '0.5' }]],
    ['other value types and empty strings are ignored', '{"loss": true, "accuracy": ""}', []],
    ['keys that are not metrics are ignored', '{"lr": "0.1"}', []],
  ])('%s', (_what, line, expected) => {
    expect(new JsonMetricParser({ metricNames: names }).parseLine(line)).toEqual(expected);
  });

  it('skips and counts lines that are not JSON objects, but not blank lines', () => {
    const p = new JsonMetricParser({ metricNames: names });
    for (const line of ['Epoch 1 starting', '[1, 2]', 'null', '', '   ', '{"loss": "1"}']) p.parseLine(line);
    expect(p.skippedLines).toBe(3);
  });

  it('does not read inherited properties as metrics', () => {
    expect(new JsonMetricParser({ metricNames: ['toString'] }).parseLine('{}')).toEqual([]);
  });
});
