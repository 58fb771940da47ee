/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
import { describe, expect, it } from 'vitest';
import { buildTrialJob } from '../../../src/platform/kubernetes/trialJob.ts';

describe('buildTrialJob', () => {
  it('gives the pod the values a shell script references, as env entries, never in the script', () => {
    const template = {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      spec: {
        pytorchReplicaSpecs: {
          Master: {
            replicas: 1,
            template: {
              spec: {
                containers: [
                  {
                    name: 'pytorch',
                    image: 'python:3.12',
                    command: ['timeout', '600', 'sh', '-c', 'python train.py --opt=${trialParameters.opt}'],
                    env: [{ name: 'A', value: '1' }],
                  },
                ],
              },
            },
          },
        },
      },
    };
    const job = buildTrialJob({ trialParameters: [{ name: 'opt', reference: 'optimizer' }] }, template, {
      experiment: 'e',
      trial: 'e-1',
      namespace: 'ns',
      params: { optimizer: '$(touch x); adam' },
    }) as {
      spec: { pytorchReplicaSpecs: { Master: { template: { spec: { containers: Record<string, unknown>[] } } } } };
    };
    const c = job.spec.pytorchReplicaSpecs.Master.template.spec.containers[0]!;
    expect(c.command).toEqual(['timeout', '600', 'sh', '-c', 'python train.py --opt="${HPO_PARAM_opt}"']);
    // `$` doubled: the kubelet expands $(VAR) in env values, and $$ is its escape for a literal $.
    expect(c.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'HPO_PARAM_opt', value: '$$(touch x); adam' },
    ]);
  });
});
