import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LineSplitter, readLines } from '../../src/metrics/lineReader.ts';
import type { OverlongLine } from '../../src/metrics/types.ts';

function split(
  chunks: (string | Buffer)[],
  maxLineChars?: number,
): { lines: string[]; overlong: OverlongLine[]; count: number } {
  const lines: string[] = [];
  const overlong: OverlongLine[] = [];
  const s = new LineSplitter({
    onLine: (l) => lines.push(l),
    onOverlong: (l) => overlong.push(l),
    ...(maxLineChars === undefined ? {} : { maxLineChars }),
  });
  for (const c of chunks) s.push(c);
  s.end();
  expect(s.overlongLines).toBe(overlong.length);
  return { lines, overlong, count: s.overlongLines };
}

describe('LineSplitter', () => {
  it.each([
    ['one chunk', ['a\nb\n'], ['a', 'b']],
    ['no trailing newline', ['a\nb'], ['a', 'b']],
    ['boundary inside a line', ['lo', 'ss=0.', '3\nacc=1\n'], ['loss=0.3', 'acc=1']],
    ['boundary right after a newline', ['a\n', 'b\n'], ['a', 'b']],
    ['CRLF', ['a\r\nb\r\n'], ['a', 'b']],
    ['CRLF split between chunks', ['a\r', '\nb'], ['a', 'b']],
    ['lone CR stays inside the line (progress bars)', ['1%\r50%\r100% loss=1\n'], ['1%\r50%\r100% loss=1']],
    ['empty lines are kept', ['\n\na\n'], ['', '', 'a']],
    ['empty input', [], []],
  ])('%s', (_what, chunks, expected) => {
    expect(split(chunks).lines).toEqual(expected);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('é€😀 loss=1\n', 'utf8');
    // Split inside every character: after 1 byte of é, 2 bytes of €, 3 bytes of 😀.
    const chunks = [bytes.subarray(0, 1), bytes.subarray(1, 4), bytes.subarray(4, 8), bytes.subarray(8)];
    expect(split(chunks).lines).toEqual(['é€😀 loss=1']);
  });

  it('skips over-long lines whole, reports their size and offset in bytes, and keeps the next line intact', () => {
    const long = 'x'.repeat(50);
    const r = split([long.slice(0, 7), long.slice(7, 30), `${long.slice(30)}\nshort\n`], 10);
    expect(r.lines).toEqual(['short']);
    expect(r.overlong).toEqual([{ bytes: 50, offset: 0 }]);
    const oneChunk = split([`ok\n${long}\n${long}`], 10);
    expect(oneChunk.lines).toEqual(['ok']);
    expect(oneChunk.overlong).toEqual([
      { bytes: 50, offset: 3 },
      { bytes: 50, offset: 54 },
    ]);
  });

  it('counts offsets in bytes across chunks and multi-byte characters', () => {
    const r = split(['é€\nab', 'cdef', 'gh\n😀'], 5);
    expect(r.lines).toEqual(['é€', '😀']);
    expect(r.overlong).toEqual([{ bytes: 8, offset: 6 }]);
  });

  it('a line exactly at the cap is kept', () => {
    expect(split(['abcd', 'e\n'], 5)).toEqual({ lines: ['abcde'], overlong: [], count: 0 });
  });

  it('gives the same lines however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 6 }),
        (text, cuts) => {
          const bytes = Buffer.from(text, 'utf8');
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(prev, p));
            prev = p;
          }
          expect(split(chunks).lines).toEqual(split([bytes]).lines);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('readLines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpo-readlines-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file of several chunks, including a last line without newline', async () => {
    const path = join(dir, 'log.txt');
    const lines = Array.from({ length: 20000 }, (_, i) => `line ${i} loss=${i / 10}`);
    writeFileSync(path, lines.join('\r\n'));
    const got: string[] = [];
    for await (const l of readLines(path)) got.push(l);
    expect(got).toEqual(lines);
  });
});
