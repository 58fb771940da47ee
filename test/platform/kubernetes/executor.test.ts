// KubernetesExecutor through the real @kubernetes/client-node against the fake API server and operator:
// lifecycle per job kind, metrics from the primary pod's log, deletion, retain, early stop and kill.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyDefaults } from '../../../src/spec/defaults.ts';
import { loadExperiments } from '../../../src/spec/load.ts';
import type { FakeScript } from '../../fixtures/k8s/fakeOperator.ts';
import { argValue } from '../../fixtures/k8s/fakePods.ts';
import type { FakeObject } from '../../fixtures/k8s/fakeStore.ts';
import {
  earlyStop,
  type FakeCluster,
  fakeExecutor,
  pytorchExperiment,
  recordingContext,
  startCluster,
  until,
} from './harness.ts';

/** Loss and accuracy derived from the trial's --lr, and a decoy loss in every non-primary pod. */
const lrScript: FakeScript = (job) => {
  const lr = Number(argValue(job, '--lr'));
  return {
    lines: [`epoch=1 loss=${lr * 10}`, `epoch=2 loss=${lr * 5}`, `accuracy=${1 - lr}`],
    otherLines: ['loss=999'],
  };
};

let cluster: FakeCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const pytorch = (s: FakeCluster) => s.server.resource('kubeflow.org/v1', 'pytorchjobs');

