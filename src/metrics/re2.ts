// Katib's metric filters are Go RE2 expressions. This translates the RE2 syntax users write into an
// equivalent JavaScript RegExp and rejects what RE2 would reject (backreferences, lookaround) or what we
// cannot express faithfully on Node 20 (mid-pattern flag groups, \p classes), with a Go-like message.

/** A translated filter: the JavaScript source and flags, and how many capture groups it has. */
export interface TranslatedRe2 {
  readonly source: string;
  readonly flags: string;
  readonly captureGroups: number;
}

/** ASCII expansions of RE2's POSIX classes, written for use inside a JavaScript character class. */
const posixClasses: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** RE2's `\s` is only these five characters; JavaScript's `\s` also matches \v and Unicode spaces. */
const re2Space = '\\t\\n\\f\\r ';

class Re2SyntaxError extends Error {}

function fail(reason: string, fragment: string): never {
  throw new Re2SyntaxError(`error parsing regexp: ${reason}: \`${fragment}\``);
}

function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

function hexEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Translates one escape starting at `pattern[i] === '\\'`; returns the JS text and the index after it. */
function translateEscape(pattern: string, i: number, inClass: boolean): [string, number] {
  const c = pattern[i + 1];
  if (c === undefined) fail('trailing backslash at end of expression', '');
  switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 'f':
    case 't':
    case 'n':
    case 'r':
    case 'v':
      return [`\\${c}`, i + 2];
    case 'S':
      // Inside a class we cannot subtract; JavaScript's slightly wider \S is kept there.
      return [inClass ? '\\S' : `[^${re2Space}]`, i + 2];
    case 's':
      return [inClass ? re2Space : `[${re2Space}]`, i + 2];
    case 'a':
      return ['\\x07', i + 2];
    case 'b':
    case 'B':
      if (inClass) fail('invalid escape sequence', `\\${c}`);
      return [`\\${c}`, i + 2];
    case 'A':
    case 'z':
      // Lines never contain '\n', so start/end of text equal ^ and $ in either multiline mode.
      if (inClass) fail('invalid escape sequence', `\\${c}`);
      return [c === 'A' ? '^' : '$', i + 2];
    case 'x': {
      const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(pattern.slice(i + 2));
      if (braced) {
        const code = Number.parseInt(braced[1]!, 16);
        if (code > 0xffff) fail('code points above U+FFFF are not supported', `\\x{${braced[1]}}`);
        return [hexEscape(code), i + 2 + braced[0].length];
      }
      const two = /^[0-9A-Fa-f]{2}/.exec(pattern.slice(i + 2));
      if (!two) fail('invalid escape sequence', pattern.slice(i, i + 4));
      return [`\\x${two[0]}`, i + 4];
    }
    case 'Q': {
      if (inClass) fail('invalid escape sequence', '\\Q');
      const end = pattern.indexOf('\\E', i + 2);
      const literal = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end);
      return [escapeLiteral(literal), end < 0 ? pattern.length : end + 2];
    }
    case 'p':
    case 'P':
      fail('Unicode classes (\\p, \\P) are not supported in filters', pattern.slice(i, i + 3));
  }
  if (c >= '0' && c <= '9') {
    // RE2: \1-\9 alone would be backreferences (unsupported); \0 or two-or-more octal digits are octal.
    const octal = /^[0-7]{1,3}/.exec(pattern.slice(i + 1))?.[0] ?? '';
    if (octal === '' || (c !== '0' && octal.length === 1)) fail('invalid escape sequence (backreference)', `\\${c}`);
    return [hexEscape(Number.parseInt(octal, 8)), i + 1 + octal.length];
  }
  if (/[A-Za-z0-9_]/.test(c)) fail('invalid escape sequence', `\\${c}`);
  return [`\\${c}`, i + 2];
}

