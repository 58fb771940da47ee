import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../src/common/errors.ts';
import { defaultMetricFilter, TextMetricParser, validateFilter } from '../../src/metrics/textParser.ts';

const parse = (line: string, metricNames: string[], filters?: string[]) =>
  new TextMetricParser(filters === undefined ? { metricNames } : { metricNames, filters }).parseLine(line);

describe('TextMetricParser with the default filter', () => {
  it.each([
    ['loss=0.3', 'loss', '0.3'],
    ['accuracy=.98', 'accuracy', '.98'],
    ['Score=-7.53e-05', 'Score', '-7.53e-05'],
    ['Score=1E0', 'Score', '1E0'],
    ['epoch 3: loss = 0.25', 'loss', '0.25'],
    ['val-loss=+4', 'val-loss', '+4'],
    ['Validation-accuracy=0.9821', 'Validation-accuracy', '0.9821'],
  ])('%s -> %s=%s', (line, name, value) => {
    expect(parse(line, [name])).toEqual([{ name, value }]);
  });

  it('finds every metric of a line, in order, and ignores names that are not metrics', () => {
    expect(parse('epoch=3 loss=0.5 accuracy=0.8 lr=0.01', ['loss', 'accuracy'])).toEqual([
      { name: 'loss', value: '0.5' },
      { name: 'accuracy', value: '0.8' },
    ]);
  });

  it('skips lines that mention no metric name, even if they have name=value pairs', () => {
    expect(parse('lr=0.01 momentum=0.9', ['loss'])).toEqual([]);
  });

  it('requires group 1 to equal the metric name exactly (a substring is not enough)', () => {
    expect(parse('train_loss=0.4', ['loss'])).toEqual([]);
    expect(parse('loss_avg=0.4 loss=0.2', ['loss'])).toEqual([{ name: 'loss', value: '0.2' }]);
  });

  it('skips empty values (a bare `loss=`)', () => {
    expect(parse('loss= nan accuracy=1', ['loss', 'accuracy'])).toEqual([{ name: 'accuracy', value: '1' }]);
  });

  it.each([
    ['2024-03-04T17:55:08Z INFO loss=0.3', '2024-03-04T17:55:08Z'],
    ['2024-03-04T17:55:08.123456789Z loss=0.3', '2024-03-04T17:55:08.123456789Z'],
    ['2024-03-04T17:55:08.500+02:00 loss=0.3', '2024-03-04T15:55:08.5Z'],
    ['2024-03-04T17:55:08.120Z loss=0.3', '2024-03-04T17:55:08.12Z'],
  ])('takes an RFC3339 first token as the time: %s', (line, time) => {
    expect(parse(line, ['loss'])).toEqual([{ name: 'loss', value: '0.3', time }]);
  });

  it.each([
    ['2024-03-04 17:55:08 loss=0.3'],
    ['[2024-03-04T17:55:08Z] loss=0.3'],
    ['2024-02-30T17:55:08Z loss=0.3'],
    ['loss=0.3'],
  ])('has no time when the first token is not RFC3339: %s', (line) => {
    expect(parse(line, ['loss'])).toEqual([{ name: 'loss', value: '0.3' }]);
  });

  it('splits the timestamp off at a space only, like Katib (a tab does not count)', () => {
    expect(parse('2024-03-04T17:55:08Z\tloss=0.3', ['loss'])).toEqual([{ name: 'loss', value: '0.3' }]);
  });
});

describe('TextMetricParser with Katib example filters', () => {
  it('file-metrics-collector: {metricName: ..., metricValue: ...}', () => {
    const filter = '{metricName: ([\\w|-]+), metricValue: ((-?\\d+)(\\.\\d+)?)}';
    const line =
      '2024-01-01T00:00:00Z {metricName: accuracy, metricValue: 0.9712};{metricName: loss, metricValue: 0.1}';
    expect(parse(line, ['accuracy', 'loss'], [filter])).toEqual([
      { name: 'accuracy', value: '0.9712', time: '2024-01-01T00:00:00Z' },
      { name: 'loss', value: '0.1', time: '2024-01-01T00:00:00Z' },
    ]);
  });

  it('xgboostjob-lightgbm: metric names with a space', () => {
    const filter = '(\\w+\\s\\w+)\\s:\\s((-?\\d+)(\\.\\d+)?)';
    expect(parse('[20] valid_1 auc : 0.9 valid_1 binary_logloss : 0.25', ['valid_1 auc'], [filter])).toEqual([
      { name: 'valid_1 auc', value: '0.9' },
    ]);
  });

  it('darts: non-numeric values are kept as text', () => {
    const filter = '([\\w-]+)=(Genotype.*)';
    expect(parse('Best-Genotype=Genotype(normal=[[(a, 0)]])', ['Best-Genotype'], [filter])).toEqual([
      { name: 'Best-Genotype', value: 'Genotype(normal=[[(a, 0)]])' },
    ]);
  });

  it('applies every filter to the line, filter by filter', () => {
    const filters = ['(loss):(\\S+)', '(acc) is (\\S+)'];
    expect(parse('acc is 0.7 loss:0.2', ['loss', 'acc'], filters)).toEqual([
      { name: 'loss', value: '0.2' },
      { name: 'acc', value: '0.7' },
    ]);
  });

  it('trims group 1 and group 2 (Katib TrimSpace)', () => {
    expect(parse('loss : 0.5 ;', ['loss'], ['([a-z ]+):([ 0-9.]+)'])).toEqual([{ name: 'loss', value: '0.5' }]);
  });

  it('rejects an invalid filter with an invalidSpec error naming the filter', () => {
    expect(() => parse('x', ['x'], ['(a)(b'])).toThrow(WorkbenchError);
    expect(() => parse('x', ['x'], ['(a)(b'])).toThrow(/metricsFormat|filter 0/);
  });
});

describe('validateFilter (Katib webhook rule 49)', () => {
  it.each([
    [defaultMetricFilter],
    ['{metricName: ([\\w|-]+), metricValue: ((-?\\d+)(\\.\\d+)?)}'],
    ['(\\w+\\s\\w+)\\s:\\s((-?\\d+)(\\.\\d+)?)'],
    ['([\\w-]+)=(Genotype.*)'],
    ['(?P<name>\\w+)=(?P<value>[0-9.]+)'],
    ['(?i)(LOSS)=([0-9.]+)'],
  ])('accepts %s', (re) => {
    expect(validateFilter(re)).toBeUndefined();
  });

  it.each([
    ['(\\w+)=([0-9.]+', 'invalid filter'],
    ['(\\w+)=(\\1)', 'invalid filter'],
    ['(?=x)(\\w+)=(\\d)', 'invalid filter'],
    ['(\\w+)=\\d+', 'two top subexpressions are required'],
    ['\\w+=\\d+', 'two top subexpressions are required'],
    ['(?:\\w+)=(?:\\d+)', 'two top subexpressions are required'],
  ])('rejects %s', (re, message) => {
    expect(validateFilter(re)).toMatch(message);
  });
});
