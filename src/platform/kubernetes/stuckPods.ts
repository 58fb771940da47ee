/**
 * Watches a trial job's pods for trouble that would otherwise leave the trial waiting for its deadline: every
 * `pollMs` it lists the job's pods (and the events of the ones not running cleanly), diagnoses them
 * (podTrouble.ts), tells the user as soon as a trouble appears, and resolves with it once it has lasted
 * `graceMs`, so the executor can end the trial with the trouble's reason. Polling rather than watching: the
 * state that matters changes over minutes, and one list per trial every few seconds is cheap.
 */
import type { KubeClients } from './clients.ts';
import { diagnosePod, type PodEvent, type PodTrouble } from './podTrouble.ts';
import { sleep } from './retry.ts';
import type { KubeObject } from './types.ts';

/** Options of {@link watchStuckPods}. */
export interface StuckPodsOptions {
  readonly clients: KubeClients;
  readonly namespace: string;
  /** Selects every pod of the job (not only the primary ones: a worker can hang the job too). */
  readonly selector: string;
  /** How long a trouble must last before the trial is ended. */
  readonly graceMs: number;
  readonly pollMs: number;
  readonly signal: AbortSignal;
  /** Called once per pod and reason, when the trouble is first seen. */
  readonly onFlag: (trouble: PodTrouble, graceMs: number) => void;
  /** Called once when the pod list or events cannot be read (e.g. RBAC), which blinds the watch. */
  readonly onBlind?: (detail: string) => void;
}

function phaseOf(pod: KubeObject): string {
  return String((pod.status as { phase?: unknown } | undefined)?.phase ?? '');
}

function describe(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  const text = typeof body === 'string' ? body : err instanceof Error ? err.message : String(err);
  return text.slice(0, 300);
}

/** A pod running with every container ready needs no events read. */
function healthy(pod: KubeObject): boolean {
  const s = pod.status as { containerStatuses?: { ready?: boolean }[] } | undefined;
  return (
    phaseOf(pod) === 'Succeeded' || (phaseOf(pod) === 'Running' && (s?.containerStatuses ?? []).every((c) => c.ready))
  );
}

/**
 * Resolves with the first trouble that lasted `graceMs` and calls for action (`fail` or `finish`), or undefined
 * when `signal` aborts first. Troubles that clear (the image pulled after all) start their clock again.
 */
export async function watchStuckPods(o: StuckPodsOptions): Promise<PodTrouble | undefined> {
  const since = new Map<string, number>();
  const flagged = new Set<string>();
  let blind = false;
  const blinded = (what: string, err: unknown): void => {
    if (!blind) o.onBlind?.(`cannot read ${what} to detect stuck pods: ${describe(err)}`);
    blind = true;
  };
  while (!o.signal.aborted) {
    let pods: KubeObject[] = [];
    try {
      const r = await o.clients.core.listNamespacedPod({ namespace: o.namespace, labelSelector: o.selector });
      pods = r.items as unknown as KubeObject[];
    } catch (err) {
      blinded('pods', err);
    }
    const seen = new Set<string>();
    for (const pod of pods) {
      const name = pod.metadata?.name ?? '';
      let events: PodEvent[] = [];
      if (!healthy(pod)) {
        try {
          const r = await o.clients.core.listNamespacedEvent({
            namespace: o.namespace,
            fieldSelector: `involvedObject.name=${name}`,
          });
          events = r.items as PodEvent[];
        } catch (err) {
          blinded('events', err); // the status alone still names most troubles
        }
      }
      const found = diagnosePod(pod, events);
      if (found === undefined) continue;
      // An evicted pod stays listed after its controller replaced it (a batch Job's backoff, an operator's
      // restart): it ends the trial only when no pod of the job is still active.
      const replaced = found.reason === 'Evicted' && pods.some((p) => ['Pending', 'Running'].includes(phaseOf(p)));
      const trouble: PodTrouble = replaced ? { ...found, action: 'warn' } : found;
      const key = `${name}\u0000${trouble.reason}\u0000${trouble.action}`;
      seen.add(key);
      const now = performance.now();
      const first = since.get(key) ?? now;
      since.set(key, first);
      if (!flagged.has(key)) {
        flagged.add(key);
        o.onFlag(trouble, o.graceMs);
      }
      if (trouble.action !== 'warn' && now - first >= o.graceMs && !o.signal.aborted) return trouble;
    }
    for (const key of since.keys()) if (!seen.has(key)) since.delete(key);
    await sleep(o.pollMs, o.signal);
  }
  return undefined;
}
