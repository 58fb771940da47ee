import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../src/spec/defaults.ts';
import { baseManifest, mutated } from './helpers.ts';

const kubeflowSucceeded = 'status.conditions.#(type=="Succeeded")#|#(status=="True")#';
const complete = 'status.conditions.#(type=="Complete")#|#(status=="True")#';
const failed = 'status.conditions.#(type=="Failed")#|#(status=="True")#';

function withKind(apiVersion: string, kind: string) {
  return mutated((m) => {
    m.spec.trialTemplate.trialSpec = { apiVersion, kind, spec: {} };
  });
}

describe('applyDefaults', () => {
  it('fills the webhook defaults', () => {
    const d = applyDefaults(
      mutated((m) => {
        delete m.spec.parallelTrialCount;
        delete m.metadata.namespace;
      }),
    );
    expect(d.metadata.namespace).toBe('default');
    expect(d.spec.parallelTrialCount).toBe(3);
    expect(d.spec.resumePolicy).toBe('Never');
    expect(d.spec.parameters?.map((p) => p.feasibleSpace.distribution)).toEqual(['uniform', 'uniform', 'uniform']);
    expect(d.spec.metricsCollectorSpec).toEqual({ collector: { kind: 'StdOut' } });
    expect(d.spec.trialTemplate?.successCondition).toBe(complete);
    expect(d.spec.trialTemplate?.failureCondition).toBe(failed);
    expect(d.spec.trialTemplate?.primaryPodLabels).toBeUndefined();
  });

  it.each([
    ['minimize', 'min'],
    ['maximize', 'max'],
  ] as const)('gives %s metrics without a strategy %s, additional metrics included', (type, value) => {
    const d = applyDefaults(
      mutated((m) => {
        m.spec.objective.type = type;
        m.spec.objective.additionalMetricNames = ['accuracy', 'time'];
        m.spec.objective.metricStrategies = [{ name: 'time', value: 'latest' }];
      }),
    );
    expect(d.spec.objective?.metricStrategies).toEqual([
      { name: 'time', value: 'latest' },
      { name: 'loss', value },
      { name: 'accuracy', value },
    ]);
  });

  it('uses latest for an objective type that is neither', () => {
    const d = applyDefaults(mutated((m) => (m.spec.objective.type = 'other')));
    expect(d.spec.objective?.metricStrategies?.[0]).toEqual({ name: 'loss', value: 'latest' });
  });

  it.each([
    ['File', {}, { fileSystemPath: { kind: 'File', path: '/var/log/katib/metrics.log', format: 'TEXT' } }],
    [
      'File',
      { fileSystemPath: { kind: 'File', path: '/x.log' } },
      { fileSystemPath: { kind: 'File', path: '/x.log', format: 'TEXT' } },
    ],
    ['TensorFlowEvent', undefined, { fileSystemPath: { kind: 'Directory', path: '/var/log/katib/tfevent/' } }],
    ['PrometheusMetric', undefined, { httpGet: { path: '/metrics', port: 8080 } }],
  ])('defaults the %s collector source', (kind, source, expected) => {
    const d = applyDefaults(
      mutated((m) => {
        m.spec.metricsCollectorSpec = source === undefined ? { collector: { kind } } : { collector: { kind }, source };
      }),
    );
    expect(d.spec.metricsCollectorSpec?.source).toEqual(expected);
  });

  it.each([
    ['batch/v1', 'Job', complete, undefined],
    ['kubeflow.org/v1', 'PyTorchJob', kubeflowSucceeded, { 'training.kubeflow.org/job-role': 'master' }],
    ['kubeflow.org/v1', 'TFJob', kubeflowSucceeded, { 'training.kubeflow.org/job-role': 'master' }],
    ['kubeflow.org/v1', 'MPIJob', kubeflowSucceeded, { 'training.kubeflow.org/job-role': 'master' }],
    ['kubeflow.org/v1', 'XGBoostJob', kubeflowSucceeded, { 'training.kubeflow.org/job-role': 'master' }],
    ['kubeflow.org/v1', 'JAXJob', kubeflowSucceeded, { 'training.kubeflow.org/job-role': 'master' }],
    ['kubeflow.org/v1', 'PaddleJob', kubeflowSucceeded, { 'training.kubeflow.org/job-role': 'master' }],
    [
      'trainer.kubeflow.org/v1alpha1',
      'TrainJob',
      complete,
      { 'jobset.sigs.k8s.io/replicatedjob-name': 'node', 'batch.kubernetes.io/job-completion-index': '0' },
    ],
    ['argoproj.io/v1alpha1', 'Workflow', undefined, undefined],
  ])('defaults conditions and pod labels of %s %s', (apiVersion, kind, success, labels) => {
    const tt = applyDefaults(withKind(apiVersion, kind)).spec.trialTemplate;
    expect(tt?.successCondition).toBe(success);
    expect(tt?.failureCondition).toBe(success === undefined ? undefined : failed);
    expect(tt?.primaryPodLabels).toEqual(labels);
  });

  it('keeps what the user wrote', () => {
    const m = mutated((m) => {
      m.spec.trialTemplate.trialSpec.kind = 'PyTorchJob';
      m.spec.trialTemplate.trialSpec.apiVersion = 'kubeflow.org/v1';
      m.spec.trialTemplate.primaryPodLabels = { role: 'x' };
      m.spec.trialTemplate.successCondition = 'status.done';
      m.spec.resumePolicy = 'LongRunning';
      m.spec.parameters[0].feasibleSpace.distribution = 'logUniform';
    });
    const d = applyDefaults(m);
    expect(d.spec.trialTemplate?.primaryPodLabels).toEqual({ role: 'x' });
    expect(d.spec.trialTemplate?.successCondition).toBe('status.done');
    expect(d.spec.trialTemplate?.failureCondition).toBe(failed);
    expect(d.spec.resumePolicy).toBe('LongRunning');
    expect(d.spec.parameters?.[0]?.feasibleSpace.distribution).toBe('logUniform');
  });

  it('gives a ConfigMap template no conditions', () => {
    const d = applyDefaults(
      mutated((m) => {
        delete m.spec.trialTemplate.trialSpec;
        m.spec.trialTemplate.configMap = { configMapName: 'a', configMapNamespace: 'b', templatePath: 'c' };
      }),
    );
    expect(d.spec.trialTemplate?.successCondition).toBeUndefined();
  });

  it('is pure and idempotent', () => {
    const m = baseManifest();
    const before = structuredClone(m);
    const once = applyDefaults(m);
    expect(m).toEqual(before);
    expect(applyDefaults(once)).toEqual(once);
  });

  it('tolerates malformed input', () => {
    expect(() => applyDefaults(mutated((m) => (m.spec.parameters = 'lr')))).not.toThrow();
    expect(() => applyDefaults(mutated((m) => (m.spec = null)))).not.toThrow();
  });
});
