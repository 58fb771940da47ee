/**
 * The text Katib's NAS services hand to trials: Python's `json.dumps(value)` with every `"` then replaced by `'`.
 * Trial images parse these strings, so they are reproduced byte for byte (Python's default separators `, ` and
 * `: `, `ensure_ascii` escapes, `repr` of floats, dict insertion order).
 */

/** A Python value as the NAS services build it. Python keeps `int` and `float` apart (`5` vs `5.0`), so numbers are tagged. */
export type PyValue =
  | null
  | boolean
  | string
  | { readonly int: number }
  | { readonly float: number }
  | readonly PyValue[]
  | PyDict;

/**
 * A Python dict: a Map keeps insertion order for every key (a plain object would move integer-like keys such as
 * ENAS's operation ids to the front) and, like a dict, keeps a key's first position when it is set again.
 */
export type PyDict = ReadonlyMap<string, PyValue>;

/** A Python `int`. */
export function pyInt(value: number): { readonly int: number } {
  return { int: value };
}

/** A Python `float`. */
export function pyFloat(value: number): { readonly float: number } {
  return { float: value };
}

/**
 * Python's `repr(float)`: the shortest digits that round-trip (as JavaScript's), written in fixed notation when
 * the decimal exponent is in [-4, 16) with at least one decimal (`5.0`), else as `1e-05` / `1.5e+16`.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const rest = digits.slice(1);
    const e = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${rest === '' ? '' : `.${rest}`}e${e}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}

/** A string as `json.dumps` writes it with `ensure_ascii=True`: `\"`, `\\`, short escapes, `\uXXXX` for the rest. */
function pyString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    // UTF-16 units, as Python escapes a non-BMP character as its surrogate pair.
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Python's `json.dumps(value)` with its default options. */
export function pythonJsonDumps(value: PyValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (value instanceof Map) {
    const entries = [...(value as PyDict).entries()].map(([k, v]) => `${pyString(k)}: ${pythonJsonDumps(v)}`);
    return `{${entries.join(', ')}}`;
  }
  if ('int' in value) return String(value.int);
  return pythonFloatRepr((value as { readonly float: number }).float);
}

/** What Katib's NAS services send: `json.dumps(value)` with `"` replaced by `'` (escaped quotes become `\'`). */
export function katibNasText(value: PyValue): string {
  return pythonJsonDumps(value).replaceAll('"', "'");
}
