/**
 * Where a trial's artifacts go on the Kubernetes backend, and how its job is given that place.
 *
 * The experiment names the place in its annotation `hpo-workbench.io/artifacts` (or `KubernetesExecutor`'s
 * `artifacts` option): `pvc://CLAIM[/PREFIX]`, a PersistentVolumeClaim the trial's pods mount, or an object-store
 * URI (`s3://bucket/prefix`, `gs://…`, …) the trial uploads to. Each trial gets `<place>/<experiment>/<trial>/`; its
 * primary container sees the folder as `HPO_ARTIFACTS_DIR` (and `$(HPO_ARTIFACTS_DIR)` in command/args, which the
 * kubelet expands as it does every declared variable, the same spelling local trials use) and the folder's URI as
 * `HPO_ARTIFACTS_URI`. The inventory sidecar (artifactInventory.ts) lists and hashes what the folder holds when the
 * trial's container has exited.
 */
import { posix } from 'node:path';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { findContainers } from '../../spec/containers.ts';
import { artifactInventoryContainer } from './artifactInventory.ts';
import type { KubeObject } from './types.ts';

/** The experiment annotation naming where trial artifacts go on a cluster. */
export const artifactsAnnotation = 'hpo-workbench.io/artifacts';

/** Where the artifacts folder is mounted in the trial's pods. */
export const podArtifactsDir = '/hpo/artifacts';

/** Where every trial's folder lies: a claim (and a folder in it), or an object-store URI prefix. */
export type ArtifactStorage =
  | { readonly kind: 'pvc'; readonly claim: string; readonly prefix: string }
  | { readonly kind: 'uri'; readonly base: string };

const dnsSubdomain = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const objectStore = /^(s3|gs|hdfs|webhdfs|https?):\/\/[^\s/]+(\/[^\s]*)?$/;

/**
 * Parses the annotation's (or option's) value; `at` names where it came from in the error. Throws `invalidSpec`
 * with what to write instead for anything else (a relative path, a claim name that is no DNS name, `..`).
 */
export function parseArtifactStorage(value: string, at: string): ArtifactStorage {
  const bad = (why: string): WorkbenchError =>
    new WorkbenchError(
      ErrorCode.invalidSpec,
      `${at}: ${JSON.stringify(value)} ${why}; write pvc://CLAIM[/FOLDER] for a PersistentVolumeClaim the trials mount, or an object-store URI such as s3://bucket/prefix`,
    );
  const text = value.trim();
  if (text.split('/').includes('..')) throw bad('must not contain ..');
  if (text.startsWith('pvc://')) {
    const [claim = '', ...rest] = text.slice('pvc://'.length).split('/');
    if (!dnsSubdomain.test(claim)) throw bad(`names the claim '${claim}', which is not a valid claim name`);
    return { kind: 'pvc', claim, prefix: rest.filter((p) => p !== '').join('/') };
  }
  if (!objectStore.test(text)) throw bad('is neither a pvc:// location nor an object-store URI');
  return { kind: 'uri', base: text.replace(/\/+$/, '') };
}

/** The storage an experiment's annotations name, if any. */
export function artifactStorageOf(
  annotations: Readonly<Record<string, string>> | undefined,
): ArtifactStorage | undefined {
  const value = annotations?.[artifactsAnnotation];
  if (value === undefined || value.trim() === '') return undefined;
  return parseArtifactStorage(value, `metadata.annotations["${artifactsAnnotation}"]`);
}

/** The URI of a trial's artifacts folder (with a trailing `/`, as KServe's `storageUri` of a model folder). */
export function trialArtifactsUri(storage: ArtifactStorage, experiment: string, trial: string): string {
  if (storage.kind === 'uri') return `${storage.base}/${experiment}/${trial}/`;
  return `pvc://${posix.join(storage.claim, storage.prefix, experiment, trial)}/`;
}

interface Volume {
  readonly name: string;
  readonly persistentVolumeClaim?: { readonly claimName?: string };
}

