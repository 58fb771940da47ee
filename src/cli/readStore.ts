import {
  describeExperimentKey,
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
  /** The experiment's namespace (`--namespace`); without it a name is looked up in every namespace. */
  namespace?: string;
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

/**
 * The stored experiment `name`: in `namespace` when given, else the one experiment of that name whatever its
 * namespace (as most stores hold one namespace, `default`). A `notFound` error lists the experiments the store
 * has; a name held in several namespaces asks for `--namespace`.
 */
export async function requireExperiment(store: Store, name: string, namespace?: string): Promise<ExperimentRecord> {
  if (namespace !== undefined) {
    const exp = await store.getExperiment({ namespace, name });
    if (exp) return exp;
  } else {
    const found = (await store.listExperiments()).filter((e) => e.name === name);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `experiment '${name}' is in several namespaces (${found.map((e) => e.namespace).join(', ')}); pick one with --namespace`,
      );
    }
  }
  const known = (await store.listExperiments()).map((e) => describeExperimentKey(e));
  const where = namespace === undefined ? '' : ` in namespace ${namespace}`;
  throw new WorkbenchError(
    ErrorCode.notFound,
    `no experiment '${name}'${where} in store ${store.location}${known.length ? `; known: ${known.join(', ')}` : ''} (use --store to pick another store)`,
  );
}

/** The stored trial `trial` of experiment `exp`, or a `notFound` error pointing to `hpo trials`. */
export async function requireTrial(store: Store, exp: ExperimentRecord, trial: string): Promise<TrialRecord> {
  const t = await store.getTrial(exp, trial);
  if (!t)
    throw new WorkbenchError(
      ErrorCode.notFound,
      `experiment '${describeExperimentKey(exp)}' has no trial '${trial}'; see \`hpo trials ${exp.name}\``,
    );
  return t;
}
