// A light walk over an RE2 pattern, done before it reaches the RE2 engine, for the few places where the
// C++ RE2 inside re2-wasm and Go's regexp (what Katib runs) disagree or where we want a clearer message:
// - Go rejects `\C` (any byte); C++ RE2 accepts it.
// - Go (1.22+) accepts `(?<name>…)`; the RE2 in re2-wasm 1.0.2 only knows `(?P<name>…)`.
// - backreferences and lookaround get a message that says RE2 has none, instead of "invalid escape".
// It also counts the capture groups (the webhook needs two) and, for parsing, turns every group after
// the second into a non-capturing one: only (name) and (value) are read, and RE2's submatch engine is much
// slower with groups nested in a repetition (`(loss)=((\d+)+)x` on 100k digits: 1.4 s → 16 ms).
// Anything the walk does not understand is passed through for RE2 itself to accept or reject.

/** A pattern prepared for re2-wasm, or Go-like error text. */
export type PreparedRe2 =
  | {
      readonly ok: true;
      /** The pattern as RE2 should compile it for validation (same groups, `(?<` spelled `(?P<`). */
      readonly source: string;
      /** The same with every capture group after the second made non-capturing, for matching. */
      readonly matchSource: string;
      /** Capture groups in the pattern, named ones included. */
      readonly captureGroups: number;
    }
  | { readonly ok: false; readonly error: string };

function goError(reason: string, fragment: string): { ok: false; error: string } {
  return { ok: false, error: `error parsing regexp: ${reason}: \`${fragment}\`` };
}

/** The index just past a character class that opens at `i` (`[`), or the pattern's end if unclosed. */
function skipClass(pattern: string, i: number): number {
  let j = i + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++; // RE2 reads a ']' right after '[' or '[^' as a literal
  while (j < pattern.length && pattern[j] !== ']') {
    if (pattern[j] === '\\') j += 2;
    else if (pattern[j] === '[' && pattern[j + 1] === ':') {
      const close = pattern.indexOf(':]', j + 2);
      j = close < 0 ? j + 1 : close + 2;
    } else j++;
  }
  return j + 1;
}

/** Walks `pattern` once; see the file comment for what it checks and rewrites. */
export function prepareRe2(pattern: string): PreparedRe2 {
  let source = '';
  let matchSource = '';
  let groups = 0;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e === 'C') return goError('invalid escape sequence', '\\C');
      if (e !== undefined && e >= '1' && e <= '9' && !/^[0-7]{2}/.test(pattern.slice(i + 1))) {
        return goError('invalid escape sequence (RE2 has no backreferences)', `\\${e}`);
      }
      let next = i + 2;
      if (e === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        next = end < 0 ? pattern.length : end + 2;
      }
      const text = pattern.slice(i, next);
      source += text;
      matchSource += text;
      i = next;
    } else if (c === '[') {
      const next = skipClass(pattern, i);
      const text = pattern.slice(i, next);
      source += text;
      matchSource += text;
      i = next;
    } else if (c === '(') {
      const rest = pattern.slice(i + 1, i + 5);
      if (/^\?(=|!|<=|<!)/.test(rest)) {
        return goError(
          'invalid or unsupported Perl syntax (RE2 has no lookahead or lookbehind)',
          `(${rest.slice(0, 3)}`,
        );
      }
      const named = /^\?P?<(?=[^=!])/.exec(rest);
      if (named) {
        groups++;
        source += '(?P<';
        matchSource += groups <= 2 ? '(?P<' : '(?:';
        i += 1 + named[0].length;
        if (groups > 2) {
          // Only the matching copy drops the name; validation still sees it (and RE2 checks it).
          const close = pattern.indexOf('>', i);
          const next = close < 0 ? i : close + 1;
          source += pattern.slice(i, next);
          i = next;
        }
      } else if (rest.startsWith('?')) {
        source += '(';
        matchSource += '(';
        i++;
      } else {
        groups++;
        source += '(';
        matchSource += groups <= 2 ? '(' : '(?:';
        i++;
      }
    } else {
      source += c;
      matchSource += c;
      i++;
    }
  }
  return { ok: true, source, matchSource, captureGroups: groups };
}

/** C++ RE2's error codes → the words Go's regexp/syntax uses for the same error. */
const goCodes: Readonly<Record<string, string>> = {
  'missing ]': 'missing closing ]',
  'missing )': 'missing closing )',
  'invalid repetition size': 'invalid repeat count',
  'bad repetition operator': 'invalid nested repetition operator',
  'no argument for repetition operator': 'missing argument to repetition operator',
  'invalid perl operator': 'invalid or unsupported Perl syntax',
  'invalid named capture group': 'invalid named capture',
  'trailing \\': 'trailing backslash at end of expression',
  'pattern too large - compile failed': 'expression too large',
};

/** Rewrites an RE2 (C++) compile error such as `missing ): (a` the way Go prints it. */
export function goErrorText(re2Error: string): string {
  const colon = re2Error.indexOf(': ');
  const code = colon < 0 ? re2Error : re2Error.slice(0, colon);
  const arg = colon < 0 ? '' : re2Error.slice(colon + 2);
  const words = goCodes[code] ?? code;
  return arg === '' ? `error parsing regexp: ${words}` : `error parsing regexp: ${words}: \`${arg}\``;
}
