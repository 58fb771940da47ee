/**
 * Small readers for manifests that came from YAML and may not have the shape their types promise.
 * Validators and defaulting go through these instead of trusting `ExperimentManifest`'s static types.
 */

/** A plain JSON/YAML mapping. */
export type Obj = Record<string, unknown>;

/** True for a mapping (not null, not an array). */
export function isRecord(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string, or undefined. */
export function asNonEmptyString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** True when a field is absent in the Go sense: missing, null, or the empty string. */
export function isUnset(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** Appends `[i]` or `.key` to a dotted issue path. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Renders a value for an issue message: strings quoted, everything else as JSON. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  return JSON.stringify(v) ?? String(v);
}
