/**
 * Reading a trial's log while it may still grow, for `hpo logs -f` and the dashboard's log stream: its current
 * size, and a byte range of it copied to a stream without holding the log in memory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** The size of the file at `path`, or undefined while there is none. */
export async function logSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Copies bytes `[from, to)` of `path` into `out` and leaves `out` open. `pipe` pauses the read while `out` is full
 * (a slow reader, a full pipe), so memory stays bounded whatever the log's size.
 */
export function copyLogRange(path: string, from: number, to: number, out: NodeJS.WritableStream): Promise<void> {
  if (to <= from) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const s = createReadStream(path, { start: from, end: to - 1 });
    s.on('error', reject);
    s.on('end', () => resolve());
    s.pipe(out, { end: false });
  });
}
