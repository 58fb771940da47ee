import { StringDecoder } from 'node:string_decoder';
import type { OverlongLine } from './types.ts';

/** Longest line kept by default (in UTF-16 code units, ~1 MiB); a longer line is skipped whole. */
export const defaultMaxLineChars: number = 1024 * 1024;

/** Options of {@link LineSplitter}. */
export interface LineSplitterOptions {
  /** Called once per complete line, without its '\n' or a trailing '\r'. */
  readonly onLine: (line: string) => void;
  /** Lines longer than this are skipped (see {@link LineSplitterOptions.onOverlong}). */
  readonly maxLineChars?: number;
  /** Called instead of `onLine` for a line longer than the cap, with its size and offset in bytes. */
  readonly onOverlong?: (line: OverlongLine) => void;
}

/** Byte positions of every '\n' in `bytes`. */
function newlinePositions(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) out.push(i);
  return out;
}

/**
 * Turns a stream of Buffer/string chunks into lines, holding at most one partial line. UTF-8 characters
 * split across chunks are decoded correctly (StringDecoder). Used for tailed files and pod logs. A line over
 * the cap is not delivered at all: memory stays bounded, and a metric cut in half would be a wrong value.
 */
export class LineSplitter {
  /** How many lines were longer than the cap and were skipped. */
  overlongLines = 0;
  private readonly onLine: (line: string) => void;
  private readonly onOverlong: ((line: OverlongLine) => void) | undefined;
  private readonly maxLineChars: number;
  private readonly decoder = new StringDecoder('utf8');
  /** Pieces of the current unterminated line, kept apart so a long line in small chunks stays linear. */
  private pending: string[] = [];
  private pendingChars = 0;
  /** The current line already exceeded the cap: drop everything until its end. */
  private dropping = false;
  /** Bytes pushed so far, and the byte offset where the line still unterminated after the last chunk began. */
  private streamBytes = 0;
  private lineStartByte = 0;

  constructor(options: LineSplitterOptions) {
    this.onLine = options.onLine;
    this.onOverlong = options.onOverlong;
    this.maxLineChars = options.maxLineChars ?? defaultMaxLineChars;
  }

  /** Feeds one chunk; calls `onLine` for every line it completes. */
  push(chunk: Buffer | Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const text = this.decoder.write(bytes as Buffer);
    const chunkStart = this.streamBytes;
    this.streamBytes += bytes.length;
    // Byte offsets matter only for a line over the cap (rare): the k-th '\n' of `text` is the k-th 0x0A of
    // `bytes` (the decoder never holds one back), so they are found then, from the newline's ordinal.
    let newlines: number[] | undefined;
    const newlineByte = (k: number): number => {
      newlines ??= newlinePositions(bytes);
      return chunkStart + newlines[k]!;
    };
    let start = 0;
    let k = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start), k++) {
      if (this.pending.length === 0 && !this.dropping && nl - start <= this.maxLineChars) {
        this.emit(text.slice(start, nl));
      } else {
        if (!this.dropping) this.keep(text.slice(start, nl));
        const line = this.takePending();
        if (line !== undefined) this.emit(line);
        else this.skip(k === 0 ? this.lineStartByte : newlineByte(k - 1) + 1, newlineByte(k));
      }
      start = nl + 1;
    }
    // The last newline of the chunk ends the last complete line (one backwards search per chunk).
    if (k > 0) this.lineStartByte = chunkStart + bytes.lastIndexOf(10) + 1;
    if (start < text.length) this.keep(start === 0 ? text : text.slice(start));
  }

  /** Flushes the decoder and emits a final line that had no '\n' (if any). Call once at end of input. */
  end(): void {
    const rest = this.decoder.end();
    if (rest.length > 0) this.keep(rest);
    if (this.pendingChars > 0 || this.pending.length > 0 || this.dropping) {
      const line = this.takePending();
      if (line === undefined) this.skip(this.lineStartByte, this.streamBytes);
      else this.emit(line);
    }
  }

  /** Buffers part of an unterminated line, switching to dropping once it passes the cap. */
  private keep(piece: string): void {
    if (this.dropping) return;
    if (piece.length > this.maxLineChars - this.pendingChars) {
      this.pending = [];
      this.pendingChars = 0;
      this.dropping = true;
      return;
    }
    this.pending.push(piece);
    this.pendingChars += piece.length;
  }

  /** The buffered line, or undefined when it went over the cap; resets the buffer either way. */
  private takePending(): string | undefined {
    const line = this.dropping ? undefined : this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.dropping = false;
    return line;
  }

  private skip(startByte: number, endByte: number): void {
    this.overlongLines++;
    this.onOverlong?.({ bytes: endByte - startByte, offset: startByte });
  }

  private emit(line: string): void {
    // Go's bufio.ScanLines drops one trailing '\r' (CRLF files); so do we.
    this.onLine(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
  }
}
