/**
 * Renders `${trialParameters.x}` inside a shell script so that a value never becomes shell source text: each
 * placeholder becomes a reference to an environment variable holding the value, written for the quoting
 * context it sits in. The scanner follows POSIX shell syntax far enough to know that context: quotes, `$'…'`,
 * command substitutions, `${…}`, arithmetic, comments, here-documents, and nested shells (`bash -c '…'`,
 * `eval`, a here-document fed to `sh`), whose placeholders are deferred to the innermost shell.
 */
import { foreignScriptOperand, readsScriptFromStdin, scriptOperands } from './shellCommand.ts';
import {
  ansiEscapes,
  apply,
  type Edit,
  encodeFor,
  type Occurrence,
  type PlaceholderContext,
  placeholderPrefix,
  type RenderedScript,
  referenceText,
  type ScriptPlaceholder,
  unsupported,
} from './shellText.ts';
import { foreign, type HereDoc, type Word } from './shellWords.ts';

export type { PlaceholderContext, RenderedScript, ScriptPlaceholder } from './shellText.ts';

class Scanner {
  pos = 0;
  occurrences: Occurrence[] = [];
  edits: Edit[] = [];
  extra: ScriptPlaceholder[] = [];
  private pending: HereDoc[] = [];

  constructor(
    private readonly src: string,
    private end: number,
    private readonly envOf: (name: string) => string | undefined,
  ) {}

  private placeholderAt(i: number): { end: number; name: string; env: string } | undefined {
    if (!this.src.startsWith(placeholderPrefix, i)) return undefined;
    const close = this.src.indexOf('}', i + placeholderPrefix.length);
    if (close < 0 || close >= this.end) return undefined;
    const name = this.src.slice(i + placeholderPrefix.length, close);
    const env = this.envOf(name);
    return env === undefined ? undefined : { end: close + 1, name, env };
  }

  /** Records the placeholder at `pos` (if any) in `context`, advancing past it. */
  private take(context: PlaceholderContext, w?: Word): boolean {
    const ph = this.placeholderAt(this.pos);
    if (!ph) return false;
    const o: Occurrence = {
      start: this.pos,
      end: ph.end,
      name: ph.name,
      context,
      text: referenceText(context, ph.env),
    };
    this.occurrences.push(o);
    if (w) {
      w.direct.push(o);
      w.decoded += this.src.slice(this.pos, ph.end);
    }
    this.pos = ph.end;
    return true;
  }

  /** The whole text as a script, with here-documents whose body runs to the end. */
  script(): void {
    this.list('eof');
    if (this.pending.length > 0) this.hereDocBodies();
  }

