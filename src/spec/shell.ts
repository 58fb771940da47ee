/**
 * Shell awareness for trial-template substitution: finding the script of `sh -c '<script>'` in a
 * container's argv, and quoting substituted values so they stay one word of data inside that script.
 */

const shells = new Set(['sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'mksh']);
const envAssignment = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Values made only of these characters need no quoting anywhere in a shell word. */
const safeToken = /^[A-Za-z0-9_.,:/=+@%-]+$/;

function baseName(v: unknown): string {
  return typeof v === 'string' ? (v.split('/').pop() ?? '') : '';
}

/**
 * Index in `argv` of the script string when argv runs a shell with `-c` (`sh -c`, `/bin/bash -ec`,
 * `env FOO=1 bash -o pipefail -c`, `busybox sh -c`), else undefined.
 */
export function shellScriptIndex(argv: readonly unknown[]): number | undefined {
  let i = 0;
  if (baseName(argv[0]) === 'env') {
    i = 1;
    while (
      typeof argv[i] === 'string' &&
      (envAssignment.test(argv[i] as string) || (argv[i] as string).startsWith('-'))
    )
      i++;
  }
  if (baseName(argv[i]) === 'busybox') i++;
  if (!shells.has(baseName(argv[i]))) return undefined;
  let sawC = false;
  for (i++; i < argv.length; i++) {
    const a = argv[i];
    if (typeof a !== 'string') return undefined;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-o' || a === '+o' || a === '-O' || a === '+O') {
      i++; // option that takes a value, e.g. `-o pipefail`
      continue;
    }
    if (a.startsWith('--')) continue; // --login, --norc, …
    if (/^[-+][A-Za-z]+$/.test(a)) {
      if (a.startsWith('-') && a.includes('c')) sawC = true;
      continue;
    }
    break;
  }
  return sawC && i < argv.length ? i : undefined;
}

/** Single-quotes `value` for use as a bare shell word, unless it is a plain safe token. */
export function shellQuote(value: string): string {
  if (safeToken.test(value)) return value;
  return `'${value.replaceAll("'", "'\\''")}'`;
}

type QuoteState = 'none' | 'single' | 'double';

function quoteIn(state: QuoteState, value: string): string {
  if (state === 'single') return value.replaceAll("'", "'\\''");
  // Inside double quotes only these four characters keep a special meaning.
  if (state === 'double') return value.replace(/[\\"$`]/g, (c) => `\\${c}`);
  return shellQuote(value);
}

/**
 * Replaces `${trialParameters.<name>}` in a shell script with `lookup(name)`, quoted for the quoting
 * context the placeholder sits in (bare word, inside '…', inside "…"); unknown names are left as they are.
 */
export function substituteInScript(script: string, lookup: (name: string) => string | undefined): string {
  const marker = '${trialParameters.';
  let out = '';
  let state: QuoteState = 'none';
  let i = 0;
  while (i < script.length) {
    if (script.startsWith(marker, i)) {
      const end = script.indexOf('}', i + marker.length);
      const value = end < 0 ? undefined : lookup(script.slice(i + marker.length, end));
      if (value !== undefined) {
        out += quoteIn(state, value);
        i = end + 1;
        continue;
      }
    }
    const c = script[i] as string;
    if (c === '\\' && state !== 'single') {
      out += script.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === "'" && state !== 'double') state = state === 'single' ? 'none' : 'single';
    else if (c === '"' && state !== 'single') state = state === 'double' ? 'none' : 'double';
    out += c;
    i++;
  }
  return out;
}
