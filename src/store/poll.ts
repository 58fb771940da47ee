import type { ExperimentPoll, ExperimentRef, PollQuery, Store } from './types.ts';

/**
 * {@link Store.pollExperiment} from the store's other calls: the change page first, then the trials it names and
 * the rest (a trial written after the page is at least as new here, and named again by the next poll). The SQLite
 * store uses it as it is; PostgreSQL reads it all in one statement.
 */
export async function pollIn(store: Store, experiment: ExperimentRef, q: PollQuery): Promise<ExperimentPoll> {
  const changes = await store.changesSince(experiment, q.since, q.limit);
  const named = new Set<string>();
  for (const c of changes.changes) if (c.kind === 'trial' && c.trial !== undefined) named.add(c.trial);
  const [record, trials, rows, state, leases] = await Promise.all([
    store.getExperiment(experiment),
    store.getTrials(experiment, [...named]),
    store.getObservationsOf(experiment, { metric: q.metric, afterId: q.afterId }),
    store.loadAlgorithmState(experiment),
    store.listTrialLeases(experiment),
  ]);
  const first = leases.reduce<string | undefined>(
    (min, l) => (min === undefined || Date.parse(l.expiresAt) < Date.parse(min) ? l.expiresAt : min),
    undefined,
  );
  return { record, changes, trials, rows, state, leasesExpireAt: first };
}
