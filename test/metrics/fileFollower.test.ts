import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileFollower } from '../../src/metrics/lineReader.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await sleep(10);
  }
}

describe('FileFollower', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpo-follow-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('emits lines as a writer appends them, waits for the file to appear, and drains the rest on stop', async () => {
    const path = join(dir, 'metrics.log');
    const lines: string[] = [];
    const f = new FileFollower(path, { onLine: (l) => lines.push(l), intervalMs: 20 });
    f.start();
    await sleep(50); // file does not exist yet: no error, no lines
    expect(lines).toEqual([]);
    writeFileSync(path, 'epoch 1 loss=0.9\n');
    await waitFor(() => lines.length === 1);
    appendFileSync(path, 'epoch 2 lo');
    await sleep(60);
    expect(lines).toEqual(['epoch 1 loss=0.9']); // half a line is not emitted yet
    appendFileSync(path, 'ss=0.5\nepoch 3 loss=0.4');
    await waitFor(() => lines.length === 2);
    expect(lines[1]).toBe('epoch 2 loss=0.5');
    await f.stop();
    expect(lines).toEqual(['epoch 1 loss=0.9', 'epoch 2 loss=0.5', 'epoch 3 loss=0.4']);
    expect(f.bytesRead).toBe(Buffer.byteLength('epoch 1 loss=0.9\nepoch 2 loss=0.5\nepoch 3 loss=0.4'));
  });

  it('stop() reads everything written just before it, without waiting for a poll', async () => {
    const path = join(dir, 'fast.log');
    writeFileSync(path, '');
    const lines: string[] = [];
    const f = new FileFollower(path, { onLine: (l) => lines.push(l), intervalMs: 10_000 });
    f.start();
    await sleep(20);
    appendFileSync(path, Array.from({ length: 5000 }, (_, i) => `step ${i}`).join('\n'));
    await f.stop();
    expect(lines).toHaveLength(5000);
    expect(lines.at(-1)).toBe('step 4999');
  });

  it('starts over when the file is truncated and rewritten', async () => {
    const path = join(dir, 'rewritten.log');
    writeFileSync(path, 'first run line one\nfirst run line two\n');
    const lines: string[] = [];
    const f = new FileFollower(path, { onLine: (l) => lines.push(l), intervalMs: 20 });
    f.start();
    await waitFor(() => lines.length === 2);
    writeFileSync(path, 'again\n');
    await waitFor(() => lines.length === 3);
    await f.stop();
    expect(lines[2]).toBe('again');
  });

  it('stop() on a file that never appeared finishes quietly', async () => {
    const errors: unknown[] = [];
    const f = new FileFollower(join(dir, 'never.log'), { onLine: () => {}, onError: (e) => errors.push(e) });
    f.start();
    await f.stop();
    expect(errors).toEqual([]);
  });
});
