/**
 * Streams the logs of a trial job's primary pods: watches the pods matching the primary-pod selector and,
 * for every pod that has started, follows its primary container's log (podLogStream.ts). When the job has
 * finished, `finish` gives the streams a grace period to deliver their last lines, then stops them.
 */
import { WorkbenchError } from '../../common/errors.ts';
import { failureError } from './apiError.ts';
import type { KubeClients } from './clients.ts';
import { followPodLog } from './podLogStream.ts';
import { type RetryPolicy, sleep } from './retry.ts';
import type { KubeObject } from './types.ts';
import { followObjects } from './watch.ts';

/** Options of {@link PrimaryPodLogs}. */
export interface PrimaryPodLogsOptions {
  readonly clients: KubeClients;
  readonly namespace: string;
  /** Label selector of the primary pods (already including the job's own name label). */
  readonly selector: string;
  readonly container: string;
  readonly policy: RetryPolicy;
  readonly onLine: (text: string, pod: string) => void;
  readonly onRecover?: (detail: string) => void;
}

interface PodEntry {
  obj: KubeObject;
  gone: boolean;
  loop?: Promise<void>;
}

function phaseOf(pod: KubeObject): string {
  return String((pod.status as { phase?: unknown } | undefined)?.phase ?? '');
}

/** Whether the container can still write: false once the pod finished or it terminated for good. */
function finished(pod: KubeObject, container: string): boolean {
  const phase = phaseOf(pod);
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  const restart = (pod.spec as { restartPolicy?: string } | undefined)?.restartPolicy;
  const statuses = (pod.status as { containerStatuses?: { name?: string; state?: { terminated?: unknown } }[] })
    ?.containerStatuses;
  const mine = statuses?.find((s) => s.name === container);
  return restart === 'Never' && mine?.state?.terminated !== undefined;
}

/** Follows the primary pods of one job. Call `start`, then `finish` (or `close` when stopping early). */
export class PrimaryPodLogs {
  private readonly o: PrimaryPodLogsOptions;
  private readonly stopper = new AbortController();
  private readonly pods = new Map<string, PodEntry>();
  private fatal: WorkbenchError | undefined;
  private draining = false;

  constructor(options: PrimaryPodLogsOptions) {
    this.o = options;
  }

  /** A failure retrying cannot fix (RBAC on pods or pods/log), if one happened. */
  get error(): WorkbenchError | undefined {
    return this.fatal;
  }

  /** Pods seen so far. */
  get podNames(): string[] {
    return [...this.pods.keys()];
  }

  /** Starts watching the primary pods. */
  start(): void {
    const { clients, namespace, selector } = this.o;
    void followObjects({
      clients,
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      labelSelector: selector,
      list: () => this.list(),
      onEvent: (type, obj) => {
        this.seen(obj, type === 'DELETED');
        return undefined;
      },
      signal: this.stopper.signal,
      policy: this.o.policy,
      operation: { verb: 'list', resource: { group: '', plural: 'pods' }, namespace },
      onRecover: (what, detail) => {
        if (what !== 'closed') this.o.onRecover?.(`pods: ${detail}`);
      },
    }).catch((err: unknown) => this.fail(err));
  }

  /**
   * The job has finished: looks at the pods once more (the watch may lag), waits up to `graceMs` for every
   * stream to end, then stops.
   */
  async finish(graceMs: number): Promise<void> {
    this.draining = true;
    try {
      const listed = await this.list();
      for (const pod of listed.items) this.seen(pod, false);
    } catch {
      // The watch has the pods it has; a failed extra look only loses what it might have added.
    }
    const loops = [...this.pods.values()].flatMap((p) => (p.loop === undefined ? [] : [p.loop]));
    await Promise.race([Promise.all(loops), sleep(graceMs, this.stopper.signal)]);
    this.close();
  }

  /** Stops the watch and every stream now. */
  close(): void {
    this.stopper.abort();
  }

  private async list(): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const r = await this.o.clients.core.listNamespacedPod({
      namespace: this.o.namespace,
      labelSelector: this.o.selector,
    });
    return { items: r.items as unknown as KubeObject[], resourceVersion: r.metadata?.resourceVersion ?? '' };
  }

  private fail(err: unknown): void {
    if (this.fatal !== undefined) return;
    this.fatal =
      err instanceof WorkbenchError
        ? err
        : failureError({ verb: 'list', resource: { group: '', plural: 'pods' }, namespace: this.o.namespace }, err);
    this.close();
  }

  private seen(pod: KubeObject, deleted: boolean): void {
    const name = pod.metadata?.name ?? '';
    const entry = this.pods.get(name) ?? { obj: pod, gone: false };
    entry.obj = pod;
    entry.gone = entry.gone || deleted;
    this.pods.set(name, entry);
    const phase = phaseOf(pod);
    if (entry.loop !== undefined || deleted || phase === '' || phase === 'Pending') return;
    entry.loop = followPodLog({
      clients: this.o.clients,
      namespace: this.o.namespace,
      pod: name,
      container: this.o.container,
      policy: this.o.policy,
      signal: this.stopper.signal,
      onLine: (text) => this.o.onLine(text, name),
      // While draining the job is over, so a clean end of stream is the end of the log.
      isFinished: () => this.draining || entry.gone || finished(entry.obj, this.o.container),
      ...(this.o.onRecover === undefined ? {} : { onRecover: this.o.onRecover }),
    }).catch((err: unknown) => this.fail(err));
  }
}
