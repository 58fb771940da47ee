// Where Katib's webhook refuses what `hpo validate` accepts: the rules hpo submit enforces before the cluster.
import { describe, expect, it } from 'vitest';
import { errorsOnly } from '../../src/common/issue.ts';
import { katibWebhookIssues } from '../../src/spec/katibWebhook.ts';
import { loadExperiments } from '../../src/spec/load.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import { validateExperiment } from '../../src/spec/validate.ts';
import { options } from './helpers.ts';

function experiment(
  o: { budget?: string; kind?: string; conditions?: string; labels?: string } = {},
): ExperimentManifest {
  const kind = o.kind ?? 'JAXJob';
  const key =
    kind === 'JAXJob' ? 'jaxReplicaSpecs' : kind === 'PaddleJob' ? 'paddleReplicaSpecs' : 'pytorchReplicaSpecs';
  const container = kind === 'JAXJob' ? 'jax' : kind === 'PaddleJob' ? 'paddle' : 'pytorch';
  return loadExperiments(`
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata: {name: hook, namespace: team-a}
spec:
  objective: {type: minimize, objectiveMetricName: loss}
  algorithm: {algorithmName: random}
  ${o.budget ?? 'maxTrialCount: 4'}
  parallelTrialCount: 2
  parameters:
    - {name: lr, parameterType: double, feasibleSpace: {min: "0.01", max: "0.1"}}
  trialTemplate:
    primaryContainerName: ${container}
${o.conditions ?? ''}
${o.labels ?? ''}
    trialParameters: [{name: lr, reference: lr}]
    trialSpec:
      apiVersion: kubeflow.org/v1
      kind: ${kind}
      spec:
        ${key}:
          Worker:
            replicas: 1
            template:
              spec:
                containers:
                  - {name: ${container}, image: "i:1", command: [python3, t.py, "--lr=\${trialParameters.lr}"]}
`)[0]!;
}

const conditions = `    successCondition: 'status.conditions.#(type=="Succeeded")#|#(status=="True")#'
    failureCondition: 'status.conditions.#(type=="Failed")#|#(status=="True")#'`;
const labels = '    primaryPodLabels: {training.kubeflow.org/job-role: master}';

describe('katibWebhookIssues', () => {
  it('refuses maxFailedTrialCount > maxTrialCount, which hpo validate only warns about', () => {
    const m = experiment({ kind: 'PyTorchJob', budget: 'maxTrialCount: 4\n  maxFailedTrialCount: 5' });
    const local = validateExperiment(m, options);
    expect(errorsOnly(local)).toEqual([]);
    expect(local.find((i) => i.path === 'spec.maxFailedTrialCount')?.severity).toBe('warning');
    expect(katibWebhookIssues(m)).toEqual([
      expect.objectContaining({ path: 'spec.maxFailedTrialCount', fix: 'Set maxFailedTrialCount to at most 4.' }),
    ]);
    expect(
      katibWebhookIssues(experiment({ kind: 'PyTorchJob', budget: 'maxTrialCount: 4\n  maxFailedTrialCount: 4' })),
    ).toEqual([]);
    expect(katibWebhookIssues(experiment({ kind: 'PyTorchJob', budget: 'maxFailedTrialCount: 5' }))).toEqual([]);
  });

  it.each(['JAXJob', 'PaddleJob'])(
    "a %s without conditions: Katib's webhook refuses it, hpo validate warns, our defaults run it",
    (kind) => {
      const m = experiment({ kind });
      const issues = katibWebhookIssues(m);
      expect(errorsOnly(issues).map((i) => i.path)).toEqual([
        'spec.trialTemplate.successCondition',
        'spec.trialTemplate.failureCondition',
      ]);
      expect(issues.find((i) => i.severity === 'warning')?.path).toBe('spec.trialTemplate.primaryPodLabels');
      const local = validateExperiment(m, options);
      expect(errorsOnly(local)).toEqual([]);
      expect(local.filter((i) => i.path.startsWith('spec.trialTemplate.')).map((i) => i.severity)).toEqual([
        'warning',
        'warning',
        'warning',
      ]);
      expect(katibWebhookIssues(experiment({ kind, conditions, labels }))).toEqual([]);
    },
  );

  it('a PyTorchJob relies on the defaults Katib gives it too', () => {
    expect(katibWebhookIssues(experiment({ kind: 'PyTorchJob' }))).toEqual([]);
  });
});
