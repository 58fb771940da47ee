import { type FileHandle, open } from 'node:fs/promises';
import { LineSplitter } from './lineSplitter.ts';
import type { OverlongLine } from './types.ts';

/** Options of {@link FileFollower}. */
export interface FileFollowerOptions {
  /** Called for every complete line, in file order. */
  readonly onLine: (line: string) => void;
  /** How often to look for new bytes; default 150 ms. */
  readonly intervalMs?: number;
  readonly maxLineChars?: number;
  /** Called for a line over `maxLineChars`, which is skipped (see {@link LineSplitter}). */
  readonly onOverlong?: (line: OverlongLine) => void;
  /** Called when a poll fails for a reason other than the file not existing yet; polling continues. */
  readonly onError?: (err: unknown) => void;
}

/**
 * Tails a file that a running trial is still writing (Katib's File collector), emitting each new complete
 * line. The file may not exist yet when it starts. Polls on an interval rather than `fs.watch`, which is
 * unreliable on network and container filesystems. `stop()` reads what is left, including a last line
 * without '\n'. Memory stays at one 64 KiB buffer plus one partial line.
 */
export class FileFollower {
  private readonly path: string;
  private readonly intervalMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly splitter: LineSplitter;
  private readonly buffer = Buffer.allocUnsafe(64 * 1024);
  private handle: FileHandle | undefined;
  private offset = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(path: string, options: FileFollowerOptions) {
    this.path = path;
    this.intervalMs = options.intervalMs ?? 150;
    this.onError = options.onError ?? (() => {});
    this.splitter = new LineSplitter({
      onLine: options.onLine,
      ...(options.maxLineChars === undefined ? {} : { maxLineChars: options.maxLineChars }),
      ...(options.onOverlong === undefined ? {} : { onOverlong: options.onOverlong }),
    });
  }

  /** Bytes consumed so far. */
  get bytesRead(): number {
    return this.offset;
  }

  /** Lines skipped for being over the length cap so far. */
  get overlongLines(): number {
    return this.splitter.overlongLines;
  }

  /** Starts polling (idempotent). */
  start(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.tick();
  }

  /** Stops polling, reads everything still unread, emits the final unterminated line, and closes the file. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.inFlight;
    try {
      await this.poll();
    } catch (err) {
      this.onError(err);
    }
    this.splitter.end();
    await this.handle?.close();
    this.handle = undefined;
  }

  private tick(): void {
    // One poll at a time: a slow read must not interleave with the next tick.
    if (this.inFlight !== undefined || this.stopped) return;
    this.inFlight = this.poll()
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  private async poll(): Promise<void> {
    if (this.handle === undefined) {
      try {
        this.handle = await open(this.path, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // not created yet
        throw err;
      }
    }
    const { size } = await this.handle.stat();
    // The writer truncated the file (opened it again with 'w'): read it again from the start.
    if (size < this.offset) this.offset = 0;
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      this.splitter.push(this.buffer.subarray(0, bytesRead));
    }
  }
}
