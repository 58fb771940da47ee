/**
 * The log streams of one trial on the Kubernetes backend: always the primary container's (the trial's log file and
 * the StdOut collector), plus, for File and TensorFlowEvent collectors, the metrics sidecar's, whose records
 * {@link MetricsMirror} writes into the trial's local folder, and, when the experiment names where artifacts go, the
 * artifact inventory sidecar's, whose records {@link ArtifactInventory} collects. The executor starts, finishes and
 * closes them as one.
 */
import type { WorkbenchError } from '../../common/errors.ts';
import { type ArtifactInventory, artifactInventoryName } from './artifactInventory.ts';
import type { KubeClients } from './clients.ts';
import { MetricsMirror } from './metricsMirror.ts';
import { type MetricsSource, metricsSidecarName } from './metricsSidecar.ts';
import { PrimaryPodLogs } from './podLogs.ts';
import type { RetryPolicy } from './retry.ts';

/** Options of {@link TrialLogs}. */
export interface TrialLogsOptions {
  readonly clients: KubeClients;
  readonly namespace: string;
  /** The primary pods' selector. */
  readonly selector: string;
  /** The primary container. */
  readonly container: string;
  readonly policy: RetryPolicy;
  readonly onLine: (text: string) => void;
  readonly onRecover: (detail: string) => void;
  /** Where the sidecar reads in the pod, and the local file or folder its bytes go to; absent for StdOut. */
  readonly mirror?: { readonly source: MetricsSource; readonly target: string };
  /** Where the artifact inventory sidecar's records go; absent when the experiment names no artifact storage. */
  readonly inventory?: ArtifactInventory;
}

/** The primary log and, when the collector needs it, the sidecar's mirror. */
export class TrialLogs {
  private readonly primary: PrimaryPodLogs;
  private readonly sidecar: PrimaryPodLogs | undefined;
  private readonly mirror: MetricsMirror | undefined;
  private readonly inventory: PrimaryPodLogs | undefined;

  constructor(o: TrialLogsOptions) {
    const common = { clients: o.clients, namespace: o.namespace, selector: o.selector, policy: o.policy };
    this.primary = new PrimaryPodLogs({ ...common, container: o.container, onLine: o.onLine, onRecover: o.onRecover });
    if (o.mirror !== undefined) {
      const mirror = new MetricsMirror({
        source: o.mirror.source,
        target: o.mirror.target,
        onProblem: (m) => o.onRecover(`metrics: ${m}`),
      });
      this.mirror = mirror;
      this.sidecar = new PrimaryPodLogs({
        ...common,
        container: metricsSidecarName,
        onLine: (text) => mirror.apply(text),
        onRecover: (d) => o.onRecover(`${metricsSidecarName}: ${d}`),
      });
    }
    const inventory = o.inventory;
    if (inventory !== undefined) {
      this.inventory = new PrimaryPodLogs({
        ...common,
        container: artifactInventoryName,
        onLine: (text) => inventory.apply(text),
        onRecover: (d) => o.onRecover(`${artifactInventoryName}: ${d}`),
      });
    }
  }

  /** The first failure retrying cannot fix (RBAC on pods or pods/log) of either stream. */
  get error(): WorkbenchError | undefined {
    return this.primary.error ?? this.sidecar?.error ?? this.inventory?.error;
  }

  start(): void {
    this.primary.start();
    this.sidecar?.start();
    this.inventory?.start();
  }

  /** The job finished: every stream gets `graceMs` to deliver its last lines; the mirrored files are then closed. */
  async finish(graceMs: number): Promise<void> {
    await Promise.all([this.primary.finish(graceMs), this.sidecar?.finish(graceMs), this.inventory?.finish(graceMs)]);
    this.mirror?.close();
  }

  close(): void {
    this.primary.close();
    this.sidecar?.close();
    this.inventory?.close();
    this.mirror?.close();
  }
}