describe('KubernetesExecutor with a PyTorchJob', { timeout: 20_000 }, () => {
  it('creates the job, follows Created → Running → Succeeded, collects the master pod metrics and deletes the job', async () => {
    cluster = await startCluster({ operator: { script: lrScript } });
    const { server } = cluster;
    const conditions: string[] = [];
    server.store.subscribe((e) => {
      const c = (e.object.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
      const last = c?.filter((x) => x.status === 'True').at(-1)?.type;
      if (e.resource.plural === 'pytorchjobs' && last !== undefined && conditions.at(-1) !== last)
        conditions.push(last);
    });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-abc12345', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);

    expect(result).toEqual({ outcome: 'completed' });
    expect(conditions).toEqual(['Created', 'Running', 'Succeeded']);
    expect(rec.values('loss')).toEqual([0.2, 0.1]);
    expect(rec.values('accuracy')).toEqual([0.98]);
    // The job went in with Katib's trial labels and the substituted argument.
    const post = server.requestsTo('/apis/kubeflow.org/v1/namespaces/team-a/pytorchjobs', 'POST');
    expect(post.map((r) => r.status)).toEqual([201]);
    // Primary pod: Katib's job-role=master plus this job's name; the workers' decoy never shows up.
    const podLists = server.requestsTo('/api/v1/namespaces/team-a/pods', 'GET');
    expect(podLists[0]?.query.labelSelector).toBe(
      'training.kubeflow.org/job-role=master,training.kubeflow.org/job-name=torch-abc12345',
    );
    const logs = server.requestsTo(/\/pods\/torch-abc12345-master-0\/log$/);
    expect(logs[0]?.query).toMatchObject({ container: 'pytorch', follow: 'true', timestamps: 'true' });
    expect(readFileSync(rec.ctx.logPath, 'utf8')).toBe('epoch=1 loss=0.2\nepoch=2 loss=0.1\naccuracy=0.98\n');
    // Deleted on completion with foreground propagation, so its pods go with it.
    expect(server.deletions).toEqual([
      {
        resource: 'pytorchjobs.kubeflow.org',
        namespace: 'team-a',
        name: 'torch-abc12345',
        propagationPolicy: 'Foreground',
      },
    ]);
    await until(() => server.store.list(server.resource('v1', 'pods'), 'team-a').length === 0);
    expect(cluster.operator.errors).toEqual([]);
    rec.cleanup();
  });

  it('still runs the trial when its log file cannot be written, with a warning', async () => {
    cluster = await startCluster({ operator: { script: lrScript } });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-nolog', params: { lr: 0.02 } });
    const blocker = join(dirname(rec.ctx.workDir), 'blocker');
    writeFileSync(blocker, 'a file where a folder should be');
    const ctx = { ...rec.ctx, logPath: join(blocker, 'logs', 'x.log') };
    expect(await fakeExecutor(cluster, pytorchExperiment()).run(ctx)).toEqual({ outcome: 'completed' });
    expect(rec.values('loss')).toEqual([0.2, 0.1]);
    expect(rec.warnings.some((w) => w.startsWith('cannot write'))).toBe(true);
    rec.cleanup();
  });

  it('labels the created job with the experiment and trial and renders the trial parameters', async () => {
    cluster = await startCluster({ operator: { script: lrScript } });
    let created: FakeObject | undefined;
    cluster.server.store.subscribe((e) => {
      if (e.type === 'ADDED' && e.resource.plural === 'pytorchjobs') created = e.object;
    });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-lab', params: { lr: 0.05 } });
    await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    expect(created?.metadata.labels).toMatchObject({
      'katib.kubeflow.org/experiment': 'torch',
      'katib.kubeflow.org/trial': 'torch-lab',
    });
    expect(created?.metadata.annotations).toEqual({ 'hpo-workbench/assignment': '{"lr":0.05}' });
    const spec = created?.spec as {
      pytorchReplicaSpecs: { Master: { template: { spec: { containers: { args: string[] }[] } } } };
    };
    const master = spec.pytorchReplicaSpecs.Master.template.spec.containers[0]!;
    expect(master.args).toEqual(['--lr=0.05']);
    rec.cleanup();
  });

  it('returns Failed with the job condition reason and message', async () => {
    cluster = await startCluster({
      operator: {
        script: () => ({
          lines: ['loss=0.9'],
          outcome: 'Failed',
          reason: 'PyTorchJobFailed',
          message: 'PyTorchJob team-a/torch-fail is failed because 1 Master replica(s) failed.',
        }),
      },
    });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-fail', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    expect(result).toEqual({
      outcome: 'failed',
      reason: 'PyTorchJobFailed',
      message: 'PyTorchJob team-a/torch-fail is failed because 1 Master replica(s) failed.',
    });
    expect(rec.values('loss')).toEqual([0.9]);
    expect(cluster.server.deletions.map((d) => d.propagationPolicy)).toEqual(['Foreground']);
    rec.cleanup();
  });

  it("judges the job by the experiment's own successCondition", async () => {
    cluster = await startCluster({ operator: { script: () => ({ lines: ['loss=0.3'], outcome: 'Running' }) } });
    // "Running is good enough": the trial completes while the job still runs, and the job is then deleted.
    const manifest = pytorchExperiment({
      extra: '    successCondition: status.conditions.#(type=="Running")#|#(status=="True")#',
    });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-own', params: { lr: 0.02 } });
    expect(await fakeExecutor(cluster, manifest, { logGraceMs: 300 }).run(rec.ctx)).toEqual({ outcome: 'completed' });
    expect(cluster.server.deletions.map((d) => d.name)).toEqual(['torch-own']);
    rec.cleanup();
  });

  it('keeps the finished job when the trial template says retain', async () => {
    cluster = await startCluster({ operator: { script: lrScript } });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-keep', params: { lr: 0.02 } });
    const manifest = pytorchExperiment({ extra: '    retain: true' });
    expect(await fakeExecutor(cluster, manifest).run(rec.ctx)).toEqual({ outcome: 'completed' });
    expect(cluster.server.deletions).toEqual([]);
    expect(cluster.server.store.find(pytorch(cluster), 'team-a', 'torch-keep')).toBeDefined();
    rec.cleanup();
  });

  it('deletes a running job when the controller stops the trial early (even with retain)', async () => {
    cluster = await startCluster({
      operator: { script: () => ({ lines: ['loss=5', 'loss=4'], outcome: 'Running' }) },
    });
    const rec = recordingContext({
      experiment: 'torch',
      trial: 'torch-es',
      params: { lr: 0.02 },
      // The controller's early-stopping rule fires on the second report.
      onReport: (_logs, abort) => {
        if (rec.reports.length >= 2) abort.abort(earlyStop);
      },
    });
    const manifest = pytorchExperiment({ extra: '    retain: true' });
    const result = await fakeExecutor(cluster, manifest).run(rec.ctx);
    expect(result).toEqual({ outcome: 'stopped' });
    expect(rec.values('loss')).toEqual([5, 4]);
    expect(cluster.server.deletions).toEqual([
      { resource: 'pytorchjobs.kubeflow.org', namespace: 'team-a', name: 'torch-es', propagationPolicy: 'Foreground' },
    ]);
    await until(() => cluster!.server.store.find(pytorch(cluster!), 'team-a', 'torch-es') === undefined);
  });

  it('deletes the job when the trial is killed before it produced anything', async () => {
    cluster = await startCluster({ operator: { script: () => ({ outcome: 'Running' }) } });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-kill', params: { lr: 0.02 } });
    const running = fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    await until(() => cluster!.server.store.list(cluster!.server.resource('v1', 'pods'), 'team-a').length === 3);
    rec.abort.abort({ kind: 'Killed', reason: 'ExperimentKilled', message: 'killed' });
    expect(await running).toEqual({ outcome: 'stopped' });
    expect(cluster.server.deletions.map((d) => d.name)).toEqual(['torch-kill']);
    rec.cleanup();
  });

  it('reports a job deleted by someone else as failed', async () => {
    cluster = await startCluster({ operator: { script: () => ({ outcome: 'Running' }) } });
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-gone', params: { lr: 0.02 } });
    const running = fakeExecutor(cluster, pytorchExperiment()).run(rec.ctx);
    await until(() => cluster!.server.store.find(pytorch(cluster!), 'team-a', 'torch-gone') !== undefined);
    cluster.server.store.remove(pytorch(cluster), 'team-a', 'torch-gone');
    const result = await running;
    expect(result).toMatchObject({ outcome: 'failed', reason: 'JobDeleted' });
    rec.cleanup();
  });
});

