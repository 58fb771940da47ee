/** Option parsing shared by the benchmark entry points (`bench/search/run.ts`, `bench/multifidelity/run.ts`). */

/** A comma-separated option as a list of non-empty trimmed names; undefined when the option was not given. */
export function listOption(v: string | undefined): string[] | undefined {
  return v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A positive integer option, or an error naming `--name`. */
export function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
}
