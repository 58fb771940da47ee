import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c } from '../../src/metrics/crc32c.ts';
import { decodeEvent, formatFloat32, readTfEventsDir, readTfEventsFile } from '../../src/metrics/tfevents.ts';
import { encodeEvent, eventFileBytes, type FixtureEvent, writeEventFile } from '../fixtures/metrics/tfeventsWriter.ts';

const dir = mkdtempSync(join(tmpdir(), 'hpo-tfevents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crc32c', () => {
  it.each([
    ['123456789', Buffer.from('123456789'), 0xe3069283],
    ['32 zero bytes (RFC 3720)', Buffer.alloc(32), 0x8a9136aa],
    ['32 0xff bytes (RFC 3720)', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['0..31 (RFC 3720)', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['empty', Buffer.alloc(0), 0],
  ])('%s', (_what, data, crc) => {
    expect(crc32c(data)).toBe(crc);
  });

  it('masks as TFRecord does: rotate right 15, add 0xa282ead8', () => {
    const c = 0xe3069283;
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe((((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0);
  });
});

describe('decodeEvent', () => {
  it.each([
    ['simple_value', { kind: 'simple' }, true],
    ['float tensor, packed float_val', { kind: 'tensor', dtype: 'float', layout: 'packed' }, true],
    ['float tensor, unpacked float_val', { kind: 'tensor', dtype: 'float', layout: 'unpacked' }, true],
    ['float tensor, tensor_content', { kind: 'tensor', dtype: 'float', layout: 'content' }, true],
    ['double tensor, packed double_val', { kind: 'tensor', dtype: 'double', layout: 'packed' }, false],
    ['double tensor, unpacked double_val', { kind: 'tensor', dtype: 'double', layout: 'unpacked' }, false],
    [
      'double tensor, tensor_content, shape [1]',
      { kind: 'tensor', dtype: 'double', layout: 'content', shape: [1] },
      false,
    ],
  ] as const)('%s', (_what, encoding, float32) => {
    const data = encodeEvent({
      wallTime: 1700000000.25,
      step: 42,
      values: [{ tag: 'accuracy', value: 0.1, encoding }],
    });
    const [s] = decodeEvent(data);
    expect(s).toMatchObject({ tag: 'accuracy', step: 42, wallTime: 1700000000.25, float32 });
    expect(s?.value).toBe(float32 ? Math.fround(0.1) : 0.1);
  });

  it('skips non-scalar tensors and events without summaries; decodes negative int64 steps', () => {
    const vector = encodeEvent({
      wallTime: 1,
      step: -3n,
      values: [{ tag: 'v', value: 1, encoding: { kind: 'tensor', dtype: 'float', layout: 'content', shape: [2] } }],
    });
    expect(decodeEvent(vector)).toEqual([]);
    expect(decodeEvent(encodeEvent({ wallTime: 1, step: 0, fileVersion: 'brain.Event:2' }))).toEqual([]);
    const neg = encodeEvent({ wallTime: 1, step: -3n, values: [{ tag: 't', value: 2 }] });
    expect(decodeEvent(neg)[0]?.step).toBe(-3);
  });

  it('formats float32 values the way numpy prints them', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(0.98765))).toBe('0.98765');
    expect(formatFloat32(Math.fround(1e-7))).toBe('1e-7');
  });
});

const events: FixtureEvent[] = [
  {
    wallTime: 1700000000,
    step: 1,
    values: [
      { tag: 'accuracy', value: 0.5 },
      { tag: 'loss', value: 2 },
    ],
  },
  {
    wallTime: 1700000001.5,
    step: 2,
    values: [{ tag: 'accuracy', value: 0.75, encoding: { kind: 'tensor', dtype: 'float', layout: 'content' } }],
  },
];

describe('readTfEventsFile', () => {
  it('reads back what the writer wrote', async () => {
    const path = join(dir, 'events.out.tfevents.1.host');
    writeEventFile(path, events);
    const warnings: string[] = [];
    const got = await readTfEventsFile(path, (w) => warnings.push(w));
    expect(got.map((s) => [s.tag, s.step, s.value])).toEqual([
      ['accuracy', 1, 0.5],
      ['loss', 1, 2],
      ['accuracy', 2, 0.75],
    ]);
    expect(warnings).toEqual([]);
  });

  it('stops at a flipped byte with a CRC warning, keeping the records before it', async () => {
    const bytes = eventFileBytes(events);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0x01; // inside the last record's data
    const path = join(dir, 'events.out.tfevents.2.flipped');
    writeFileSync(path, bytes);
    const warnings: string[] = [];
    const got = await readTfEventsFile(path, (w) => warnings.push(w));
    expect(got.map((s) => s.step)).toEqual([1, 1]);
    expect(warnings.join()).toMatch(/data CRC mismatch/);
  });

  it('stops at a corrupted length with a warning instead of allocating', async () => {
    const bytes = eventFileBytes(events);
    bytes[3] = 0x7f; // the first record's length
    const path = join(dir, 'events.out.tfevents.3.length');
    writeFileSync(path, bytes);
    const warnings: string[] = [];
    expect(await readTfEventsFile(path, (w) => warnings.push(w))).toEqual([]);
    expect(warnings.join()).toMatch(/length CRC mismatch/);
  });

  it.each([5, 14, 30])('handles a file cut %d bytes into its last record (still being written)', async (keep) => {
    const full = eventFileBytes(events);
    const lastLength = eventFileBytes([events[1]!]).length - eventFileBytes([]).length;
    const path = join(dir, `events.out.tfevents.4.cut${keep}`);
    writeFileSync(path, full.subarray(0, full.length - lastLength + keep));
    const warnings: string[] = [];
    const got = await readTfEventsFile(path, (w) => warnings.push(w));
    expect(got.map((s) => s.step)).toEqual([1, 1]);
    expect(warnings.join()).toMatch(/truncated/);
  });
});

describe('readTfEventsDir (Katib matching)', () => {
  it('matches tags by prefix of the metric’s last component, and directories by the metric’s directory', async () => {
    const root = join(dir, 'logs');
    mkdirSync(join(root, 'train'), { recursive: true });
    mkdirSync(join(root, 'test'), { recursive: true });
    writeEventFile(join(root, 'train', 'events.out.tfevents.1.a'), [
      { wallTime: 1700000000, step: 10, values: [{ tag: 'accuracy', value: 0.25 }] },
    ]);
    writeEventFile(join(root, 'test', 'events.out.tfevents.1.b'), [
      {
        wallTime: 1700000002.5,
        step: 20,
        values: [
          { tag: 'accuracy_1', value: 0.5 },
          { tag: 'loss', value: 1 },
        ],
      },
    ]);
    writeFileSync(join(root, 'test', 'not-an-event-file'), 'junk');
    const logs = await readTfEventsDir(root, ['test/accuracy', 'accuracy', 'loss']);
    expect(logs).toEqual([
      { name: 'test/accuracy', value: '0.5', step: 20, time: '2023-11-14T22:13:22.5Z' },
      { name: 'accuracy', value: '0.5', step: 20, time: '2023-11-14T22:13:22.5Z' },
      { name: 'loss', value: '1', step: 20, time: '2023-11-14T22:13:22.5Z' },
      { name: 'accuracy', value: '0.25', step: 10, time: '2023-11-14T22:13:20Z' },
    ]);
  });

  it('returns nothing and warns when the directory does not exist', async () => {
    const warnings: string[] = [];
    expect(await readTfEventsDir(join(dir, 'missing'), ['x'], { onWarning: (w) => warnings.push(w) })).toEqual([]);
    expect(warnings).toHaveLength(1);
  });
});