describe('KubernetesExecutor.recover', { timeout: 20_000 }, () => {
  it('deletes the job a dead controller left running for a trial, and leaves a job that is not ours', async () => {
    cluster = await startCluster({ operator: { script: () => ({ outcome: 'Running' }) } });
    const type = pytorch(cluster);
    const spec = pytorchExperiment().spec.trialTemplate!.trialSpec!.spec;
    const labels = (trial: string) => ({ 'katib.kubeflow.org/experiment': 'torch', 'katib.kubeflow.org/trial': trial });
    cluster.server.store.create(type, 'team-a', {
      metadata: { name: 'torch-orphan', labels: labels('torch-orphan') },
      spec,
    });
    cluster.server.store.create(type, 'team-a', {
      metadata: { name: 'torch-other', labels: labels('someone-else') },
      spec,
    });
    const exec = fakeExecutor(cluster, pytorchExperiment());
    exec.recover({ name: 'torch-orphan' });
    exec.recover({ name: 'torch-other' });
    exec.recover({ name: 'torch-never-created' });
    await exec.close();
    expect(cluster.server.deletions).toEqual([
      {
        resource: 'pytorchjobs.kubeflow.org',
        namespace: 'team-a',
        name: 'torch-orphan',
        propagationPolicy: 'Foreground',
      },
    ]);
    expect(cluster.server.store.find(type, 'team-a', 'torch-other')).toBeDefined();
  });
});

