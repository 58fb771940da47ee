/**
 * The metrics-collector sidecar of the Kubernetes backend, for Katib's `File` and `TensorFlowEvent` collectors.
 *
 * The files a trial writes live in its pod, which this machine cannot read directly; the only channel the
 * backend already follows is the pod log API. So the trial's pods get a native sidecar (an init container with
 * `restartPolicy: Always`, Kubernetes ≥ 1.29) that shares a volume with the primary container at the metrics
 * path and prints the bytes appended to the metrics file (or to every `events.out.tfevents.*` file under the
 * event directory) as `hpo-metrics-mirror/v1` records in its own log. {@link MetricsMirror} (metricsMirror.ts)
 * writes those bytes back at their offsets into the trial's local folder, where the same File and TensorFlowEvent
 * collectors `hpo run` uses read them: TEXT/JSON and the `metricsFormat` filters apply unchanged, and event files
 * keep each value's `step`. The kubelet stops a native sidecar with SIGTERM once the training container exited;
 * the script then mirrors what is left and exits 0, so it never keeps a finished pod alive (an ordinary sidecar
 * container would, which is why Katib needs its process-namespace wait).
 */
import { posix } from 'node:path';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { type CollectorSpec, defaultMetricsFilePath, defaultTfEventDir } from '../../spec/collectorSpec.ts';
import type { CollectorConfig } from '../../spec/config.ts';
import { findContainers } from '../../spec/containers.ts';
import type { KubeObject } from './types.ts';

/** The sidecar container's name; the backend follows its log in the primary pods. */
export const metricsSidecarName = 'hpo-metrics-collector';
/** The default sidecar image: any image with a POSIX `sh`, `find`, `md5sum`, `base64` works. */
export const defaultMetricsSidecarImage = 'busybox:1.36';
/** The first word of every record the sidecar prints. */
export const mirrorRecordTag = 'hpo-metrics-mirror/v1';
/** Bytes per record: 8 KiB is about 11 KiB of base64, under the 16 KiB at which container runtimes split a log line. */
export const mirrorChunkBytes = 8192;

const volumeName = 'hpo-metrics';

/**
 * What the sidecar runs (`sh -c SCRIPT hpo-metrics-collector MODE PATH PERIOD`). The path and mode arrive as
 * positional arguments, never as shell source. Offsets are kept per file in a private folder, so each byte is
 * printed once in the normal case; a record printed twice (a TERM during a pass) rewrites the same bytes.
 */
export const metricsSidecarScript: string = `set -u
mode=$1 root=\${2%/} period=$3 chunk=${mirrorChunkBytes}
state=$(mktemp -d)
files() {
  if [ "$mode" = file ]; then
    if [ -f "$root" ]; then printf '%s\\n' "$root"; fi
  else
    find "$root" -type f -name 'events.out.tfevents.*' 2>/dev/null | sort
  fi
}
dump() {
  files | while IFS= read -r f; do
    key=$(printf '%s' "$f" | md5sum | cut -c1-32)
    off=$(cat "$state/$key" 2>/dev/null || echo 0)
    size=$(($(wc -c < "$f")))
    if [ "$mode" = file ]; then name=-; else name=$(printf '%s' "\${f#"$root"/}" | base64 | tr -d '\\n'); fi
    while [ "$off" -lt "$size" ]; do
      n=$((size - off))
      if [ "$n" -gt "$chunk" ]; then n=$chunk; fi
      data=$(tail -c +$((off + 1)) "$f" | head -c "$n" | base64 | tr -d '\\n')
      printf '${mirrorRecordTag} %s %s %s\\n' "$name" "$off" "$data"
      off=$((off + n))
      echo "$off" > "$state/$key"
    done
  done
}
trap 'dump; exit 0' TERM INT
while :; do
  dump
  sleep "$period" & wait $!
done
`;

/** Where the sidecar reads: one file (File) or a directory tree of event files (TensorFlowEvent). */
export interface MetricsSource {
  readonly mode: 'file' | 'dir';
  /** The path inside the pod (Katib's `fileSystemPath.path`, or its default). */
  readonly path: string;
}

/** The pod-side source of a File or TensorFlowEvent collector; undefined for StdOut (the primary log is read). */
export function metricsSourceOf(collector: CollectorSpec): MetricsSource | undefined {
  if (collector.kind === 'File') return { mode: 'file', path: collector.path ?? defaultMetricsFilePath };
  if (collector.kind === 'TensorFlowEvent') return { mode: 'dir', path: collector.path ?? defaultTfEventDir };
  return undefined;
}

/**
 * StdOut is read from the primary container's log, File and TensorFlowEvent through the collector sidecar
 * (metricsSidecar.ts); returns the sidecar's source, or undefined for StdOut. Throws `unsupported` for the others.
 */