/** Reads a group opener `(?...` at `i`; returns the JS opener, whether it captures, and the next index. */
function translateGroup(pattern: string, i: number, atStart: boolean, flags: Set<string>): [string, boolean, number] {
  if (pattern[i + 1] !== '?') return ['(', true, i + 1];
  const rest = pattern.slice(i + 2);
  const named = /^P?<([A-Za-z0-9_]+)>/.exec(rest);
  if (named) {
    if (/^[0-9]/.test(named[1]!)) fail('group names starting with a digit are not supported', `(?${named[0]}`);
    return [`(?<${named[1]}>`, true, i + 2 + named[0].length];
  }
  if (rest.startsWith(':')) return ['(?:', false, i + 3];
  if (/^(=|!|<=|<!)/.test(rest)) fail('invalid or unsupported Perl syntax (lookaround)', `(?${rest.slice(0, 2)}`);
  const flagGroup = /^([imsU]*)(?:-([imsU]*))?([):])/.exec(rest);
  if (!flagGroup) fail('invalid or unsupported Perl syntax', `(?${rest.slice(0, 1)}`);
  const [text, on = '', off = '', close] = flagGroup;
  if (on.includes('U') || off.includes('U')) fail('ungreedy mode (U) is not supported', `(?${text}`);
  if (close === ':' || !atStart) {
    fail('flag groups are only supported as a prefix such as (?i) at the start of a filter', `(?${text}`);
  }
  for (const f of on) if (f !== 's') flags.add(f);
  for (const f of off) flags.delete(f);
  return ['', false, i + 2 + text.length];
}

/** Translates an RE2 pattern into a JavaScript RegExp source with flags `g` + `s` (+ `i`/`m` from a prefix). */
export function translateRe2(pattern: string): TranslatedRe2 {
  const flags = new Set<string>();
  let out = '';
  let groups = 0;
  let i = 0;
  let inClass = false;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const [js, next] = translateEscape(pattern, i, inClass);
      out += js;
      i = next;
    } else if (inClass) {
      if (c === ']') {
        inClass = false;
        out += ']';
        i++;
      } else if (c === '[' && pattern[i + 1] === ':') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        const expansion = posix ? posixClasses[posix[2]!] : undefined;
        if (!posix || expansion === undefined) fail('invalid character class range', pattern.slice(i, i + 10));
        if (posix[1] === '^') fail('negated POSIX classes are not supported', posix[0]);
        out += expansion;
        i += posix[0].length;
      } else {
        out += c === '[' ? '\\[' : c;
        i++;
      }
    } else if (c === '[') {
      inClass = true;
      out += '[';
      i++;
      if (pattern[i] === '^') {
        out += '^';
        i++;
      }
      // RE2 reads a ']' right after '[' or '[^' as a literal; JavaScript would close an empty class.
      if (pattern[i] === ']') {
        out += '\\]';
        i++;
      }
    } else if (c === '(') {
      const [js, captures, next] = translateGroup(pattern, i, out === '', flags);
      if (captures) groups++;
      out += js;
      i = next;
    } else if (c === '{') {
      const rep = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i));
      if (rep && (Number(rep[1]) > 1000 || (rep[2] !== undefined && rep[2] !== '' && Number(rep[2]) > 1000))) {
        fail('invalid repeat count', rep[0]);
      }
      out += rep ? rep[0] : '\\{';
      i += rep ? rep[0].length : 1;
    } else {
      out += c === '}' ? '\\}' : c === ']' ? '\\]' : c === '/' ? '\\/' : c;
      i++;
    }
  }
  if (inClass) fail('missing closing ]', pattern);
  // `s`: lines never contain '\n', and RE2's `.` matches everything but '\n' (JavaScript's also skips \r, \u2028).
  return { source: out, flags: `gs${[...flags].sort().join('')}`, captureGroups: groups };
}

/**
 * Compiles an RE2 filter into a global JavaScript RegExp, or returns Go-style error text.
 * Called by {@link validateFilter} and the TEXT parser.
 */
export function compileRe2(pattern: string): { regex: RegExp; captureGroups: number } | { error: string } {
  try {
    const t = translateRe2(pattern);
    return { regex: new RegExp(t.source, t.flags), captureGroups: t.captureGroups };
  } catch (err) {
    if (err instanceof Re2SyntaxError) return { error: err.message };
    if (err instanceof SyntaxError) return { error: `error parsing regexp: ${err.message}` };
    throw err;
  }
}
