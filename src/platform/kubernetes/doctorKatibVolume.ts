/**
 * `hpo doctor`'s checks of the suggestion volume Katib gives PBT, for `hpo submit`. With the algorithm setting
 * `suggestion_trial_dir`, Katib's pod webhook mounts the suggestion's PVC (`<experiment>-<algorithm>`) into every
 * trial at that path (subPath `<experiment>/<trial>`), while its suggestion controller creates that PVC, and mounts
 * it in the suggestion pod at katib-config's `volumeMountPath` (default `/opt/katib/data`), only when the Experiment
 * has `resumePolicy: FromVolume`. The claim is made from the algorithm's `persistentVolumeClaimSpec` in katib-config
 * (the shipped config: ReadWriteMany, 5Gi), or Katib's defaults (ReadWriteOnce, 1Gi) when there is none.
 */
import type { ExperimentManifest } from '../../spec/types.ts';
import type { DoctorCheck } from './doctor.ts';

/** The setting that makes Katib mount the suggestion volume into trials (Katib's `SuggestionVolumeMountKey`). */
const trialDirSetting = 'suggestion_trial_dir';
/** Katib's defaults for a suggestion volume katib-config does not describe. */
const katibDefaultMountPath = '/opt/katib/data';
const katibDefaultAccessModes = ['ReadWriteOnce'];

/** What katib-config says about one algorithm's suggestion volume. */
export interface SuggestionVolumeConfig {
  readonly accessModes?: readonly string[];
  readonly storageClassName?: string;
  readonly volumeMountPath?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The volume settings of one `runtime.suggestions` entry (or an older JSON `suggestion` value). */
export function suggestionVolumeOf(entry: unknown): SuggestionVolumeConfig {
  if (!isObj(entry)) return {};
  const pvc = isObj(entry.persistentVolumeClaimSpec) ? entry.persistentVolumeClaimSpec : {};
  return {
    ...(Array.isArray(pvc.accessModes) ? { accessModes: pvc.accessModes.map(String) } : {}),
    ...(typeof pvc.storageClassName === 'string' ? { storageClassName: pvc.storageClassName } : {}),
    ...(typeof entry.volumeMountPath === 'string' ? { volumeMountPath: entry.volumeMountPath } : {}),
  };
}

/** Whether the experiment asks Katib for per-trial folders on the suggestion volume. */
export function usesSuggestionVolume(m: ExperimentManifest): boolean {
  return (m.spec.algorithm?.algorithmSettings ?? []).some((s) => s.name === trialDirSetting);
}

/**
 * The checks (as `pvc`) of an experiment with `suggestion_trial_dir` against the algorithm's volume settings in
 * katib-config (`where`); none for another experiment. Pure, so tables can drive it.
 */
export function suggestionVolumeFindings(
  m: ExperimentManifest,
  volume: SuggestionVolumeConfig | undefined,
  where: string,
): DoctorCheck[] {
  if (!usesSuggestionVolume(m)) return [];
  const algorithm = m.spec.algorithm?.algorithmName ?? '';
  const out: DoctorCheck[] = [];
  if (m.spec.resumePolicy !== 'FromVolume') {
    out.push({
      check: 'pvc',
      status: 'fail',
      message:
        `${trialDirSetting} makes Katib mount the suggestion volume ${m.metadata.name}-${algorithm} into every trial, ` +
        `but Katib creates that volume only with resumePolicy FromVolume (this experiment: ${m.spec.resumePolicy ?? 'Never'}): the trials would stay Pending`,
      fix: 'set spec.resumePolicy: FromVolume',
    });
  }
  if (volume === undefined) return out;
  const modes = volume.accessModes ?? katibDefaultAccessModes;
  const parallel = (m.spec.parallelTrialCount ?? 3) > 1;
  const mount = volume.volumeMountPath ?? katibDefaultMountPath;
  // The suggestion pod and the trial pods mount the same claim: on several nodes only ReadWriteMany allows that.
  if (parallel && !modes.includes('ReadWriteMany')) {
    out.push({
      check: 'pvc',
      status: 'fail',
      message:
        `${where} gives ${algorithm}'s suggestion volume access modes [${modes.join(', ')}]` +
        `${volume.accessModes === undefined ? " (Katib's default: it has no persistentVolumeClaimSpec)" : ''}; ` +
        'the suggestion pod and parallel trials on other nodes cannot all mount it',
      fix:
        `under runtime.suggestions in ${where}, give algorithmName ${algorithm} persistentVolumeClaimSpec: ` +
        '{accessModes: [ReadWriteMany], storageClassName: <a class that provides it>, resources: {requests: {storage: 5Gi}}}, ' +
        "then restart Katib's controller (or set parallelTrialCount: 1)",
    });
  } else {
    out.push({
      check: 'pvc',
      status: 'pass',
      message:
        `${where} gives ${algorithm}'s suggestion volume [${modes.join(', ')}], mounted at ${mount} in the suggestion pod` +
        (mount === katibDefaultMountPath
          ? ''
          : ` (an image running hpo suggestion-server needs --data-dir ${mount} or HPO_SUGGESTION_DATA_DIR)`),
    });
  }
  return out;
}