export function podMetricsSource(collector: CollectorConfig): MetricsSource | undefined {
  if (collector.kind === 'StdOut') return undefined;
  const source =
    collector.kind === 'File' || collector.kind === 'TensorFlowEvent'
      ? metricsSourceOf(collector as CollectorSpec)
      : undefined;
  if (source === undefined) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `spec.metricsCollectorSpec.collector.kind: ${collector.kind} cannot be collected by the kubernetes backend, which reads the primary container's log (StdOut) or a metrics file or TensorFlow event directory through its sidecar (File, TensorFlowEvent); use one of those, or run the experiment under Katib with 'hpo submit'`,
    );
  }
  return source;
}

interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly subPath?: string;
}

/** The primary container's mount holding `dir` (the deepest), so the sidecar reads the volume the trial writes. */
function coveringMount(mounts: readonly VolumeMount[], dir: string): VolumeMount | undefined {
  const within = (m: VolumeMount): boolean => {
    const at = posix.normalize(m.mountPath).replace(/\/$/, '');
    return dir === at || dir.startsWith(`${at}/`);
  };
  return mounts.filter(within).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

/**
 * Adds the collector sidecar to every pod template of `job` that holds the primary container, and shares the
 * metrics folder between the two: the primary container's own volume when one of its mounts already covers the
 * folder (a PVC the trial writes to), else an `emptyDir` mounted at the folder (Katib mounts the same). Throws
 * `invalidSpec` when no pod template holds the primary container (a TrainJob keeps its pods in the runtime).
 */
export function addMetricsSidecar(
  job: KubeObject,
  primary: string,
  source: MetricsSource,
  options: { readonly image?: string; readonly periodSeconds?: number } = {},
): void {
  const path = posix.normalize(source.path).replace(/(.)\/$/, '$1');
  const dir = source.mode === 'file' ? posix.dirname(path) : path;
  let injected = 0;
  for (const found of findContainers(job as Record<string, unknown>)) {
    // A TrainJob's `spec.trainer` is presented as a container but is no pod template: nothing to add to.
    if (found.container.name !== primary || !/\.containers\[\d+\]$/.test(found.path)) continue;
    const pod = podOf(job, found.path);
    if (pod === undefined) continue;
    const mounts = (found.container.volumeMounts as VolumeMount[] | undefined) ?? [];
    let shared = coveringMount(mounts, dir);
    if (shared === undefined) {
      shared = { name: volumeName, mountPath: dir };
      pod.volumes = [...((pod.volumes as unknown[] | undefined) ?? []), { name: volumeName, emptyDir: {} }];
      found.container.volumeMounts = [...mounts, shared];
    }
    pod.initContainers = [
      ...((pod.initContainers as unknown[] | undefined) ?? []),
      {
        name: metricsSidecarName,
        image: options.image ?? defaultMetricsSidecarImage,
        restartPolicy: 'Always',
        command: ['sh', '-c', metricsSidecarScript, metricsSidecarName],
        args: [source.mode, path, String(options.periodSeconds ?? 2)],
        volumeMounts: [{ ...shared, readOnly: true }],
        resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
        securityContext: sidecarSecurity(pod),
      },
    ];
    injected++;
  }
  if (injected === 0) {
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      `spec.metricsCollectorSpec.collector.kind: the kubernetes backend collects File and TensorFlowEvent metrics through a sidecar in the pods of the primary container '${primary}', but the trial template shows no pod template holding it (a TrainJob keeps its pods in the runtime); print the metrics (StdOut) instead`,
    );
  }
}

/**
 * What the Pod Security Standards' `restricted` profile asks of a container (no privilege escalation, no
 * capabilities, the runtime's seccomp profile), so the sidecar does not get a pod refused in such a namespace. The
 * user is the pod's; only where the pod asks for non-root without naming a user does the sidecar take `nobody`
 * (busybox runs as root by default, which the kubelet would refuse there). The artifact inventory sidecar takes the same.
 */
export function sidecarSecurity(pod: Record<string, unknown>): Record<string, unknown> {
  const podSecurity = (pod.securityContext ?? {}) as { runAsNonRoot?: boolean; runAsUser?: number };
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
    ...(podSecurity.runAsNonRoot === true && podSecurity.runAsUser === undefined ? { runAsUser: 65534 } : {}),
  };
}

/** The pod spec object that holds the container at `containerPath` (`….spec.containers[i]`). */
function podOf(job: KubeObject, containerPath: string): Record<string, unknown> | undefined {
  const podPath = containerPath.replace(/\.containers\[\d+\]$/, '');
  let at: unknown = job;
  for (const key of podPath.split('.')) {
    if (key === '') continue;
    at = (at as Record<string, unknown> | undefined)?.[key];
  }
  return typeof at === 'object' && at !== null ? (at as Record<string, unknown>) : undefined;
}