describe('KubernetesExecutor with other job kinds', { timeout: 20_000 }, () => {
  const trainJob = loadExperiments(`
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: tj, namespace: team-a}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  parameters: [{name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}]
  trialTemplate:
    primaryContainerName: node
    trialParameters: [{name: learningRate, reference: lr}]
    trialSpec:
      apiVersion: trainer.kubeflow.org/v1alpha1
      kind: TrainJob
      spec:
        runtimeRef: {name: torch-distributed}
        trainer:
          numNodes: 3
          image: docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727
          command: [python3, /opt/pytorch-mnist/mnist.py, "--lr=\${trialParameters.learningRate}"]
`)[0]!;

  const batchJob = (name: string) =>
    loadExperiments(`
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: ${name}, namespace: team-a}
spec:
  objective: {type: maximize, objectiveMetricName: accuracy}
  algorithm: {algorithmName: random}
  parameters: [{name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}]
  trialTemplate:
    primaryContainerName: training-container
    trialParameters: [{name: learningRate, reference: lr}]
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: training-container
                image: docker.io/kubeflowkatib/mxnet-mnist:latest
                command: [python3, /opt/mxnet-mnist/mnist.py, "--lr=\${trialParameters.learningRate}"]
`)[0]!;

  it('runs a TrainJob to Complete, reading the node-0 pod and ignoring the other nodes', async () => {
    cluster = await startCluster({ operator: { script: lrScript } });
    const rec = recordingContext({ experiment: 'tj', trial: 'tj-1', params: { lr: 0.03 } });
    // Defaulted like the controller's manifest: Katib's TrainJob primary pod labels and conditions.
    const result = await fakeExecutor(cluster, applyDefaults(trainJob)).run(rec.ctx);
    expect(result).toEqual({ outcome: 'completed' });
    expect(rec.values('loss')).toEqual([0.3, 0.15]);
    expect(cluster.server.requestsTo('/api/v1/namespaces/team-a/pods', 'GET')[0]?.query.labelSelector).toBe(
      'jobset.sigs.k8s.io/replicatedjob-name=node,batch.kubernetes.io/job-completion-index=0,jobset.sigs.k8s.io/jobset-name=tj-1',
    );
    expect(
      cluster.server.requestsTo('/apis/trainer.kubeflow.org/v1alpha1/namespaces/team-a/trainjobs', 'POST'),
    ).toHaveLength(1);
    rec.cleanup();
  });

  it('runs a batch Job to Complete (SuccessCriteriaMet first) and a failing one to Failed', async () => {
    cluster = await startCluster({
      operator: {
        script: (job) =>
          Number(argValue(job, '--lr')) > 0.05
            ? { lines: ['accuracy=0.1'], outcome: 'Failed' }
            : { lines: ['accuracy=0.9'] },
      },
    });
    const exec = fakeExecutor(cluster, batchJob('bj'));
    const ok = recordingContext({ experiment: 'bj', trial: 'bj-ok', params: { lr: 0.02 } });
    const bad = recordingContext({ experiment: 'bj', trial: 'bj-bad', params: { lr: 0.08 } });
    const [r1, r2] = await Promise.all([exec.run(ok.ctx), exec.run(bad.ctx)]);
    expect(r1).toEqual({ outcome: 'completed' });
    expect(ok.values('accuracy')).toEqual([0.9]);
    expect(r2).toEqual({
      outcome: 'failed',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(bad.values('accuracy')).toEqual([0.1]);
    const selectors = cluster.server
      .requestsTo('/api/v1/namespaces/team-a/pods', 'GET')
      .map((r) => r.query.labelSelector);
    expect(new Set(selectors)).toEqual(new Set(['job-name=bj-ok', 'job-name=bj-bad']));
    // batch/v1 Jobs orphan their pods unless asked otherwise: foreground matters here.
    expect(cluster.server.deletions.map((d) => d.propagationPolicy)).toEqual(['Foreground', 'Foreground']);
    ok.cleanup();
    bad.cleanup();
  });

  it('reads an mpi-operator v2beta1 MPIJob from its launcher (job-role=launcher, not master)', async () => {
    const manifest = loadExperiments(`
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: mpi, namespace: team-a}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  parameters: [{name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}]
  trialTemplate:
    primaryContainerName: mpi-launcher
    trialParameters: [{name: learningRate, reference: lr}]
    trialSpec:
      apiVersion: kubeflow.org/v2beta1
      kind: MPIJob
      spec:
        slotsPerWorker: 1
        mpiReplicaSpecs:
          Launcher:
            replicas: 1
            template: {spec: {containers: [{name: mpi-launcher, image: mpioperator/mpi-pi, command: [mpirun, "--lr=\${trialParameters.learningRate}"]}]}}
          Worker:
            replicas: 2
            template: {spec: {containers: [{name: mpi-worker, image: mpioperator/mpi-pi}]}}
`)[0]!;
    cluster = await startCluster({ operator: { script: lrScript } });
    const rec = recordingContext({ experiment: 'mpi', trial: 'mpi-1', params: { lr: 0.04 } });
    expect(await fakeExecutor(cluster, applyDefaults(manifest)).run(rec.ctx)).toEqual({ outcome: 'completed' });
    expect(rec.values('loss')).toEqual([0.4, 0.2]);
    expect(cluster.server.requestsTo('/api/v1/namespaces/team-a/pods', 'GET')[0]?.query.labelSelector).toBe(
      'training.kubeflow.org/job-role=launcher,training.kubeflow.org/job-name=mpi-1',
    );
    rec.cleanup();
  });

  it('reads a trial template from a ConfigMap in the cluster', async () => {
    cluster = await startCluster({ operator: { script: lrScript } });
    const template = JSON.stringify(batchJob('x').spec.trialTemplate!.trialSpec);
    cluster.server.store.create(cluster.server.resource('v1', 'configmaps'), 'team-a', {
      metadata: { name: 'trial-templates' },
      data: { 'batch.yaml': template },
    });
    const manifest = batchJob('cm');
    manifest.spec.trialTemplate = {
      ...manifest.spec.trialTemplate!,
      configMap: { configMapName: 'trial-templates', templatePath: 'batch.yaml' },
    };
    delete manifest.spec.trialTemplate.trialSpec;
    const rec = recordingContext({ experiment: 'cm', trial: 'cm-1', params: { lr: 0.01 } });
    expect(await fakeExecutor(cluster, manifest).run(rec.ctx)).toEqual({ outcome: 'completed' });
    expect(rec.values('accuracy')).toEqual([0.99]);
    rec.cleanup();
  });
});

describe('KubernetesExecutor refuses what it cannot do', { timeout: 20_000 }, () => {
  it('rejects collectors that neither the pod log nor the file sidecar can feed', async () => {
    cluster = await startCluster();
    for (const kind of ['Push', 'PrometheusMetric'] as const) {
      const manifest = pytorchExperiment();
      manifest.spec.metricsCollectorSpec = { collector: { kind } };
      expect(() => fakeExecutor(cluster!, manifest)).toThrow(
        new RegExp(`${kind} cannot be collected by the kubernetes backend`),
      );
    }
  });

  it('rejects a trial kind that has no default conditions when the template sets none', async () => {
    cluster = await startCluster();
    const manifest = pytorchExperiment();
    manifest.spec.trialTemplate!.trialSpec = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', spec: {} };
    expect(() => fakeExecutor(cluster!, manifest)).toThrow(/no default success\/failure conditions for kind Workflow/);
  });

  it('fails a trial whose primary container is not in the template', async () => {
    cluster = await startCluster();
    const manifest = pytorchExperiment();
    manifest.spec.trialTemplate!.primaryContainerName = 'trainer';
    const rec = recordingContext({ experiment: 'torch', trial: 'torch-x', params: { lr: 0.02 } });
    const result = await fakeExecutor(cluster, manifest).run(rec.ctx);
    expect(result).toMatchObject({ outcome: 'failed', reason: 'InvalidTrialTemplate' });
    expect((result as { message: string }).message).toMatch(/no container named 'trainer'/);
    expect(cluster.server.requestsTo(/pytorchjobs/, 'POST')).toEqual([]);
    rec.cleanup();
  });
});
