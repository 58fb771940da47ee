import { describe, expect, it } from 'vitest';
import {
  compareTimeKeys,
  epochSecondsToKey,
  formatTimeKey,
  normalizeRfc3339,
  parseRfc3339,
  zeroTimeKey,
} from '../../src/metrics/timestamp.ts';

describe('parseRfc3339 / normalizeRfc3339', () => {
  it.each([
    ['2024-03-04T17:55:08Z', '2024-03-04T17:55:08Z'],
    ['2024-03-04T17:55:08.000Z', '2024-03-04T17:55:08Z'],
    ['2024-03-04T17:55:08.1Z', '2024-03-04T17:55:08.1Z'],
    ['2024-03-04T17:55:08.123456789Z', '2024-03-04T17:55:08.123456789Z'],
    ['2024-03-04T01:00:00+02:00', '2024-03-03T23:00:00Z'],
    ['2024-12-31T23:30:00-01:00', '2025-01-01T00:30:00Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    ['1969-12-31T23:59:59.5Z', '1969-12-31T23:59:59.5Z'],
  ])('%s -> %s', (text, canonical) => {
    expect(normalizeRfc3339(text)).toBe(canonical);
  });

  it('agrees with Date for millisecond times', () => {
    const key = parseRfc3339('2021-12-02T05:27:27.287Z')!;
    expect(key.sec * 1000 + key.nanos / 1e6).toBe(Date.parse('2021-12-02T05:27:27.287Z'));
  });

  it.each([
    '2024-03-04 17:55:08Z',
    '2024-03-04T17:55:08',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-03-04T24:00:00Z',
    '2024-03-04T17:55:60Z',
    '2024-03-04T17:55:08.Z',
    '2024-03-04T17:55:08.1234567890Z',
    '2024-03-04T17:55:08z',
    '2024-03-04T17:55:08+0200',
    'not a time at all!!!!',
  ])('rejects %s', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});

describe('epochSecondsToKey', () => {
  it('keeps the real fraction (not Katib’s nanosecond quirk)', () => {
    expect(formatTimeKey(epochSecondsToKey(1638422847.28721)!)).toBe('2021-12-02T05:27:27.28721Z');
  });

  it.each([
    [0, '1970-01-01T00:00:00Z'],
    [1638422847, '2021-12-02T05:27:27Z'],
    [1.5, '1970-01-01T00:00:01.5Z'],
    [-0.25, '1969-12-31T23:59:59.75Z'],
    [1e-7, '1970-01-01T00:00:00.0000001Z'],
  ])('%d -> %s', (seconds, text) => {
    expect(formatTimeKey(epochSecondsToKey(seconds)!)).toBe(text);
  });

  it('rejects non-finite numbers', () => {
    expect(epochSecondsToKey(Number.NaN)).toBeUndefined();
  });
});

describe('compareTimeKeys', () => {
  it('orders by seconds then nanoseconds, with the zero time first', () => {
    const a = parseRfc3339('2024-01-01T00:00:00.1Z')!;
    const b = parseRfc3339('2024-01-01T00:00:00.2Z')!;
    const c = parseRfc3339('2024-01-01T02:00:00.15+02:00')!;
    expect(compareTimeKeys(a, b)).toBeLessThan(0);
    expect(compareTimeKeys(c, a)).toBeGreaterThan(0);
    expect(compareTimeKeys(c, b)).toBeLessThan(0);
    expect(compareTimeKeys(zeroTimeKey, a)).toBeLessThan(0);
  });
});
