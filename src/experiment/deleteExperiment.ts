import { type ExperimentRef, experimentKey, type Store } from '../store/types.ts';
import { ExperimentWorkspace } from '../trial/workspace.ts';
import { releaseControllerLock, takeControllerLock } from './lease.ts';

/**
 * Deletes a stored experiment (its record, trials, observations, events) and its folder of trial workspaces and
 * logs, so that running an experiment of that name starts fresh: what `hpo delete` does, for code and notebooks.
 * Takes the experiment's lock first, so it refuses (`conflict`) while a live controller (of any process, this one
 * included) or workers run it. Returns false when
 * there was no such experiment.
 */
export async function deleteExperiment(store: Store, experiment: ExperimentRef): Promise<boolean> {
  const key = experimentKey(experiment);
  if (!(await store.getExperiment(key))) return false;
  // As a controller would: refused while a controller (of any process, this one included) or workers drive it.
  await takeControllerLock(store, key, new Date());
  try {
    await store.deleteExperiment(key);
    await new ExperimentWorkspace(store.root, key).remove();
  } finally {
    await releaseControllerLock(store, key);
  }
  return true;
}
