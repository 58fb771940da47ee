/** One difference between a stored experiment's spec and the one a run was given. */
export interface SpecChange {
  /** Where it differs, e.g. `spec.parameters[0].feasibleSpace.max` (`spec.parameters[lr]…` when names help). */
  readonly path: string;
  /** The stored value (undefined: not set). */
  readonly stored: unknown;
  /** The new value (undefined: not set). */
  readonly given: unknown;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A named list element (a parameter, a metric strategy) is shown by name, which says more than its index. */
function elementLabel(a: unknown, b: unknown, i: number): string {
  const name = (x: unknown) => (isPlainObject(x) && typeof x.name === 'string' ? x.name : undefined);
  const n = name(a) ?? name(b);
  return n !== undefined && name(a) === name(b) ? `${i} (${n})` : String(i);
}

function walk(path: string, stored: unknown, given: unknown, out: SpecChange[]): void {
  if (Array.isArray(stored) && Array.isArray(given)) {
    for (let i = 0; i < Math.max(stored.length, given.length); i++) {
      walk(`${path}[${elementLabel(stored[i], given[i], i)}]`, stored[i], given[i], out);
    }
    return;
  }
  if (isPlainObject(stored) && isPlainObject(given)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(given)])].sort();
    for (const k of keys) walk(path === '' ? k : `${path}.${k}`, stored[k], given[k], out);
    return;
  }
  if (JSON.stringify(stored) !== JSON.stringify(given)) out.push({ path, stored, given });
}

/**
 * The differences between two Experiment manifests (both with Katib's defaults applied), leaf by leaf, in a stable
 * order: what `Experiment` and `hpo run` name when a stored experiment of the same name has another spec.
 */
export function specChanges(stored: unknown, given: unknown): SpecChange[] {
  const out: SpecChange[] = [];
  walk('', stored, given, out);
  return out;
}

function show(v: unknown): string {
  return v === undefined ? '(not set)' : JSON.stringify(v);
}

/** `spec.algorithm.algorithmName: "random" → "tpe"`, one change per line part; at most `limit`, then a count. */
export function describeSpecChanges(changes: readonly SpecChange[], limit = 8): string {
  const shown = changes.slice(0, limit).map((c) => `${c.path}: stored ${show(c.stored)}, now ${show(c.given)}`);
  const more = changes.length > limit ? [`and ${changes.length - limit} more`] : [];
  return [...shown, ...more].join('; ');
}
