/**
 * Reads why a trial's pod is not making progress from its status (container `waiting`/`terminated` states, the
 * `PodScheduled` condition, the eviction reason) and its events, the way a person would with `kubectl describe
 * pod`. Pure: the stuck-trial watch (stuckPods.ts) lists pods and events and decides when to act.
 */
import type { KubeObject } from './types.ts';

/** What to do about a trouble once it has lasted the grace period. */
export type TroubleAction =
  /** End the trial as failed with the trouble's reason and message. */
  | 'fail'
  /** The work is done but the pod cannot finish (an Istio sidecar): end the trial from what it printed. */
  | 'finish'
  /** Only tell the user (it may clear by itself, e.g. a restart after an OOM kill or a cluster scale-up). */
  | 'warn';

/** One diagnosed problem of one pod. */
export interface PodTrouble {
  readonly pod: string;
  /** Katib-style reason: the kubelet's or scheduler's own word (`ImagePullBackOff`, `Unschedulable`, …). */
  readonly reason: string;
  /** What happened and how to fix it. */
  readonly message: string;
  readonly action: TroubleAction;
}

/** The fields of a core/v1 Event the diagnosis reads. */
export interface PodEvent {
  readonly reason?: string;
  readonly message?: string;
  readonly type?: string;
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: unknown;
  terminated?: { reason?: string; exitCode?: number; message?: string };
}

interface ContainerStatus {
  name?: string;
  image?: string;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

/** The sidecar Istio injects; it does not exit when the training container does (Katib #1534-style hangs). */
export const istioSidecar = 'istio-proxy';

const imagePull = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);

/** The newest event message with `reason`, if any. */
function eventMessage(events: readonly PodEvent[], reason: string): string | undefined {
  return events.filter((e) => e.reason === reason && e.message).at(-1)?.message;
}

/** The fix for a scheduler message such as `0/3 nodes are available: 3 Insufficient nvidia.com/gpu.`. */
function schedulingFix(why: string): string {
  const insufficient = /Insufficient ([\w./-]+)/.exec(why)?.[1];
  if (insufficient?.startsWith('nvidia.com/')) {
    return `no node has ${insufficient} free for this pod: request fewer per replica, wait for running jobs, or add GPU nodes ('hpo doctor FILE' compares the request with the nodes' allocatable ${insufficient})`;
  }
  if (insufficient !== undefined) {
    return `no node has enough ${insufficient} free: lower the pod's resources.requests.${insufficient} or add capacity`;
  }
  if (/node affinity|node selector/i.test(why))
    return "no node matches the pod's nodeSelector/affinity: fix the labels it asks for";
  if (/taint/i.test(why))
    return 'the nodes carry taints the pod does not tolerate: add the matching tolerations to the pod template';
  if (/persistentvolumeclaim|volume/i.test(why))
    return "a volume the pod mounts is missing or unbound: check 'kubectl get pvc' in the namespace";
  return "read the scheduler's message above; 'kubectl describe pod' shows the same";
}

function unschedulable(name: string, s: PodStatus, events: readonly PodEvent[]): PodTrouble | undefined {
  const cond = s.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (cond === undefined || (cond.reason !== undefined && cond.reason !== 'Unschedulable')) return undefined;
  const why = cond.message || eventMessage(events, 'FailedScheduling') || 'no reason given';
  // The cluster autoscaler is adding a node for this pod: waiting is the right thing to do.
  const scaling = eventMessage(events, 'TriggeredScaleUp');
  if (scaling !== undefined) {
    return {
      pod: name,
      reason: 'Unschedulable',
      action: 'warn',
      message: `pod ${name} waits for a new node: ${scaling}`,
    };
  }
  return {
    pod: name,
    reason: 'Unschedulable',
    action: 'fail',
    message: `pod ${name} cannot be scheduled: ${why} Fix: ${schedulingFix(why)}`,
  };
}

