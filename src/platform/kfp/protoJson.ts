/**
 * A strict reader of proto3 JSON (the rules of Go's `protojson.Unmarshal`, which KFP's API server and driver use)
 * over protobufjs reflection. protobufjs's own `fromObject` drops unknown fields, maps unknown enum names to 0 and
 * loses `google.protobuf.Struct` contents, so this walks the schema itself: unknown keys, unknown enum names, a key
 * given twice (JSON name and proto name), two members of one oneof and mistyped scalars are issues, each with its
 * path; what passes comes out as the object protobufjs's `fromObject` takes (Struct/Value/ListValue converted).
 * Only types are imported from protobufjs here: the package is loaded by schema.ts, lazily.
 */
import type { Enum, Field, Type } from 'protobufjs';
import type { Issue } from '../../common/issue.ts';

/** The JSON name protoc gives a field: underscores dropped, the letter after each upper-cased. */
export function jsonName(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** `path.key`, or `key` at the top. */
export const joinPath = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const int32Types = new Set(['int32', 'sint32', 'sfixed32', 'uint32', 'fixed32']);
const int64Types = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

/** A reader that records issues and returns converted values (undefined when the value was refused). */
export class ProtoJsonReader {
  readonly issues: Issue[] = [];

  private issue(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  /** Reads `json` as a `type` message at `path`. */
  message(type: Type, json: unknown, path: string): Record<string, unknown> | undefined {
    switch (type.fullName) {
      case '.google.protobuf.Struct':
        return this.struct(json, path);
      case '.google.protobuf.Value':
        return this.value(json, path);
      case '.google.protobuf.ListValue':
        return Array.isArray(json)
          ? { values: json.map((v, i) => this.value(v, `${path}[${i}]`) ?? {}) }
          : this.issue(path, 'must be a list');
      case '.google.protobuf.Duration':
        return this.duration(json, path);
      case '.google.protobuf.Any':
        return this.issue(path, 'google.protobuf.Any is not read by this check');
    }
    if (!isObject(json)) return this.issue(path, `must be a mapping (message ${type.name})`);
    const byName = new Map<string, Field>();
    for (const f of type.fieldsArray) {
      byName.set(f.name, f);
      byName.set(jsonName(f.name), f);
    }
    const out: Record<string, unknown> = {};
    const oneofs = new Map<string, string>();
    for (const [key, raw] of Object.entries(json)) {
      const at = joinPath(path, key);
      const field = byName.get(key);
      if (field === undefined) {
        this.issue(
          at,
          `unknown field '${key}' in ${type.name}; known: ${type.fieldsArray.map((f) => jsonName(f.name)).join(', ')}`,
        );
        continue;
      }
      if (field.name in out) {
        this.issue(at, `field '${field.name}' is given twice (by its JSON and its proto name)`);
        continue;
      }
      field.resolve();
      // proto3 JSON: null is the field's default (unset), except for google.protobuf.Value, where it is NULL_VALUE.
      if (raw === null && field.resolvedType?.fullName !== '.google.protobuf.Value') continue;
      if (field.partOf !== null) {
        const other = oneofs.get(field.partOf.name);
        if (other !== undefined) {
          this.issue(at, `'${key}' and '${other}' are members of oneof '${field.partOf.name}': give only one`);
          continue;
        }
        oneofs.set(field.partOf.name, key);
      }
      const v = this.field(field, raw, at);
      if (v !== undefined) out[field.name] = v;
    }
    return out;
  }

  private field(field: Field, raw: unknown, path: string): unknown {
    if (field.map) {
      if (!isObject(raw)) return this.issue(path, 'must be a mapping');
      const keyType = (field as unknown as { keyType: string }).keyType;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (keyType !== 'string' && !/^-?\d+$/.test(k) && keyType !== 'bool')
          this.issue(joinPath(path, k), `map key must be ${keyType}`);
        if (v === null) {
          this.issue(joinPath(path, k), 'a map value cannot be null');
          continue;
        }
        const c = this.single(field, v, joinPath(path, k));
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    if (field.repeated) {
      if (!Array.isArray(raw)) return this.issue(path, 'must be a list');
      return raw.map((v, i) =>
        v === null ? this.issue(`${path}[${i}]`, 'a list item cannot be null') : this.single(field, v, `${path}[${i}]`),
      );
    }
    return this.single(field, raw, path);
  }

  private single(field: Field, v: unknown, path: string): unknown {
    const t = field.resolvedType;
    if (t !== null && 'values' in t && !('fieldsArray' in t)) return this.enumValue(t as Enum, v, path);
    if (t !== null) return this.message(t as Type, v, path);
    return this.scalar(field.type, v, path);
  }

  private enumValue(e: Enum, v: unknown, path: string): number | undefined {
    if (typeof v === 'string') {
      const n = e.values[v];
      return n === undefined
        ? this.issue(path, `unknown ${e.name} '${v}'; known: ${Object.keys(e.values).join(', ')}`)
        : n;
    }
    // protojson takes enum numbers too (open enums keep unknown numbers).
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    return this.issue(path, `must be a ${e.name} name`);
  }

  private scalar(type: string, v: unknown, path: string): unknown {
    if (type === 'string')
      return typeof v === 'string' ? v : this.issue(path, `must be a string, got ${JSON.stringify(v)}`);
    if (type === 'bool')
      return typeof v === 'boolean' ? v : this.issue(path, `must be true or false, got ${JSON.stringify(v)}`);
    if (type === 'bytes') {
      return typeof v === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(v) ? v : this.issue(path, 'must be base64 text');
    }
    if (type === 'double' || type === 'float') {
      if (typeof v === 'number') return v;
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      return this.issue(path, `must be a number, got ${JSON.stringify(v)}`);
    }
    if (int32Types.has(type) || int64Types.has(type)) {
      // protojson takes integers as numbers or as decimal strings (64-bit ones are written as strings).
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
      if (!Number.isInteger(n)) return this.issue(path, `must be a whole number, got ${JSON.stringify(v)}`);
      if (type.startsWith('u') || type.startsWith('fixed')) {
        if (n < 0) return this.issue(path, `must not be negative, got ${n}`);
      }
      const unsigned32 = type === 'uint32' || type === 'fixed32';
      const [lo, hi] = unsigned32 ? [0, 2 ** 32 - 1] : [-(2 ** 31), 2 ** 31 - 1];
      if (int32Types.has(type) && (n < lo || n > hi)) return this.issue(path, `${n} does not fit ${type}`);
      return n;
    }
    return this.issue(path, `unhandled scalar type ${type}`);
  }

  private struct(json: unknown, path: string): Record<string, unknown> | undefined {
    if (!isObject(json)) return this.issue(path, 'must be a mapping (google.protobuf.Struct)');
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) fields[k] = this.value(v, joinPath(path, k)) ?? {};
    return { fields };
  }

  private value(v: unknown, path: string): Record<string, unknown> | undefined {
    if (v === null) return { nullValue: 0 };
    if (typeof v === 'number')
      return Number.isFinite(v) ? { numberValue: v } : this.issue(path, 'must be a finite number');
    if (typeof v === 'string') return { stringValue: v };
    if (typeof v === 'boolean') return { boolValue: v };
    if (Array.isArray(v)) return { listValue: { values: v.map((x, i) => this.value(x, `${path}[${i}]`) ?? {}) } };
    if (isObject(v)) return { structValue: this.struct(v, path) };
    return this.issue(path, `not a JSON value: ${String(v)}`);
  }

  private duration(v: unknown, path: string): Record<string, unknown> | undefined {
    const m = typeof v === 'string' ? /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(v) : null;
    if (!m) return this.issue(path, `must be a duration such as "3.5s", got ${JSON.stringify(v)}`);
    const sign = m[1] === '-' ? -1 : 1;
    return { seconds: sign * Number(m[2]), nanos: sign * Number((m[3] ?? '').padEnd(9, '0') || '0') };
  }
}
