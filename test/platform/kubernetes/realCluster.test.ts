// Opt-in: the same basic flow against a real cluster. Runs only when KUBECONFIG is set (the one allowed
// skip). Uses a batch Job with busybox so no operator is needed; HPO_K8S_NAMESPACE picks the namespace
// (default `default`). The service account needs create/get/list/watch/delete on jobs.batch and
// get/list/watch on pods and pods/log there.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../../src/platform/kubernetes/clients.ts';
import { KubernetesExecutor } from '../../../src/platform/kubernetes/executor.ts';
import { configOf } from '../../../src/spec/config.ts';
import { loadExperiments } from '../../../src/spec/load.ts';
import { runnable } from '../../trial/runExecutor.ts';
import { earlyStop, recordingContext } from './harness.ts';

/** The executor of the experiment running `script`, run through `runTrial` as the controller runs it. */
const executor = (script: string, kubeConfig = loadKubeConfig()) => {
  const config = configOf(manifest(script));
  return runnable(new KubernetesExecutor({ config, kubeConfig }), config);
};

const namespace = process.env.HPO_K8S_NAMESPACE ?? 'default';

const manifest = (script: string) =>
  loadExperiments(`
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: hpo-e2e, namespace: ${namespace}}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  parameters: [{name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}]
  trialTemplate:
    primaryContainerName: train
    trialParameters: [{name: learningRate, reference: lr}]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        backoffLimit: 0
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: train
                image: busybox:1.36
                command: [sh, -c, ${JSON.stringify(script)}]
`)[0]!;

describe.skipIf(!process.env.KUBECONFIG)('KubernetesExecutor against a real cluster', { timeout: 300_000 }, () => {
  const suffix = Date.now().toString(36);

  it('runs a trial Job to completion, collects its metrics from the pod log and deletes the Job', async () => {
    const kc = loadKubeConfig();
    const exec = executor('echo lr=${trialParameters.learningRate}; echo loss=0.5; sleep 2; echo loss=0.25', kc);
    const rec = recordingContext({
      experiment: 'hpo-e2e',
      trial: `hpo-e2e-${suffix}-a`,
      params: { lr: 0.05 },
      namespace,
    });
    expect(await exec.run(rec.ctx)).toEqual({ outcome: 'completed' });
    expect(rec.values('loss')).toEqual([0.5, 0.25]);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const gone = await custom
      .getNamespacedCustomObject({ group: 'batch', version: 'v1', namespace, plural: 'jobs', name: rec.ctx.trial })
      .then((j: { metadata?: { deletionTimestamp?: string } }) => j.metadata?.deletionTimestamp !== undefined)
      .catch((e: { code?: number }) => e.code === 404);
    expect(gone).toBe(true);
    rec.cleanup();
  });

  it('reports a failing container as Failed', async () => {
    const exec = executor('echo loss=1; exit 3');
    const rec = recordingContext({
      experiment: 'hpo-e2e',
      trial: `hpo-e2e-${suffix}-b`,
      params: { lr: 0.05 },
      namespace,
    });
    const result = await exec.run(rec.ctx);
    expect(result).toMatchObject({ outcome: 'failed' });
    expect(rec.values('loss')).toEqual([1]);
    rec.cleanup();
  });

  it('deletes the Job when the trial is stopped early', async () => {
    const exec = executor('for i in 9 8 7 6 5 4 3 2 1; do echo loss=$i; sleep 1; done');
    const rec = recordingContext({
      experiment: 'hpo-e2e',
      trial: `hpo-e2e-${suffix}-c`,
      params: { lr: 0.05 },
      namespace,
      onReport: (_logs, abort) => {
        if (!abort.signal.aborted) abort.abort(earlyStop);
      },
    });
    expect(await exec.run(rec.ctx)).toEqual({ outcome: 'stopped' });
    rec.cleanup();
  });
});
