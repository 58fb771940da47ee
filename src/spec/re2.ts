// Katib's metric filters are Go RE2 expressions, and RE2's point is linear-time matching: a filter such as
// `(loss)=((\d+)+)x` must not freeze the collector on a long line of digits, as it does in JavaScript's
// backtracking RegExp. So filters run on the real RE2 (Google's C++ library compiled to wasm, `re2-wasm`),
// for validation and for parsing alike. We use its inner `WrappedRE2` class rather than its `RE2` class:
// that class translates *JavaScript* syntax into RE2 (it would accept `\u00e9`, which Go rejects), never
// frees the wasm object, and reports offsets in code points as if they were UTF-16 indexes.
//
// Facts about the engine this file relies on (checked on re2-wasm 1.0.2):
// - its wasm heap is fixed at 16 MiB and cannot grow; running out aborts the instance for good. We free
//   what validation compiles, compile each parsing filter once per engine, and on an abort load a fresh
//   engine (a new instance of the module) and compile again.
// - every `match` call copies the whole input into the heap as UTF-8, so matching all of a long line by
//   restarting on the full line would be quadratic; we hand it windows instead (see `Re2Filter.find`).
// - offsets in and out are counted in code points of the input; \w \d \s \b are ASCII and `.` is any code
//   point but \n, as in Go.
import { createRequire } from 'node:module';
import { goErrorText, prepareRe2 } from './re2Syntax.ts';

interface WasmMatch {
  readonly match: string;
  /** In code points of the input; -1 when there is no match. */
  readonly index: number;
  readonly groups: readonly (string | undefined)[];
}

interface WasmRe2 {
  ok(): boolean;
  error(): string;
  match(input: string, start: number, withGroups: boolean): WasmMatch;
  delete(): void;
}

interface WasmModule {
  readonly WrappedRE2: new (pattern: string, ignoreCase: boolean, multiline: boolean, dotAll: boolean) => WasmRe2;
}

const require = createRequire(import.meta.url);
const modulePath = 're2-wasm/build/wasm/re2.js';

/** The loaded engine; replaced after an abort. `compiled` caches the parsing filters of this instance. */
interface Engine {
  readonly wasm: WasmModule;
  readonly compiled: Map<string, WasmRe2>;
}

let engine: Engine | undefined;

function currentEngine(): Engine {
  engine ??= { wasm: loadQuietly(), compiled: new Map() };
  return engine;
}

/**
 * Loads a fresh instance of the module. Its glue binds `console.warn` at load time to print its own abort
 * messages ("Cannot enlarge memory arrays…", twice), which would land on the CLI's stderr; we report an
 * abort ourselves, so it gets a silent `console.warn` instead.
 */
function loadQuietly(): WasmModule {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return require(modulePath) as WasmModule;
  } finally {
    console.warn = warn;
  }
}

/** Drops an aborted engine so the next use loads a fresh instance of the module (a new 16 MiB heap). */
function reloadEngine(): void {
  delete require.cache[require.resolve(modulePath)];
  engine = undefined;
}

/** A wasm abort or trap: a `WebAssembly.RuntimeError` (a type our ES lib does not declare). */
function isWasmAbort(err: unknown): boolean {
  return err instanceof Error && err.constructor.name === 'RuntimeError';
}

/** Runs `work` on the engine; after a wasm abort (heap exhausted) retries once on a fresh engine. */
function withEngine<T>(work: (e: Engine) => T): T {
  try {
    return work(currentEngine());
  } catch (err) {
    if (!isWasmAbort(err)) throw err;
    reloadEngine();
    return work(currentEngine());
  }
}

/** What {@link checkRe2} says about a filter. */
export type Re2Check =
  | { readonly ok: true; readonly captureGroups: number }
  | { readonly ok: false; readonly error: string };

/** Compiles `pattern` with RE2 as Go would, then frees it. Called by collector validation and the TEXT parser. */
export function checkRe2(pattern: string): Re2Check {
  const prepared = prepareRe2(pattern);
  if (!prepared.ok) return prepared;
  try {
    return withEngine(({ wasm }) => {
      const re = new wasm.WrappedRE2(prepared.source, false, false, false);
      try {
        return re.ok()
          ? { ok: true, captureGroups: prepared.captureGroups }
          : { ok: false, error: goErrorText(re.error()) };
      } finally {
        re.delete();
      }
    });
  } catch (err) {
    // Even a fresh engine ran out of its 16 MiB compiling this (e.g. `\pL{100}`: a large class repeated).
    if (!isWasmAbort(err)) throw err;
    reloadEngine();
    return { ok: false, error: `error parsing regexp: expression too large for the RE2 engine: \`${pattern}\`` };
  }
}