function containerTrouble(pod: string, c: ContainerStatus, events: readonly PodEvent[]): PodTrouble | undefined {
  const where = `container ${c.name ?? '?'} of pod ${pod}`;
  const waiting = c.state?.waiting;
  const reason = waiting?.reason ?? '';
  if (imagePull.has(reason)) {
    const detail = waiting?.message || eventMessage(events, 'Failed') || '';
    return {
      pod,
      reason,
      action: 'fail',
      message: `${where} cannot pull image ${c.image || '(see the pod spec)'}${detail ? `: ${detail}` : ''}. Fix: check the image name and tag, and for a private registry give the namespace's service account an imagePullSecret`,
    };
  }
  if (reason === 'CreateContainerConfigError' || reason === 'CreateContainerError') {
    return {
      pod,
      reason,
      action: 'fail',
      message: `${where} cannot be created: ${waiting?.message ?? reason}. Fix: create the Secret/ConfigMap (or key) it references in the pod's namespace, or correct the reference`,
    };
  }
  const last = c.lastState?.terminated;
  const oom = c.state?.terminated?.reason === 'OOMKilled' || last?.reason === 'OOMKilled';
  const oomText = `${where} was killed for exceeding its memory limit (OOMKilled). Fix: raise resources.limits.memory of the container or lower the trial's memory use (batch size, model size)`;
  if (oom && (reason === 'CrashLoopBackOff' || c.state?.terminated !== undefined)) {
    return { pod, reason: 'OOMKilled', action: 'fail', message: oomText };
  }
  if (reason === 'CrashLoopBackOff') {
    const code = last?.exitCode === undefined ? '' : ` (last exit code ${last.exitCode})`;
    return {
      pod,
      reason,
      action: 'fail',
      message: `${where} keeps crashing${code}. Fix: read its log with 'kubectl logs ${pod} -c ${c.name ?? ''} --previous' and correct the command or image`,
    };
  }
  // Restarted after an OOM kill and running again: it may get through, but the user should know.
  if (oom) return { pod, reason: 'OOMKilled', action: 'warn', message: oomText };
  return undefined;
}

/** Every container has exited except an Istio sidecar that keeps the pod (and so the job) running. */
function sidecarHang(pod: string, s: PodStatus): PodTrouble | undefined {
  const statuses = s.containerStatuses ?? [];
  const sidecar = statuses.find((c) => c.name === istioSidecar);
  const others = statuses.filter((c) => c.name !== istioSidecar);
  if (s.phase !== 'Running' || sidecar?.state?.running === undefined || others.length === 0) return undefined;
  if (!others.every((c) => c.state?.terminated !== undefined)) return undefined;
  const code = Math.max(...others.map((c) => c.state?.terminated?.exitCode ?? 0));
  return {
    pod,
    reason: 'IstioSidecarRunning',
    action: code === 0 ? 'finish' : 'fail',
    message: `pod ${pod}: the training container exited (code ${code}) but the ${istioSidecar} sidecar keeps the pod running, so the job never finishes. Fix: add the annotation sidecar.istio.io/inject: "false" to the trial's pod templates`,
  };
}

/**
 * The trouble of one pod, or undefined when nothing is wrong that waiting would not fix. `events` are the pod's
 * events (oldest first); they add the scheduler's and kubelet's words where the status has none.
 */
export function diagnosePod(pod: KubeObject, events: readonly PodEvent[] = []): PodTrouble | undefined {
  const name = pod.metadata?.name ?? '';
  const s = (pod.status ?? {}) as PodStatus;
  if (s.phase === 'Failed' && s.reason === 'Evicted') {
    return {
      pod: name,
      reason: 'Evicted',
      action: 'fail',
      message: `pod ${name} was evicted: ${s.message ?? 'no reason given'}. Fix: set resources.requests (memory, ephemeral-storage) to what the trial uses so the node is not overcommitted, or write large files to a volume`,
    };
  }
  const specImages = new Map<string, string>();
  type Named = { name?: string; image?: string }[];
  const spec = pod.spec as { containers?: Named; initContainers?: Named } | undefined;
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    if (c.name !== undefined && c.image !== undefined) specImages.set(c.name, c.image);
  }
  for (const c of [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])]) {
    // The kubelet reports the image in the status; fall back to the spec's where it does not (yet).
    const t = containerTrouble(name, { ...c, image: c.image || specImages.get(c.name ?? '') || '' }, events);
    if (t !== undefined) return t;
  }
  return sidecarHang(name, s) ?? unschedulable(name, s, events);
}
