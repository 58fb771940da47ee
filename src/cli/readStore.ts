import {
  ErrorCode,
  type ExperimentRecord,
  openStoreForReading,
  type Store,
  type StoreDamage,
  type TrialRecord,
  WorkbenchError,
} from '../index.ts';
import { err } from './output.ts';

/** Options every command that reads the store takes. */
export interface StoreOptions {
  store?: string;
}

function describeDamage(d: StoreDamage): string {
  const where = `experiment '${d.experiment}'${d.trial === undefined ? '' : `, trial '${d.trial}'`}, column ${d.column}`;
  return `warning: damaged store row (${where}): ${d.problem}; shown without it`;
}

/**
 * Runs a read command against the store: opened read-only (never created, never written), closed afterwards.
 * A damaged column in one row does not stop the command: the rest is shown and each damaged column is reported
 * once on stderr with its experiment, trial and column.
 */
export async function withReadStore<T>(location: string | undefined, use: (store: Store) => Promise<T>): Promise<T> {
  const seen = new Set<string>();
  const store = openStoreForReading(location, {
    onDamage: (d) => {
      const line = describeDamage(d);
      if (!seen.has(line)) {
        seen.add(line);
        err(line);
      }
    },
  });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** The stored experiment `name`, or a `notFound` error listing the experiments the store has. */
export async function requireExperiment(store: Store, name: string): Promise<ExperimentRecord> {
  const exp = await store.getExperiment(name);
  if (!exp) {
    const names = (await store.listExperiments()).map((e) => e.name);
    throw new WorkbenchError(
      ErrorCode.notFound,
      `no experiment '${name}' in store ${store.root}${names.length ? `; known: ${names.join(', ')}` : ''} (use --store to pick another store)`,
    );
  }
  return exp;
}

/** The stored trial `trial` of experiment `name`, or a `notFound` error pointing to `hpo trials`. */
export async function requireTrial(store: Store, name: string, trial: string): Promise<TrialRecord> {
  const t = await store.getTrial(name, trial);
  if (!t)
    throw new WorkbenchError(
      ErrorCode.notFound,
      `experiment '${name}' has no trial '${trial}'; see \`hpo trials ${name}\``,
    );
  return t;
}