/** One match of a filter on a line: offsets in UTF-16 code units, groups 1 and 2 ('' when unset). */
export interface Re2Match {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly value: string;
}

/** First window handed to RE2 past the search position; it grows fourfold when it proves too short. */
const firstWindow = 1024;
/** A match is taken from a window only if the window reaches this far (and as far as the match) beyond it. */
const minLookahead = 256;
/** Longest part of a line that is matched (the collectors' line limit; ≤ 3 MiB of UTF-8 in the heap). */
const maxLineChars = 1024 * 1024;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const anySurrogate = /[\uD800-\uDFFF]/;

/** UTF-16 offset in `text` of the code point numbered `codePoints`. */
function unitOffset(text: string, codePoints: number, surrogates: boolean): number {
  if (!surrogates) return codePoints;
  let units = 0;
  for (let n = 0; n < codePoints; n++) units += (text.codePointAt(units) ?? 0) > 0xffff ? 2 : 1;
  return units;
}

/**
 * A validated filter compiled for matching, with Go's `FindAllStringSubmatch` semantics. Built by the TEXT
 * metrics parser; compile with {@link Re2Filter.compile}. Holds no wasm memory itself (the engine caches it).
 */
export class Re2Filter {
  private constructor(private readonly source: string) {}

  /** Compiles a filter for matching, or returns Go-like error text. */
  static compile(pattern: string): Re2Filter | { readonly error: string } {
    const checked = checkRe2(pattern);
    if (!checked.ok) return { error: checked.error };
    const prepared = prepareRe2(pattern);
    return new Re2Filter(prepared.ok ? prepared.matchSource : pattern);
  }

  /**
   * Calls `visit` for every match in `line`, left to right, as Go's FindAll would find them, until `visit`
   * returns false (each call into the engine costs microseconds, so a caller that needs no more stops early).
   */
  forEachMatch(line: string, visit: (m: Re2Match) => unknown): void {
    // The collectors cut lines there already; a longer string given to the parser directly could not fit
    // the engine's heap as UTF-8.
    const capped = line.length > maxLineChars ? line.slice(0, maxLineChars) : line;
    const text = anySurrogate.test(capped) ? capped.replace(loneSurrogate, '\uFFFD') : capped;
    const surrogates = text !== capped || anySurrogate.test(text);
    let pos = 0;
    let prevEnd = -1;
    while (pos <= text.length) {
      const m = this.find(text, pos, surrogates);
      if (m === undefined) return;
      const accept = !(m.end === pos && m.start === prevEnd);
      if (m.end === pos) {
        // An empty match: move on one code point (Go: "move to next rune"), past the end when at it.
        pos += pos < text.length && (text.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
      } else pos = m.end;
      prevEnd = m.end;
      if (accept && visit(m) === false) return;
    }
  }

  /**
   * The leftmost match at or after `pos`. RE2 gets the text from one character before `pos` (so `\b` sees its
   * left neighbour and `^` cannot match) up to a window end. A match is accepted when the window reaches the
   * line's end, or reaches `max(256, match end − pos)` characters past the match; otherwise the window grows
   * fourfold. This keeps every line linear — one call per match, each on a window proportional to the match
   * — where restarting on the whole line was quadratic (a 1 MiB line: ~8 ms per call in this engine, so 150k
   * matches took minutes). It equals Go on every line of ≤ 1024 characters and on every filter whose choice
   * of match does not depend on text further beyond it than that lookahead.
   */
  private find(line: string, pos: number, surrogates: boolean): Re2Match | undefined {
    const ctx = pos === 0 ? 0 : pos - (pos >= 2 && /[\uDC00-\uDFFF]/.test(line[pos - 1]!) ? 2 : 1);
    for (let span = firstWindow; ; span *= 4) {
      let end = Math.min(line.length, pos + span);
      if (end < line.length && /[\uD800-\uDBFF]/.test(line[end - 1]!)) end++;
      const window = ctx === 0 && end === line.length ? line : line.slice(ctx, end);
      const r = withEngine((e) => this.compiled(e).match(window, ctx < pos ? 1 : 0, true));
      const atEnd = end === line.length;
      if (r.index < 0) {
        if (atEnd) return undefined;
        continue;
      }
      const start = ctx + unitOffset(window, r.index, surrogates);
      const stop = start + r.match.length;
      if (atEnd || end - stop >= Math.max(minLookahead, stop - pos)) {
        return { start, end: stop, name: r.groups[0] ?? '', value: r.groups[1] ?? '' };
      }
    }
  }

  private compiled(e: Engine): WasmRe2 {
    let re = e.compiled.get(this.source);
    if (re === undefined) {
      re = new e.wasm.WrappedRE2(this.source, false, false, false);
      e.compiled.set(this.source, re);
    }
    return re;
  }
}
