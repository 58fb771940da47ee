/**
 * The text side of rendering placeholders in shell scripts: the contexts a placeholder can sit in, the
 * reference written for each, how to write text for a shell that reads it in a given context (for nested
 * scripts), and applying the edits a scan collected.
 */
import { ErrorCode, WorkbenchError } from '../common/errors.ts';

/** Where a placeholder sits, as the shell that finally reads it sees it. */
export type PlaceholderContext =
  | 'bare'
  | 'double'
  | 'single'
  | 'ansi'
  | 'heredoc'
  | 'heredocQuoted'
  | 'arithmetic'
  | 'comment';

/** One placeholder found in a script: the trial parameter and its innermost context. */
export interface ScriptPlaceholder {
  readonly name: string;
  readonly context: PlaceholderContext;
}

/** A rendered script and the placeholders it referenced. */
export interface RenderedScript {
  readonly text: string;
  readonly placeholders: readonly ScriptPlaceholder[];
}

/** A placeholder found by the scanner: its span and the text that replaces it. */
export interface Occurrence {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  context: PlaceholderContext;
  text: string;
}

/** Any other change to the script text (escaping, an unquoted here-document delimiter). */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** How every Katib trial-parameter placeholder starts. */
export const placeholderPrefix = '${trialParameters.';

/** The text that expands to variable `env`'s exact value, as one word, in `context`. */
export function referenceText(context: PlaceholderContext, env: string): string {
  if (context === 'bare') return `"\${${env}}"`;
  // Close the quote, splice the expansion in double quotes, reopen: still one word.
  if (context === 'single') return `'"\${${env}}"'`;
  if (context === 'ansi') return `'"\${${env}}"$'`;
  // Inside "…", a here-document body, arithmetic or a comment, quotes would be literal characters.
  return `\${${env}}`;
}

/** Writes `text` so that a shell reading it in `context` yields exactly `text` (for a nested script). */
export function encodeFor(context: PlaceholderContext, text: string): string {
  switch (context) {
    case 'bare':
      return `'${text.replaceAll("'", "'\\''")}'`;
    case 'single':
      return text.replaceAll("'", "'\\''");
    case 'double':
      return text.replace(/[\\"$`]/g, '\\$&');
    case 'ansi':
      return text.replace(/[\\']/g, '\\$&');
    case 'heredoc':
      return text.replace(/[\\$`]/g, '\\$&');
    default:
      return text;
  }
}

/** The `$'…'` escapes decoded exactly; others make a word's run-time text unknown. */
export const ansiEscapes: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** `text` with the occurrences' and edits' spans replaced (they never overlap). */
export function apply(text: string, occurrences: readonly Occurrence[], edits: readonly Edit[]): string {
  const all = [...occurrences, ...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const e of all) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

/** The error for a script shape that cannot be rendered safely. */
export function unsupported(message: string): WorkbenchError {
  return new WorkbenchError(ErrorCode.invalidSpec, `trial template shell script: ${message}`);
}
