/**
 * The subset of GJSON path syntax (tidwall/gjson, which Katib uses for `successCondition`/`failureCondition`)
 * that Katib's defaults and examples need, evaluated on plain objects instead of JSON text: dotted keys with `\`
 * escapes and `*`/`?` wildcards, array indices, `#` (count, or map with `#.key`), `#(query)` / `#(query)#`,
 * `|` pipes, the `@this`, `@reverse`, `@flatten`, `@keys`, `@values` modifiers and `[a,b]` multipaths.
 */
import { isRecord } from '../../spec/read.ts';
import { endOfString, globMatch, matchingClose, parseQuery, queryMatches } from './gjsonQuery.ts';

/** Index of the first top-level `|` in `path` (outside quotes, brackets and escapes), or -1. */
function topLevelPipe(path: string): number {
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\') i++;
    else if (c === '"') i = endOfString(path, i);
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '|' && depth === 0) return i;
  }
  return -1;
}

/** Splits a plain key component off `path`: the unescaped key, whether it has wildcards, and what follows. */
function keyComponent(path: string): { key: string; wild: boolean; rest: string } {
  let key = '';
  let wild = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === '\\' && i + 1 < path.length) {
      key += `\\${path[++i]}`;
    } else if (c === '.' || c === '|') {
      return { key, wild, rest: path.slice(i) };
    } else {
      if (c === '*' || c === '?') wild = true;
      key += c;
    }
  }
  return { key, wild, rest: '' };
}

function unescapeKey(key: string): string {
  return key.replace(/\\(.)/g, '$1');
}

/** The next step after a component: `sep` is '.', '|' or '' (end of path). */
function next(rest: string): { sep: string; path: string } {
  if (rest === '') return { sep: '', path: '' };
  return { sep: rest[0] as string, path: rest.slice(1) };
}

/** Applies `rest` (starting with '.', '|' or empty) to a single value. */
function then(value: unknown, rest: string): unknown {
  if (value === undefined) return undefined;
  const { sep, path } = next(rest);
  return sep === '' ? value : get(value, path);
}

/**
 * After `#` or `#(…)#`: a `.rest` runs on each element (up to the next top-level pipe, results that exist are
 * collected) and the remainder runs on that array; a `|rest` runs on the array itself.
 */
function mapThen(items: readonly unknown[], whole: unknown, rest: string): unknown {
  const { sep, path } = next(rest);
  if (sep === '') return whole;
  if (sep === '|') return get(whole, path);
  const pipe = topLevelPipe(path);
  const perItem = pipe < 0 ? path : path.slice(0, pipe);
  const mapped = items.map((x) => get(x, perItem)).filter((x) => x !== undefined);
  return pipe < 0 ? mapped : get(mapped, path.slice(pipe + 1));
}

const modifiers: Record<string, (v: unknown) => unknown> = {
  this: (v) => v,
  reverse: (v) =>
    Array.isArray(v) ? [...v].reverse() : isRecord(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
  flatten: (v) => (Array.isArray(v) ? v.flatMap((x) => (Array.isArray(x) ? x : [x])) : v),
  keys: (v) => (isRecord(v) ? Object.keys(v) : undefined),
  values: (v) => (isRecord(v) ? Object.values(v) : undefined),
};

function arrayStep(value: unknown, path: string): unknown {
  if (!Array.isArray(value)) return undefined;
  if (path.startsWith('#(')) {
    const end = matchingClose(path, 1, '(', ')');
    if (end < 0) return undefined;
    const query = parseQuery(path.slice(2, end - 1));
    const all = path[end] === '#';
    const rest = path.slice(all ? end + 1 : end);
    const test = (x: unknown): boolean => queryMatches(query, query.key === '' ? x : get(x, query.key));
    if (!all) return then(value.find(test), rest);
    const matches = value.filter(test);
    return mapThen(matches, matches, rest);
  }
  // A bare `#`: the count, or with `.rest` the rest mapped over every element.
  return mapThen(value, value.length, path.slice(1));
}

/** Evaluates a GJSON path on `value`; undefined when nothing exists there. */
function get(value: unknown, path: string): unknown {
  if (value === undefined) return undefined;
  if (path === '') return value;
  if (path.startsWith('#')) return arrayStep(value, path);
  if (path.startsWith('@')) {
    const { key, rest } = keyComponent(path.slice(1));
    const name = key.split(':')[0] ?? '';
    const modifier = modifiers[name];
    if (modifier !== undefined) {
      const out = modifier(value);
      return out === undefined ? undefined : then(out, rest);
    }
  }
  if (path.startsWith('[')) {
    const end = matchingClose(path, 0, '[', ']');
    if (end < 0) return undefined;
    const results = splitTopLevel(path.slice(1, end - 1))
      .map((p) => get(value, p.trim()))
      .filter((x) => x !== undefined);
    // A multipath builds a new document; whatever follows (after '.' or '|') applies to that array.
    return then(results, path.slice(end));
  }
  const { key, wild, rest } = keyComponent(path);
  let child: unknown;
  if (Array.isArray(value)) {
    child = /^\d+$/.test(key) ? value[Number(key)] : undefined;
  } else if (isRecord(value)) {
    const plain = unescapeKey(key);
    const found = wild ? Object.keys(value).find((k) => globMatch(k, key)) : plain in value ? plain : undefined;
    child = found === undefined ? undefined : value[found];
  }
  return then(child, rest);
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '\\') i++;
    else if (c === '"') i = endOfString(list, i);
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts.filter((p) => p.trim() !== '');
}

/**
 * Evaluates a GJSON path (e.g. Katib's `status.conditions.#(type=="Complete")#|#(status=="True")#` or Argo's
 * `status.[@this].#(phase=="Succeeded")#`) on a plain object. Returns undefined when the path matches nothing.
 */
export function evaluateGjson(obj: unknown, path: string): unknown {
  return get(obj, path);
}
