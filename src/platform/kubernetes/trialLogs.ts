/**
 * The log streams of one trial on the Kubernetes backend: always the primary container's (the trial's log file and
 * the StdOut collector), plus, for File and TensorFlowEvent collectors, the metrics sidecar's, whose records
 * {@link MetricsMirror} writes into the trial's local folder. The executor starts, finishes and closes them as one.
 */
import type { WorkbenchError } from '../../common/errors.ts';
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
}

/** The primary log and, when the collector needs it, the sidecar's mirror. */
export class TrialLogs {
  private readonly primary: PrimaryPodLogs;
  private readonly sidecar: PrimaryPodLogs | undefined;
  private readonly mirror: MetricsMirror | undefined;

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
  }

  /** The first failure retrying cannot fix (RBAC on pods or pods/log) of either stream. */
  get error(): WorkbenchError | undefined {
    return this.primary.error ?? this.sidecar?.error;
  }

  start(): void {
    this.primary.start();
    this.sidecar?.start();
  }

  /** The job finished: both streams get `graceMs` to deliver their last lines; the mirrored files are then closed. */
  async finish(graceMs: number): Promise<void> {
    await Promise.all([this.primary.finish(graceMs), this.sidecar?.finish(graceMs)]);
    this.mirror?.close();
  }

  close(): void {
    this.primary.close();
    this.sidecar?.close();
    this.mirror?.close();
  }
}
