/** Small helpers for plain JSON values used by the builders and `describeJob`. */
import { isRecord } from '../../spec/read.ts';
import type { JsonObject } from './types.ts';

/** Deep equality of JSON values, ignoring key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** `extra` laid over `base`: mappings merge key by key, anything else in `extra` replaces. Neither input changes. */
export function overlay(base: JsonObject, extra: JsonObject | undefined): JsonObject {
  if (extra === undefined) return base;
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? overlay(b, v) : v;
  }
  return out;
}

/** The fields of `obj` other than `known`, or undefined when there are none (what passthrough keeps). */
export function rest(obj: JsonObject, known: readonly string[]): JsonObject | undefined {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (!known.includes(k) && v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `T` with every property optional and never undefined: what `compact` returns. */
export type Compact<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/** A copy without the keys whose value is undefined, so optional fields are omitted rather than set to undefined. */
export function compact<T extends object>(obj: T): Compact<T> {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as Compact<T>;
}

/** A mapping value or undefined. */
export function objectOrUndefined(v: unknown): JsonObject | undefined {
  return isRecord(v) ? v : undefined;
}

/** A string array or undefined (anything else is left for passthrough). */
export function stringsOrUndefined(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? [...v] : undefined;
}
