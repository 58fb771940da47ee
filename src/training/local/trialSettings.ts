/**
 * Experiment settings a locally run trial needs besides its job: the metrics collector (Katib defaults applied)
 * and the job's deadline — the same rules as the single-replica `LocalProcessExecutor`, whose code this reuses.
 */
export {
  collectorOf as localCollectorSettings,
  deadlineSeconds,
  type LocalCollectorSettings,
} from '../../trial/localProcess.ts';
