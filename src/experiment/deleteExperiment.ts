import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { describeExperimentKey, type ExperimentRef, experimentKey, type Store } from '../store/types.ts';
import { ExperimentWorkspace } from '../trial/workspace.ts';

/**
 * Deletes a stored experiment (its record, trials, observations, events) and its folder of trial workspaces and
 * logs, so that running an experiment of that name starts fresh: what `hpo delete` does, for code and notebooks.
 * Takes the experiment's lock first, so it refuses (`conflict`) while a live controller runs it. Returns false when
 * there was no such experiment.
 */
export async function deleteExperiment(store: Store, experiment: ExperimentRef): Promise<boolean> {
  const key = experimentKey(experiment);
  if (!(await store.getExperiment(key))) return false;
  if (!(await store.acquireExperimentLock(key))) {
    const held = await store.getExperimentLock(key);
    throw new WorkbenchError(
      ErrorCode.conflict,
      `experiment '${describeExperimentKey(key)}' is being run by process ${held?.pid ?? '?'} on ${held?.host ?? 'another host'}; stop it before deleting it`,
    );
  }
  try {
    await store.deleteExperiment(key);
    await new ExperimentWorkspace(store.root, key).remove();
  } finally {
    await store.releaseExperimentLock(key);
  }
  return true;
}
