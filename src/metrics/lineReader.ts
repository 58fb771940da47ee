import { createReadStream } from 'node:fs';
import { LineSplitter } from './lineSplitter.ts';

export { FileFollower, type FileFollowerOptions } from './fileFollower.ts';
export { defaultMaxLineChars, LineSplitter, type LineSplitterOptions } from './lineSplitter.ts';

/**
 * Reads a file line by line in 64 KiB chunks, never holding more than one chunk and one partial line.
 * The last line is yielded even without a trailing newline. Used to parse finished metrics files.
 */
export async function* readLines(path: string, options: { maxLineChars?: number } = {}): AsyncGenerator<string> {
  let batch: string[] = [];
  const splitter = new LineSplitter({ ...options, onLine: (line) => batch.push(line) });
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    splitter.push(chunk as Buffer);
    if (batch.length > 0) {
      const ready = batch;
      batch = [];
      yield* ready;
    }
  }
  splitter.end();
  yield* batch;
}