const addedVolume = 'hpo-artifacts';

/**
 * Gives every pod template of `job` holding the primary container the trial's artifacts folder: for a claim, the
 * pod's own volume of that claim when the template has one (else a volume `hpo-artifacts` of it), mounted at
 * {@link podArtifactsDir} with subPath `<prefix>/<experiment>/<trial>` (the kubelet creates the folder); for an
 * object store, an `emptyDir` there, which the trial uploads from (or ignores, writing to the URI itself). The
 * primary container gets `HPO_ARTIFACTS_DIR` and `HPO_ARTIFACTS_URI` first in its `env` (a value the template gave
 * them is replaced: the workbench sets them, as it does locally), and the pod gets the inventory sidecar.
 */
export function mountArtifacts(
  job: KubeObject,
  primary: string,
  o: {
    readonly storage: ArtifactStorage;
    readonly experiment: string;
    readonly trial: string;
    readonly image?: string;
  },
): void {
  const uri = trialArtifactsUri(o.storage, o.experiment, o.trial);
  let injected = 0;
  for (const found of findContainers(job as Record<string, unknown>)) {
    if (found.container.name !== primary || !/\.containers\[\d+\]$/.test(found.path)) continue;
    const pod = podOf(job, found.path);
    if (pod === undefined) continue;
    const volumes = (pod.volumes as Volume[] | undefined) ?? [];
    let volume: string;
    let subPath: string | undefined;
    if (o.storage.kind === 'pvc') {
      const claim = o.storage.claim;
      const own = volumes.find((v) => v.persistentVolumeClaim?.claimName === claim);
      volume = own?.name ?? addedVolume;
      if (own === undefined)
        pod.volumes = [...volumes, { name: addedVolume, persistentVolumeClaim: { claimName: claim } }];
      subPath = posix.join(o.storage.prefix, o.experiment, o.trial);
    } else {
      volume = addedVolume;
      pod.volumes = [...volumes, { name: addedVolume, emptyDir: {} }];
    }
    const mount = { name: volume, mountPath: podArtifactsDir, ...(subPath === undefined ? {} : { subPath }) };
    const mounts = ((found.container.volumeMounts as { mountPath?: string }[] | undefined) ?? []).filter(
      (m) => m.mountPath !== podArtifactsDir,
    );
    found.container.volumeMounts = [...mounts, mount];
    const env = ((found.container.env as { name?: string }[] | undefined) ?? []).filter(
      (e) => e.name !== 'HPO_ARTIFACTS_DIR' && e.name !== 'HPO_ARTIFACTS_URI',
    );
    // First, so that `$(HPO_ARTIFACTS_DIR)` in the template's own env values expands (the kubelet sees earlier ones).
    found.container.env = [
      { name: 'HPO_ARTIFACTS_DIR', value: podArtifactsDir },
      { name: 'HPO_ARTIFACTS_URI', value: uri },
      ...env,
    ];
    pod.initContainers = [
      ...((pod.initContainers as unknown[] | undefined) ?? []),
      artifactInventoryContainer({ mount, pod, ...(o.image === undefined ? {} : { image: o.image }) }),
    ];
    injected++;
  }
  if (injected === 0) {
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      `metadata.annotations["${artifactsAnnotation}"]: the trial template shows no pod template holding the primary container '${primary}' (a TrainJob keeps its pods in the runtime), so its artifacts folder cannot be mounted; remove the annotation or use a job kind with pod templates`,
    );
  }
}

/** The pod spec object that holds the container at `containerPath` (`….spec.containers[i]`). */
function podOf(job: KubeObject, containerPath: string): Record<string, unknown> | undefined {
  let at: unknown = job;
  for (const key of containerPath.replace(/\.containers\[\d+\]$/, '').split('.')) {
    if (key === '') continue;
    at = (at as Record<string, unknown> | undefined)?.[key];
  }
  return typeof at === 'object' && at !== null ? (at as Record<string, unknown>) : undefined;
}
