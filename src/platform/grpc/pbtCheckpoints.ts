import { checkpointSetting } from '../../experiment/liveTrial.ts';
import type { Suggestion } from '../../search/types.ts';
import type { ExperimentConfig } from '../../spec/config.ts';
import { deadCheckpoints } from './checkpointLineage.ts';
import type { History } from './history.ts';
import type { AssignmentsMessage } from './messages.ts';
import type { SuggestionVolume } from './suggestionVolume.ts';

/** At most this many checkpoint folders are removed per GetSuggestions call (the rest in later calls). */
const removalsPerCall = 50;

/** What {@link tendCheckpoints} works on: one GetSuggestions answer about to be sent. */
export interface CheckpointWork {
  readonly volume: SuggestionVolume;
  readonly config: ExperimentConfig;
  /** The algorithm's suggestions, aligned with `assignments` (their `parent` names whose folder to copy). */
  readonly suggestions: readonly Suggestion[];
  readonly assignments: readonly AssignmentsMessage[];
  readonly history: History;
  /** See `SuggestionServiceOptions.keepGenerations`; not finite: nothing is removed. */
  readonly keepGenerations: number;
  readonly log: (line: string) => void;
}

/**
 * What KatibSuggestionService does on the suggestion volume before a reply, for an Experiment with PBT's
 * `suggestion_trial_dir` (nothing otherwise): seeds each new trial's checkpoint folder from its parent's, as Katib's
 * pbt service does (a parent without a folder gives an empty one and a warning, where Katib's copy fails the call),
 * then removes a bounded number of dead folders (a failure there is only logged: the reply is still good). Throws
 * INVALID_ARGUMENT for a name that cannot name a folder, FAILED_PRECONDITION for a volume it cannot write.
 */
export async function tendCheckpoints(work: CheckpointWork): Promise<void> {
  const { volume, config, log } = work;
  if (config.algorithm.settings[checkpointSetting] === undefined) return;
  const folders = work.assignments.map((a, k) => {
    const parent = work.suggestions[k]?.parent;
    return parent === undefined ? { trial: a.trial_name } : { trial: a.trial_name, parent };
  });
  for (const f of await volume.prepare(config.name, folders)) {
    if (f.seed !== 'parentMissing') continue;
    log(
      `warning: ${config.name}: trial ${f.trial} starts from an empty checkpoint folder: its parent ${f.parent} has ` +
        `no folder under ${volume.root}/${config.name} (was the suggestion volume replaced, or the folder removed?)`,
    );
  }
  if (!Number.isFinite(work.keepGenerations)) return;
  const dead = deadCheckpoints({
    trials: work.history.trials,
    issued: work.assignments.map((a) => ({ name: a.trial_name, labels: a.labels })),
    keepGenerations: work.keepGenerations,
    objective: config.objectives[0]!,
  });
  try {
    const removed = await volume.remove(config.name, dead, removalsPerCall);
    if (removed.length > 0) {
      log(`${config.name}: removed ${removed.length} dead checkpoint folder(s) (${removed.join(', ')})`);
    }
  } catch (error) {
    log(`warning: ${config.name}: could not remove dead checkpoint folders: ${(error as Error).message}`);
  }
}
