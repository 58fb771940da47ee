/**
 * Compiles a Go RE2 pattern (Katib's `metricsFormat` filters) as a JavaScript RegExp, translating the RE2
 * syntax JavaScript spells differently and rejecting what RE2 does not have, so a filter that validates here
 * also works in Katib. Collectors may use it to read filters the same way.
 */

/** A compiled filter, or why it does not compile. */
export type GoRegexResult =
  | { readonly ok: true; readonly regex: RegExp }
  | { readonly ok: false; readonly error: string };

const leadingFlags = /^\(\?([imsU]+)\)/;

/** Translates and compiles `pattern` with the `g` flag. */
export function compileGoRegex(pattern: string): GoRegexResult {
  if (/\(\?<?[=!]/.test(pattern)) return { ok: false, error: 'RE2 does not support lookahead or lookbehind' };
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(pattern)) return { ok: false, error: 'RE2 does not support backreferences' };
  let flags = 'g';
  let source = pattern;
  const m = leadingFlags.exec(source);
  if (m) {
    const f = m[1] ?? '';
    if (f.includes('U')) return { ok: false, error: 'the (?U) ungreedy flag has no JavaScript equivalent' };
    flags += f;
    source = source.slice(m[0].length);
  }
  // RE2 names groups (?P<name>…); JavaScript writes (?<name>…).
  source = source.replaceAll('(?P<', '(?<');
  try {
    return { ok: true, regex: new RegExp(source, flags) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Number of capture groups of a compiled regex. */
export function groupCount(regex: RegExp): number {
  return (new RegExp(`${regex.source}|`).exec('')?.length ?? 1) - 1;
}
