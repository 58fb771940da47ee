// The tabular NAS benchmark's table (NAS-Bench-101/201 style): every architecture of a small Katib nasConfig space,
// trained once with fixed seeds, looked up by Katib's `architecture` text so that searches get instant trials.
import { readFileSync } from 'node:fs';
import type { Architecture } from '../../src/search/nas/enasEncoding.ts';
import { architectureText } from '../../src/search/nas/enasEncoding.ts';

/** One trained architecture: Katib's `architecture` text, its validation accuracy per epoch, and its cost. */
export interface TableRow {
  readonly architecture: string;
  readonly curve: readonly number[];
  readonly seconds: number;
}

/** The stored table: how it was built and one row per architecture of the space. */
export interface NasTable {
  readonly space: string;
  readonly layers: number;
  readonly operations: number;
  readonly epochs: number;
  readonly seed: number;
  readonly built: Readonly<Record<string, string | number>>;
  readonly rows: readonly TableRow[];
}

/**
 * Every architecture of `layers` layers over `operations` operation ids, in Katib's encoding (layer l: the operation
 * id, then l skip bits), in a fixed order: operations^layers × 2^(layers·(layers−1)/2) of them.
 */
export function allArchitectures(layers: number, operations: number): Architecture[] {
  let partial: number[][][] = [[]];
  for (let l = 0; l < layers; l++) {
    const next: number[][][] = [];
    for (const prefix of partial) {
      for (let op = 0; op < operations; op++) {
        for (let bits = 0; bits < 2 ** l; bits++) {
          const skips = Array.from({ length: l }, (_, j) => (bits >> j) & 1);
          next.push([...prefix, [op, ...skips]]);
        }
      }
    }
    partial = next;
  }
  return partial;
}

/** The final-epoch accuracy of each architecture text. */
export type Lookup = ReadonlyMap<string, number>;

/**
 * Checks a parsed table (every architecture of its space exactly once, finite accuracies in [0, 1], one per epoch)
 * and returns the lookup of final accuracies; throws naming the first problem, so a damaged or stale table is
 * never searched.
 */
export function tableLookup(table: NasTable): Lookup {
  const expected = allArchitectures(table.layers, table.operations).map(architectureText);
  const lookup = new Map<string, number>();
  for (const [i, row] of table.rows.entries()) {
    if (lookup.has(row.architecture)) throw new Error(`table row ${i}: ${row.architecture} appears twice`);
    if (row.curve.length !== table.epochs) {
      throw new Error(`table row ${i}: ${row.curve.length} accuracies for ${table.epochs} epochs`);
    }
    if (!row.curve.every((a) => Number.isFinite(a) && a >= 0 && a <= 1)) {
      throw new Error(`table row ${i}: accuracies must be numbers in [0, 1]`);
    }
    lookup.set(row.architecture, row.curve.at(-1)!);
  }
  const missing = expected.filter((a) => !lookup.has(a));
  if (missing.length > 0 || lookup.size !== expected.length) {
    throw new Error(
      `the table does not hold exactly the ${expected.length} architectures of its space` +
        (missing.length > 0 ? ` (missing ${missing[0]} and ${missing.length - 1} more)` : ''),
    );
  }
  return lookup;
}

/** Reads and checks a table file. */
export function loadTable(path: string): { table: NasTable; lookup: Lookup } {
  const table = JSON.parse(readFileSync(path, 'utf8')) as NasTable;
  return { table, lookup: tableLookup(table) };
}

/**
 * The accuracy an architecture needs to be in the table's top `fraction` (0.01 = top 1%): the accuracy of the
 * ⌈fraction · N⌉-th best, so ties at that accuracy all count as top.
 */
export function topThreshold(lookup: Lookup, fraction: number): number {
  const sorted = [...lookup.values()].sort((a, b) => b - a);
  const k = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[k - 1]!;
}
