import { StringDecoder } from 'node:string_decoder';

/** Longest line kept by default (in UTF-16 code units, ~1 MiB); the rest of a longer line is dropped. */
export const defaultMaxLineChars: number = 1024 * 1024;

/** Options of {@link LineSplitter}. */
export interface LineSplitterOptions {
  /** Called once per complete line, without its '\n' or a trailing '\r'. */
  readonly onLine: (line: string) => void;
  /** Lines longer than this are cut to this length (see {@link LineSplitter.truncatedLines}). */
  readonly maxLineChars?: number;
}

/**
 * Turns a stream of Buffer/string chunks into lines, holding at most one partial line. UTF-8 characters
 * split across chunks are decoded correctly (StringDecoder). Used for trial stdout and tailed files.
 */
export class LineSplitter {
  /** How many lines were longer than the cap and got cut. */
  truncatedLines = 0;
  private readonly onLine: (line: string) => void;
  private readonly maxLineChars: number;
  private readonly decoder = new StringDecoder('utf8');
  /** Pieces of the current unterminated line, kept apart so a long line in small chunks stays linear. */
  private pending: string[] = [];
  private pendingChars = 0;
  /** The current line already exceeded the cap: drop everything until its end. */
  private dropping = false;

  constructor(options: LineSplitterOptions) {
    this.onLine = options.onLine;
    this.maxLineChars = options.maxLineChars ?? defaultMaxLineChars;
  }

  /** Feeds one chunk; calls `onLine` for every line it completes. */
  push(chunk: Buffer | Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk as Buffer);
    if (text.length > 0) this.pushText(text);
  }

  /** Flushes the decoder and emits a final line that had no '\n' (if any). Call once at end of input. */
  end(): void {
    const rest = this.decoder.end();
    if (rest.length > 0) this.pushText(rest);
    if (this.pendingChars > 0 || this.pending.length > 0) this.emit(this.takePending(''));
    this.dropping = false;
  }

  private pushText(text: string): void {
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      if (this.pending.length === 0 && !this.dropping) {
        this.emit(
          nl - start > this.maxLineChars
            ? this.cut(text.slice(start, start + this.maxLineChars))
            : text.slice(start, nl),
        );
      } else {
        this.emit(this.takePending(text.slice(start, nl)));
      }
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) this.keep(start === 0 ? text : text.slice(start));
  }

  /** Buffers part of an unterminated line, cutting it once it passes the cap. */
  private keep(piece: string): void {
    if (this.dropping) return;
    const room = this.maxLineChars - this.pendingChars;
    if (piece.length > room) {
      this.pending.push(piece.slice(0, room));
      this.pendingChars += room;
      this.dropping = true;
      return;
    }
    this.pending.push(piece);
    this.pendingChars += piece.length;
  }

  /** Joins the buffered pieces with the tail that completed the line, and resets the buffer. */
  private takePending(tail: string): string {
    const wasDropping = this.dropping;
    if (!wasDropping) this.keep(tail);
    const line = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    const cutNow = this.dropping;
    this.pending = [];
    this.pendingChars = 0;
    this.dropping = false;
    return cutNow ? this.cut(line) : line;
  }

  private cut(line: string): string {
    this.truncatedLines++;
    return line;
  }

  private emit(line: string): void {
    // Go's bufio.ScanLines drops one trailing '\r' (CRLF files); so do we.
    this.onLine(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line);
  }
}