  /** A command list up to `stop` (left unconsumed) or the end. */
  list(stop: 'eof' | ')' | '`'): void {
    let words: Word[] = [];
    // The commands of the current pipeline, so `cat <<EOF | sh` knows its body is read by a shell.
    let pipeline: Word[][] = [words];
    const reset = (): void => {
      this.pipedScripts(pipeline);
      words = [];
      pipeline = [words];
    };
    while (this.pos < this.end) {
      const c = this.src[this.pos] as string;
      if ((stop === ')' && c === ')') || (stop === '`' && c === '`')) break;
      if (c === '\\' && this.src[this.pos + 1] === '\n') this.pos += 2;
      else if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\n') {
        this.pos++;
        this.hereDocBodies();
        reset();
      } else if (c === '#') this.comment();
      else if (c === '|' && this.src[this.pos + 1] !== '|') {
        this.pos += this.src[this.pos + 1] === '&' ? 2 : 1;
        words = [];
        pipeline.push(words);
      } else if (c === ';' || c === '&' || c === '|' || c === ')') {
        this.pos += this.src[this.pos + 1] === c ? 2 : 1;
        reset();
      } else if (c === '(') {
        const last = words.at(-1);
        if (this.src[this.pos + 1] === '(' && (words.length === 0 || last?.decoded === 'for')) {
          this.arithmetic(this.pos + 2, '))');
        } else {
          this.pos++;
          this.list(')');
          this.pos++;
        }
        reset();
      } else if (c === '<' || c === '>') this.redirection(pipeline, stop);
      else {
        const before = this.pos;
        const w = this.word(stop);
        if (this.pos === before) this.pos++; // never stall on a character no rule consumed
        words.push(w);
        const detect = this.detectable(words);
        if (scriptOperands(detect).includes(words.length - 1)) this.nested(w);
        if (foreignScriptOperand(detect) === words.length - 1 && w.direct.length > 0) throw foreign(w);
      }
    }
    this.pipedScripts(pipeline);
  }

  /** The words as command detection sees them: known text, `sh` for `$SHELL`/`$BASH`/`$0`, else unknown. */
  private detectable(words: readonly Word[]): (string | undefined)[] {
    return words.map((x) =>
      x.isStatic ? x.decoded : /^"?\$\{?(SHELL|BASH|0)\}?"?$/.test(this.src.slice(x.start, x.end)) ? 'sh' : undefined,
    );
  }

  /** `echo "cmd ${trialParameters.x}" | sh`: what echo or printf writes into a shell is that shell's script. */
  private pipedScripts(pipeline: readonly Word[][]): void {
    pipeline.forEach((words, i) => {
      const name = words[0]?.isStatic ? words[0].decoded : undefined;
      if (name !== 'echo' && name !== 'printf') return;
      if (!pipeline.slice(i + 1).some((later) => readsScriptFromStdin(this.detectable(later)))) return;
      for (const w of words.slice(1)) if (!w.nested) this.nested(w, name === 'echo' ? 'echo' : undefined);
    });
  }

  private comment(): void {
    while (this.pos < this.end && this.src[this.pos] !== '\n') {
      if (!this.take('comment')) this.pos++;
    }
  }

  private redirection(pipeline: Word[][], stop: 'eof' | ')' | '`'): void {
    const rest = this.src.slice(this.pos, this.pos + 3);
    if (rest.startsWith('<<') && !rest.startsWith('<<<')) {
      const strip = rest === '<<-';
      this.pos += strip ? 3 : 2;
      this.blanks();
      const delimWord = this.word(stop);
      const raw = this.src.slice(delimWord.start, delimWord.end);
      this.pending.push({
        delim: delimWord.decoded,
        quoted: /['"\\]/.test(raw),
        strip,
        pipeline,
        from: pipeline.length - 1,
        delimWord,
      });
      return;
    }
    const op = /^(<<<|<>|<&|>&|>>|>\||<|>)/.exec(rest)?.[0] ?? '<';
    this.pos += op.length;
    this.blanks();
    const target = this.word(stop); // the target (or here-string) is no command word
    // `bash <<< "…"`: the here-string is the script of the shell reading it.
    if (op === '<<<' && readsScriptFromStdin(this.detectable(pipeline.at(-1) ?? []))) this.nested(target);
  }

  private blanks(): void {
    while (this.src[this.pos] === ' ' || this.src[this.pos] === '\t') this.pos++;
  }

  private word(stop: 'eof' | ')' | '`'): Word {
    const w: Word = { start: this.pos, end: this.pos, decoded: '', isStatic: true, direct: [], indirect: [] };
    const before = this.occurrences.length;
    while (this.pos < this.end) {
      const c = this.src[this.pos] as string;
      if (' \t\n;&|<>()'.includes(c) || (c === '`' && stop === '`')) break;
      if (this.take('bare', w)) continue;
      if (c === '\\') {
        if (this.src[this.pos + 1] !== '\n') w.decoded += this.src[this.pos + 1] ?? '';
        this.pos += 2;
      } else if (c === "'") this.single(w);
      else if (c === '"') this.double(w);
      else if (c === '$' && this.src[this.pos + 1] === "'") this.ansi(w);
      else if (c === '$' || c === '`') this.expansion(w, 'bare');
      else {
        w.decoded += c;
        this.pos++;
      }
    }
    w.end = this.pos;
    const inside = this.occurrences.slice(before).filter((o) => !w.direct.includes(o) && o.context !== 'arithmetic');
    w.indirect.push(...inside.map((o) => o.name));
    return w;
  }

  private single(w: Word): void {
    this.pos++;
    while (this.pos < this.end && this.src[this.pos] !== "'") {
      if (this.take('single', w)) continue;
      w.decoded += this.src[this.pos];
      this.pos++;
    }
    this.pos++;
  }

  private ansi(w: Word): void {
    this.pos += 2;
    while (this.pos < this.end && this.src[this.pos] !== "'") {
      if (this.take('ansi', w)) continue;
      const c = this.src[this.pos] as string;
      if (c === '\\') {
        const decoded = ansiEscapes[this.src[this.pos + 1] ?? ''];
        // \x, octal, \u, \c: not decoded here, so the word's text is not known exactly.
        if (decoded === undefined) w.isStatic = false;
        w.decoded += decoded ?? '_';
        this.pos += 2;
      } else {
        w.decoded += c;
        this.pos++;
      }
    }
    this.pos++;
  }

  private double(w: Word): void {
    this.pos++;
    while (this.pos < this.end && this.src[this.pos] !== '"') {
      if (this.take('double', w)) continue;
      const c = this.src[this.pos] as string;
      if (c === '\\') {
        const n = this.src[this.pos + 1] ?? '';
        if (n !== '\n') w.decoded += '$`"\\'.includes(n) ? n : `\\${n}`;
        this.pos += 2;
      } else if (c === '$' || c === '`') this.expansion(w, 'double');
      else {
        w.decoded += c;
        this.pos++;
      }
    }
    this.pos++;
  }

  /** `$name`, `${…}`, `$(…)`, `$((…))`, `$[…]` or a backquoted command at `pos`; a lone `$` is literal. */
  private expansion(w: Word, quoting: 'bare' | 'double'): void {
    const c = this.src[this.pos];
    const n = this.src[this.pos + 1] ?? '';
    if (c === '`') {
      this.pos++;
      this.list('`');
      this.pos++;
    } else if (n === '(' && this.src[this.pos + 2] === '(') this.arithmetic(this.pos + 3, '))');
    else if (n === '(') {
      this.pos += 2;
      this.list(')');
      this.pos++;
    } else if (n === '[') this.arithmetic(this.pos + 2, ']');
    else if (n === '{') this.brace(quoting);
    else if (/[A-Za-z_]/.test(n)) {
      this.pos++;
      while (/[A-Za-z0-9_]/.test(this.src[this.pos] ?? '')) this.pos++;
    } else if (/[0-9@*#?$!-]/.test(n)) this.pos += 2;
    else {
      w.decoded += '$';
      this.pos++;
      return;
    }
    w.isStatic = false;
    w.decoded += '_';
  }

  /** `${…}` at `pos`: its word part is quoted like the text around it. */
  private brace(quoting: 'bare' | 'double'): void {
    const scratch: Word = { start: 0, end: 0, decoded: '', isStatic: false, direct: [], indirect: [] };
    this.pos += 2;
    let depth = 1;
    while (this.pos < this.end) {
      if (this.take(quoting, undefined)) continue;
      const c = this.src[this.pos] as string;
      if (c === '\\') this.pos += 2;
      else if (c === "'" && quoting === 'bare') this.single(scratch);
      else if (c === '"') this.double(scratch);
      else if (c === '$' || c === '`') this.expansion(scratch, quoting);
      else {
        if (c === '{') depth++;
        if (c === '}' && --depth === 0) {
          this.pos++;
          return;
        }
        this.pos++;
      }
    }
  }

  /** An arithmetic expression from `from` to its closing `))` or `]`. */
  private arithmetic(from: number, closer: '))' | ']'): void {
    const scratch: Word = { start: 0, end: 0, decoded: '', isStatic: false, direct: [], indirect: [] };
    this.pos = from;
    let depth = 0;
    while (this.pos < this.end) {
      if (this.take('arithmetic')) continue;
      const c = this.src[this.pos] as string;
      if (c === '$' || c === '`') this.expansion(scratch, 'double');
      else if (c === '(') {
        depth++;
        this.pos++;
      } else if (c === ')' && depth > 0) {
        depth--;
        this.pos++;
      } else if (depth === 0 && this.src.startsWith(closer, this.pos)) {
        this.pos += closer.length;
        return;
      } else this.pos++;
    }
  }

  private hereDocBodies(): void {
    const docs = this.pending;
    this.pending = [];
    for (const h of docs) {
      const start = this.pos;
      let bodyEnd = this.end;
      while (this.pos < this.end) {
        const nl = this.src.indexOf('\n', this.pos);
        const lineEnd = nl < 0 || nl >= this.end ? this.end : nl;
        const line = this.src.slice(this.pos, lineEnd);
        if ((h.strip ? line.replace(/^\t+/, '') : line) === h.delim) {
          bodyEnd = this.pos;
          this.pos = Math.min(lineEnd + 1, this.end);
          break;
        }
        this.pos = lineEnd + 1;
      }
      if (this.pos > this.end) this.pos = this.end;
      const after = this.pos;
      this.hereDocBody(h, start, Math.min(bodyEnd, this.end));
      this.pos = after;
    }
  }

  /** Scans `start…end` as its own region and returns what it found, leaving this scanner's state as it was. */
  private region(start: number, end: number, scan: () => void): { occurrences: Occurrence[]; edits: Edit[] } {
    const saved = { pos: this.pos, end: this.end, occ: this.occurrences, edits: this.edits, pending: this.pending };
    this.pos = start;
    this.end = end;
    this.occurrences = [];
    this.edits = [];
    this.pending = [];
    scan();
    if (this.pending.length > 0) this.hereDocBodies();
    const found = { occurrences: this.occurrences, edits: this.edits };
    this.pos = saved.pos;
    this.end = saved.end;
    this.occurrences = saved.occ;
    this.edits = saved.edits;
    this.pending = saved.pending;
    return found;
  }

  private hereDocBody(h: HereDoc, start: number, end: number): void {
    if (h.pipeline.slice(h.from).some((words) => readsScriptFromStdin(this.detectable(words)))) {
      // The body is a script for the shell reading it, after this shell's own here-document processing.
      this.nested(this.bodyWord(start, end, h.quoted), undefined, h.quoted ? 'heredocQuoted' : 'heredoc');
      return;
    }
    if (!h.quoted) {
      this.bodyWord(start, end, false);
      return;
    }
    // A quoted delimiter means no expansion at all; to hand the reader the value, the document is made
    // unquoted and its own `\`, `$` and backquotes are escaped, so the reader still gets the text as written.
    const found = this.region(start, end, () => {
      while (this.pos < this.end) {
        if (this.take('heredocQuoted')) continue;
        if ('\\$`'.includes(this.src[this.pos] as string))
          this.edits.push({ start: this.pos, end: this.pos, text: '\\' });
        this.pos++;
      }
    });
    if (found.occurrences.length === 0) return;
    if (h.delimWord.direct.length > 0 || !/^[A-Za-z0-9_.+-]+$/.test(h.delim)) {
      throw unsupported(
        `the here-document delimiter ${JSON.stringify(h.delim)} has a trial parameter in its body; use a plain word such as EOF as the delimiter`,
      );
    }
    this.edits.push({ start: h.delimWord.start, end: h.delimWord.end, text: h.delim });
    this.occurrences.push(...found.occurrences);
    this.edits.push(...found.edits);
  }

  /**
   * A here-document body as a word: the text the command reading it gets (with an unquoted delimiter, the
   * backslashes before `$`, backquotes and backslashes removed and expansions unknown), its placeholders
   * recorded in this scanner.
   */
  private bodyWord(start: number, end: number, quoted: boolean): Word {
    const w: Word = { start, end, decoded: '', isStatic: true, direct: [], indirect: [] };
    const found = this.region(start, end, () => {
      while (this.pos < this.end) {
        if (this.take(quoted ? 'heredocQuoted' : 'heredoc', w)) continue;
        const c = this.src[this.pos] as string;
        if (!quoted && c === '\\') {
          const n = this.src[this.pos + 1] ?? '';
          if (n !== '\n') w.decoded += '$`\\'.includes(n) ? n : `\\${n}`;
          this.pos += 2;
        } else if (!quoted && (c === '$' || c === '`')) this.expansion(w, 'double');
        else {
          w.decoded += c;
          this.pos++;
        }
      }
    });
    this.occurrences.push(...found.occurrences);
    this.edits.push(...found.edits);
    const inside = found.occurrences.filter((o) => !w.direct.includes(o) && o.context !== 'arithmetic');
    w.indirect.push(...inside.map((o) => o.name));
    return w;
  }

  /** A word that another shell runs as its script: its placeholders are written for that shell. */
  private nested(w: Word, through?: 'echo', whole: PlaceholderContext = 'bare'): void {
    w.nested = true;
    if (w.indirect.length > 0) {
      // `sh -c "f $(g ${trialParameters.v})"`: the outer shell's expansion puts the value into the inner
      // shell's source, and no reference can stop that.
      throw unsupported(
        `trial parameter "${w.indirect[0]}" is expanded by one shell inside the script another shell runs (${JSON.stringify(w.decoded.slice(0, 80))}), so its value would become that shell's source; write the placeholder in the nested script's own text, outside $(…), backquotes and \${…}`,
      );
    }
    if (w.direct.length === 0) return;
    const inner = new Scanner(w.decoded, w.decoded.length, this.envOf);
    inner.script();
    const occ = [...inner.occurrences].sort((a, b) => a.start - b.start);
    if (through === 'echo' && [...occ, ...inner.edits].some((e) => e.text.includes('\\'))) {
      // Some echo implementations (dash's, busybox's) rewrite backslashes, which would unescape a reference.
      throw unsupported(
        `the script echo writes into a shell (${JSON.stringify(w.decoded.slice(0, 80))}) needs backslashes to keep its trial parameters unexpanded, which echo may rewrite; use printf '%s\\n' instead of echo`,
      );
    }
    if (inner.edits.length === 0 && occ.length === w.direct.length) {
      w.direct.forEach((o, k) => {
        const i = occ[k] as Occurrence;
        o.text = encodeFor(o.context, i.text);
        o.context = i.context;
      });
      this.extra.push(...inner.extra);
      return;
    }
    if (!w.isStatic) {
      throw unsupported(
        `cannot rewrite the nested script ${JSON.stringify(w.decoded.slice(0, 80))}: it mixes expansions with a here-document; put the nested script in one quoted string`,
      );
    }
    // The word's exact text is known: replace it by the rendered inner script, written for this shell.
    this.occurrences = this.occurrences.filter((o) => !w.direct.includes(o));
    this.edits.push({
      start: w.start,
      end: w.end,
      text: encodeFor(whole, apply(w.decoded, inner.occurrences, inner.edits)),
    });
    this.extra.push(...inner.occurrences.map((o) => ({ name: o.name, context: o.context })), ...inner.extra);
  }
}

/**
 * Replaces each `${trialParameters.<name>}` of a shell script whose `envOf(name)` is defined by a reference to
 * that environment variable, quoted for its context, so the shell expands it to the exact value, as one word
 * where it stands alone, and never parses the value as source. Unknown names stay as written. Throws an
 * `invalidSpec` WorkbenchError for the rare shapes it cannot rewrite safely.
 */
export function renderScript(script: string, envOf: (name: string) => string | undefined): RenderedScript {
  const s = new Scanner(script, script.length, envOf);
  s.script();
  const placeholders = [...s.occurrences.map((o) => ({ name: o.name, context: o.context })), ...s.extra];
  return { text: apply(script, s.occurrences, s.edits), placeholders };
}
