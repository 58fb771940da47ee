/**
 * GJSON array queries, `#(key op value)`: parsing the inside of the parentheses and matching one element,
 * with tidwall/gjson's typing rules (the element's JSON type decides how the literal is compared).
 */

/** A parsed query: the path evaluated on each element, the operator ('' tests existence) and the literal. */
export interface GjsonQuery {
  readonly key: string;
  readonly op: '' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '%' | '!%';
  readonly value: string;
}

const ops = ['==', '!=', '!%', '<=', '>=', '=', '<', '>', '%'] as const;

/** Index just past the `closer` matching the opener at `start`, skipping quoted strings and nesting; -1 if none. */
export function matchingClose(s: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '"') i = endOfString(s, i);
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  return -1;
}

/** Index of the quote closing the string that opens at `quote` (or the end of `s`). */
export function endOfString(s: string, quote: number): number {
  for (let i = quote + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return s.length;
}

function literal(raw: string): string {
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return v.slice(1, -1);
    }
  }
  return v;
}

/** Parses `type=="Complete"`, `age>45`, `first%"D*"`, `==5`, or a bare `name` (existence). */
export function parseQuery(inside: string): GjsonQuery {
  let depth = 0;
  for (let i = 0; i < inside.length; i++) {
    const c = inside[i];
    if (c === '\\') i++;
    else if (c === '"') i = endOfString(inside, i);
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0) {
      const op = ops.find((o) => inside.startsWith(o, i));
      if (op !== undefined) {
        return {
          key: inside.slice(0, i).trim(),
          op: op === '==' ? '=' : op,
          value: literal(inside.slice(i + op.length)),
        };
      }
    }
  }
  return { key: inside.trim(), op: '', value: '' };
}

/** gjson's `%` pattern: `*` matches any run of characters, `?` exactly one. */
export function globMatch(text: string, pattern: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${re}$`).test(text);
}

function truthy(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return ['1', 't', 'true'].includes(v.toLowerCase());
  return false;
}

/**
 * gjson's `~` literals coerce the element to a boolean: `~true`, `~false`, `~null`, `~*` (exists). As in gjson, a
 * missing value counts as null, so it is `~null` and `~false` too.
 */
function tilde(value: unknown, literalValue: string): { value: unknown; literal: string } | undefined {
  const which = literalValue.slice(1);
  const nullish = value === undefined || value === null;
  if (which === '*') return { value: value !== undefined, literal: 'true' };
  if (which === 'null') return { value: nullish, literal: 'true' };
  if (which === 'true') return { value: truthy(value), literal: 'true' };
  if (which === 'false') {
    const falsy =
      nullish ||
      value === false ||
      value === 0 ||
      (typeof value === 'string' && ['0', 'f', 'false'].includes(value.toLowerCase()));
    return { value: falsy, literal: 'true' };
  }
  return undefined;
}

function compare<T>(a: T, b: T, op: GjsonQuery['op']): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}

/**
 * Whether one element's value (`undefined` when the key path found nothing) satisfies the query. Missing values never
 * match, not even `!=`; a string literal compared with a number is parsed as a number (0 when it is not one).
 */
export function queryMatches(query: GjsonQuery, value: unknown): boolean {
  let rpv = query.value;
  if (rpv.startsWith('~')) {
    const t = tilde(value, rpv);
    if (t === undefined) return false;
    value = t.value;
    rpv = t.literal;
  }
  if (value === undefined) return false;
  if (query.op === '') return true;
  if (typeof value === 'string') {
    if (query.op === '%') return globMatch(value, rpv);
    if (query.op === '!%') return !globMatch(value, rpv);
    return compare(value, rpv, query.op);
  }
  if (typeof value === 'number') {
    const n = Number(rpv);
    return compare(value, Number.isNaN(n) || rpv === '' ? 0 : n, query.op);
  }
  if (value === true) {
    return (
      (query.op === '=' && rpv === 'true') ||
      (query.op === '!=' && rpv !== 'true') ||
      (query.op === '>' && rpv === 'false') ||
      query.op === '>='
    );
  }
  if (value === false) {
    return (
      (query.op === '=' && rpv === 'false') ||
      (query.op === '!=' && rpv !== 'false') ||
      (query.op === '<' && rpv === 'true') ||
      query.op === '<='
    );
  }
  return false;
}
