// RFC3339 handling for metric timestamps. Katib keeps the timestamp a line carried and compares times
// at nanosecond precision (Go `time.Time`); JavaScript dates stop at milliseconds, so times are kept as
// text and compared through a (seconds, nanoseconds) key.

/** A timestamp as a comparable key: whole seconds since the epoch and nanoseconds within that second. */
export interface TimeKey {
  readonly sec: number;
  readonly nanos: number;
}

/** The key of "no timestamp": Go's zero time `0001-01-01T00:00:00Z`, earlier than every real time (Katib's default). */
export const zeroTimeKey: TimeKey = { sec: -62135596800, nanos: 0 };

const daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (civil-from-days inverse; no Date object, any year). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Value of `count` ASCII digits at `at`, or -1 if any is not a digit. */
function digits(text: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Go's RFC3339Nano rendering of a key: UTC, fraction with trailing zeros removed (none when zero). */
export function formatTimeKey(key: TimeKey): string {
  const days = Math.floor(key.sec / 86400);
  const secOfDay = key.sec - days * 86400;
  // civil-from-days (Howard Hinnant's algorithm)
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const hh = Math.floor(secOfDay / 3600);
  const mm = Math.floor((secOfDay % 3600) / 60);
  const ss = secOfDay % 60;
  const base = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}`;
  if (key.nanos === 0) return `${base}Z`;
  return `${base}.${pad(key.nanos, 9).replace(/0+$/, '')}Z`;
}

/**
 * Parses an RFC3339 / RFC3339Nano timestamp the way Go's `time.Parse(time.RFC3339Nano, s)` accepts it
 * (ranges checked, up to 9 fraction digits, `Z` or `±hh:mm`). Returns undefined when it is not one.
 */
export function parseRfc3339(text: string): TimeKey | undefined {
  // The parser and then the accumulator parse the same text back to back: remember the last answer.
  if (text === lastText) return lastKey;
  const key = parseUncached(text);
  lastText = text;
  lastKey = key;
  return key;
}

let lastText: string | undefined;
let lastKey: TimeKey | undefined;

function parseUncached(text: string): TimeKey | undefined {
  // Hand-rolled (no regex, no Date): this runs on the first token of every metric line.
  const n = text.length;
  if (n < 20 || n > 35) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84 /* T */) return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  if (d > (daysInMonth[mo - 1] ?? 0) || (mo === 2 && d === 29 && !isLeap(y))) return undefined;
  let i = 19;
  let nanos = 0;
  if (text.charCodeAt(i) === 46 /* . */) {
    const from = ++i;
    while (i < n && i - from < 10 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    const count = i - from;
    if (count < 1 || count > 9) return undefined;
    nanos = digits(text, from, count) * 10 ** (9 - count);
  }
  let offset = 0;
  const zone = text.charCodeAt(i);
  if (zone === 90 /* Z */) {
    if (i + 1 !== n) return undefined;
  } else if (zone === 43 || zone === 45) {
    if (i + 6 !== n || text.charCodeAt(i + 3) !== 58) return undefined;
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offset = (oh * 60 + om) * 60 * (zone === 45 ? -1 : 1);
  } else return undefined;
  return { sec: daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset, nanos };
}

/** True when `text` is already in {@link formatTimeKey}'s canonical form (cheap check, used to skip re-formatting). */
export function isCanonicalRfc3339(text: string): boolean {
  const n = text.length;
  if (text.charCodeAt(n - 1) !== 90 /* Z */) return false;
  if (n === 20) return true;
  return text.charCodeAt(19) === 46 && text.charCodeAt(n - 2) !== 48 /* trailing '0' */;
}

/** Normalises an RFC3339 timestamp to Go's canonical UTC RFC3339Nano text, or undefined when it does not parse. */
export function normalizeRfc3339(text: string): string | undefined {
  const key = parseRfc3339(text);
  if (key === undefined) return undefined;
  return isCanonicalRfc3339(text) ? text : formatTimeKey(key);
}

/**
 * Converts epoch seconds (a JSON number such as `1638422847.28721`) to a key. The fraction is taken from
 * the number's shortest decimal form, so `.28721` becomes 287210000 ns. Katib instead reads the fraction
 * digits as an integer count of nanoseconds (`…27.000028721Z`); we deliberately do not copy that quirk.
 */
export function epochSecondsToKey(seconds: number): TimeKey | undefined {
  if (!Number.isFinite(seconds)) return undefined;
  const text = String(seconds);
  const plain = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (plain) {
    // Digits beyond nanoseconds are truncated, as Go's time would hold them.
    const nanos = plain[2] === undefined ? 0 : Number(plain[2].slice(0, 9).padEnd(9, '0'));
    return { sec: Number(plain[1]), nanos };
  }
  // Negative or exponent forms: plain arithmetic is precise enough there.
  const sec = Math.floor(seconds);
  let nanos = Math.round((seconds - sec) * 1e9);
  if (nanos >= 1e9) return { sec: sec + 1, nanos: nanos - 1e9 };
  if (nanos < 0) nanos = 0;
  return { sec, nanos };
}

/** Orders two keys: negative when `a` is earlier, 0 when equal, positive when later. */
export function compareTimeKeys(a: TimeKey, b: TimeKey): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nanos - b.nanos;
}
