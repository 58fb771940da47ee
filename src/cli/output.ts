import { stringify } from 'yaml';

/** Every output format a command may offer; each command offers a subset (its first is the default). */
export type Output = 'table' | 'text' | 'json' | 'yaml' | 'csv';

/** Writes a line (or lines) to stdout, adding the final newline when missing. */
export function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
}

/** Writes a line (or lines) to stderr, adding the final newline when missing. */
export function err(s: string): void {
  process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
}

/**
 * A machine-readable document in the chosen format: indented JSON, or YAML (the same data, for people who read
 * kubectl's `-o yaml`). `compact` prints JSON on one line, so `--watch` emits JSON Lines a consumer can split.
 */
export function renderDocument(doc: unknown, format: 'json' | 'yaml', compact = false): string {
  if (format === 'yaml') return stringify(doc ?? null, { lineWidth: 0 });
  return compact ? JSON.stringify(doc ?? null) : JSON.stringify(doc ?? null, null, 2);
}

/** True for the formats {@link renderDocument} writes. */
export function isDocumentFormat(format: string | undefined): format is 'json' | 'yaml' {
  return format === 'json' || format === 'yaml';
}
