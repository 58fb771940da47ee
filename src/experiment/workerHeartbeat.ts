/**
 * A worker's heartbeat (`hpo worker`, see worker.ts): it renews the worker's trial leases, stops the trials whose
 * lease is gone, and writes the observations its running trials reported since the last beat, under their leases.
 */
import type { ExperimentKey, Store } from '../store/types.ts';
import type { StopReason } from '../trial/executor.ts';
import type { LiveTrial } from './liveTrial.ts';
import { appendUnderLeases } from './sharedTrials.ts';

/** One of the worker's running trials as the heartbeat sees it. */
export interface BeatingTrial {
  readonly live: LiveTrial;
  readonly token: string;
  /** The heartbeat round in which it was claimed: a renewal started before then does not know it yet. */
  readonly since: number;
}

/** What {@link heartbeat} needs. */
export interface Beat {
  readonly store: Store;
  readonly experiment: ExperimentKey;
  readonly worker: string;
  /** This beat's round (counted from 1). */
  readonly round: number;
  readonly now: Date;
  readonly leaseMs: number;
  /** The worker's running trials by name. */
  readonly held: ReadonlyMap<string, BeatingTrial>;
}

function leaseLost(worker: string): StopReason {
  return { kind: 'Killed', reason: 'LeaseLost', message: `worker ${worker} lost the lease of the trial` };
}

/**
 * Renews the worker's leases and writes its trials' buffered observations under them. A trial missing from the
 * renewal was reclaimed: it is stopped, and its end will be refused.
 */
export async function heartbeat(b: Beat): Promise<void> {
  let renewed: Set<string>;
  try {
    const expiresAt = new Date(b.now.getTime() + b.leaseMs).toISOString();
    renewed = new Set(await b.store.renewTrialLeases(b.experiment, b.worker, b.now.toISOString(), expiresAt));
  } catch {
    // A store briefly out of reach: the next beat tries again, well before the lease runs out.
    return;
  }
  for (const [name, h] of b.held) {
    if (h.since >= b.round || renewed.has(name)) continue;
    h.live.stop(leaseLost(b.worker));
  }
  await flush(b);
}

/**
 * Writes the observations the worker's running trials reported since the last flush, under their leases, so that
 * other workers' early-stopping rules, the dashboard and `hpo plot` see them while the trials run. Rows of a
 * trial whose lease is gone are dropped (its end will be refused too); rows a failed write took go back.
 */
async function flush(b: Beat): Promise<void> {
  const batches = [...b.held]
    .map(([trial, h]) => ({ trial, token: h.token, rows: h.live.metrics.drain(), metrics: h.live.metrics }))
    .filter((x) => x.rows.length > 0);
  if (batches.length === 0) return;
  try {
    const refused = await appendUnderLeases(b.store, b.experiment, batches);
    for (const trial of refused) b.held.get(trial)?.live.stop(leaseLost(b.worker));
  } catch {
    // A store briefly out of reach: the rows are written at the next beat, or with the trial's end.
    for (const x of batches) x.metrics.putBack(x.rows);
  }
}
