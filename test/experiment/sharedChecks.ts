// Checks shared by the shared-experiment tests over SQLite and PostgreSQL.
import { expect } from 'vitest';
import type { Store, TrialRecord } from '../../src/store/types.ts';

/** What every finished shared experiment must satisfy: the budget used exactly once, nothing left leased. */
export async function expectCompleteAndUnique(
  store: Store,
  name: string,
  maxTrialCount: number,
): Promise<TrialRecord[]> {
  const trials = await store.listTrials(name);
  expect(new Set(trials.map((t) => t.name)).size).toBe(trials.length);
  expect(new Set(trials.map((t) => t.seq)).size).toBe(trials.length);
  const counted = trials.filter((t) => t.state !== 'Killed');
  expect(counted.map((t) => t.state)).toEqual(Array(maxTrialCount).fill('Succeeded'));
  expect(await store.listTrialLeases(name)).toEqual([]);
  const rec = await store.getExperiment(name);
  expect([rec?.phase, rec?.reason]).toEqual(['Succeeded', 'ExperimentMaxTrialsReached']);
  return trials;
}
