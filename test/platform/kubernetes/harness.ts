// Shared set-up for the Kubernetes backend tests: a fake API server + simulated operator, trial contexts that
// record what the executor reports, and small Katib Experiments for each job kind.
import { join } from 'node:path';
import type { MetricLog } from '../../../src/metrics/types.ts';
import type { ClusterExecutorOptions } from '../../../src/platform/kubernetes/executor.ts';
import { KubernetesExecutor } from '../../../src/platform/kubernetes/executor.ts';
import type { RetryPolicy } from '../../../src/platform/kubernetes/retry.ts';
import type { Assignment } from '../../../src/search/space.ts';
import { configOf } from '../../../src/spec/config.ts';
import { loadExperiments } from '../../../src/spec/load.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import type { StopReason } from '../../../src/trial/executor.ts';
import { FakeApiServer, type FakeApiServerOptions } from '../../fixtures/k8s/fakeApiServer.ts';
import { FakeOperator, type FakeOperatorOptions } from '../../fixtures/k8s/fakeOperator.ts';
import { tempDir } from '../../helpers.ts';
import { type Runnable, runnable, type TestTrial } from '../../trial/runExecutor.ts';

/** A running fake cluster. */
export interface FakeCluster {
  readonly server: FakeApiServer;
  readonly operator: FakeOperator;
  close(): Promise<void>;
}

/** Starts the fake API server (namespace `team-a` exists) and the simulated operator. */
export async function startCluster(
  options: { server?: FakeApiServerOptions; operator?: FakeOperatorOptions } = {},
): Promise<FakeCluster> {
  const server = await FakeApiServer.start({ namespaces: { 'team-a': {} }, ...options.server });
  const operator = new FakeOperator(server, options.operator).start();
  return {
    server,
    operator,
    async close() {
      operator.stop();
      await server.close();
    },
  };
}

/** Retry timing for tests: real but short waits, every wait recorded. */
export function quickRetry(): { policy: Partial<RetryPolicy>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    policy: {
      attempts: 6,
      baseMs: 5,
      maxMs: 5_000,
      sleep: async (ms, signal) => {
        waits.push(ms);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(ms, 5));
          signal?.addEventListener('abort', () => {
            clearTimeout(t);
            resolve();
          });
        });
      },
    },
  };
}

/** A trial context whose reports, warnings and abort are in the test's hands. */
export interface RecordingContext {
  readonly ctx: TestTrial;
  readonly reports: MetricLog[];
  readonly warnings: string[];
  readonly abort: AbortController;
  /** Values of one metric in report order. */
  values(name: string): number[];
  cleanup(): void;
}

/** Builds a context for trial `trial` of experiment `experiment`. */
export function recordingContext(o: {
  experiment: string;
  trial: string;
  params: Assignment;
  namespace?: string;
  onReport?: (logs: readonly MetricLog[], abort: AbortController) => void;
}): RecordingContext {
  const tmp = tempDir('hpo-k8s-');
  const reports: MetricLog[] = [];
  const warnings: string[] = [];
  const abort = new AbortController();
  const ctx: TestTrial = {
    experiment: o.experiment,
    namespace: o.namespace ?? 'team-a',
    trial: o.trial,
    params: o.params,
    workDir: join(tmp.dir, 'work'),
    logPath: join(tmp.dir, 'logs', `${o.trial}.log`),
    signal: abort.signal,
    report: (logs) => {
      reports.push(...logs);
      o.onReport?.(logs, abort);
    },
    warn: (m) => warnings.push(m),
  };
  return {
    ctx,
    reports,
    warnings,
    abort,
    values: (name) => reports.filter((r) => r.name === name).map((r) => Number(r.value)),
    cleanup: tmp.cleanup,
  };
}

/** The StopReason the controller uses for early stopping. */
export const earlyStop: StopReason = {
  kind: 'EarlyStopped',
  reason: 'TrialEarlyStopped',
  message: 'Trial is early stopped',
};

/** A Katib Experiment with a PyTorchJob trial (Master + `workers` Workers), like Katib's pytorchjob-mnist example. */
export function pytorchExperiment(o: { name?: string; workers?: number; extra?: string } = {}): ExperimentManifest {
  return loadExperiments(`
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: ${o.name ?? 'torch'}, namespace: team-a}
spec:
  objective: {type: minimize, objectiveMetricName: loss, additionalMetricNames: [accuracy]}
  algorithm: {algorithmName: random}
  maxTrialCount: 4
  parallelTrialCount: 2
  parameters:
    - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}
  trialTemplate:
    primaryContainerName: pytorch
${o.extra ?? ''}
    trialParameters:
      - {name: learningRate, reference: lr}
    trialSpec:
      apiVersion: kubeflow.org/v1
      kind: PyTorchJob
      spec:
        pytorchReplicaSpecs:
          Master:
            replicas: 1
            restartPolicy: OnFailure
            template:
              spec:
                containers:
                  - name: pytorch
                    image: docker.io/kubeflowkatib/pytorch-mnist-cpu:latest
                    command: [python3, /opt/pytorch-mnist/mnist.py, --epochs=1]
                    args: ["--lr=\${trialParameters.learningRate}"]
          Worker:
            replicas: ${o.workers ?? 2}
            restartPolicy: OnFailure
            template:
              spec:
                containers:
                  - name: pytorch
                    image: docker.io/kubeflowkatib/pytorch-mnist-cpu:latest
                    command: [python3, /opt/pytorch-mnist/mnist.py, --epochs=1]
                    args: ["--lr=\${trialParameters.learningRate}"]
`)[0]!;
}

/**
 * An executor of `manifest`'s config against the fake server with quick retries and a short log grace; its `run`
 * goes through `runTrial` as the controller's does.
 */
export function fakeExecutor(
  cluster: FakeCluster,
  manifest: ExperimentManifest,
  over: Partial<ClusterExecutorOptions> = {},
): Runnable<KubernetesExecutor> {
  const config = configOf(manifest);
  const executor = new KubernetesExecutor({
    config,
    kubeConfig: cluster.server.kubeConfig('team-a'),
    retry: quickRetry().policy,
    logGraceMs: 2_000,
    ...over,
  });
  return runnable(executor, config);
}

/** Waits until `cond` holds (polling every 5 ms), failing after `ms`. */
export async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
