import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTrialJob, checkpointClaim } from '../../../src/platform/kubernetes/trialJob.ts';
import type { TrialTemplate } from '../../../src/spec/types.ts';
import { validateAgainstCrd } from '../../../src/training/jobs/crdValidator.ts';

const crd = readFileSync(
  new URL('../../../../shared/kubeflow/crds/training-operator-v1.9.4/kubeflow.org_pytorchjobs.yaml', import.meta.url),
  'utf8',
);

const tt: TrialTemplate = {
  primaryContainerName: 'pytorch',
  trialParameters: [{ name: 'lr', reference: 'lr' }],
  trialSpec: {
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
                  image: 'train:1',
                  args: ['--lr=${trialParameters.lr}', '--checkpoint=/var/log/katib/checkpoints/'],
                },
              ],
            },
          },
        },
      },
    },
  },
};

describe('PBT checkpoints on the kubernetes backend (Katib volume layout)', () => {
  it('mounts the experiment PVC at suggestion_trial_dir with subPath <experiment>/<trial> and seeds it from the parent', () => {
    const job = buildTrialJob(tt, tt.trialSpec!, {
      experiment: 'pbt',
      trial: 'pbt-g1-0',
      namespace: 'team-a',
      params: { lr: 0.1 },
      checkpoint: { mountPath: '/var/log/katib/checkpoints/', parent: 'pbt-g0-3' },
    });
    const pod = (job.spec as any).pytorchReplicaSpecs.Master.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'hpo-pbt-checkpoints', persistentVolumeClaim: { claimName: checkpointClaim('pbt') } },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'hpo-pbt-checkpoints', mountPath: '/var/log/katib/checkpoints/', subPath: 'pbt/pbt-g1-0' },
    ]);
    expect(pod.initContainers[0].command).toEqual(['cp', '-a', '/pbt/pbt/pbt-g0-3', '/pbt/pbt/pbt-g1-0']);
    expect(validateAgainstCrd(job as Record<string, unknown>, crd)).toEqual([]);
  });

  it('adds no init container for a first-generation trial and nothing without the setting', () => {
    const first = buildTrialJob(tt, tt.trialSpec!, {
      experiment: 'pbt',
      trial: 'pbt-g0-0',
      namespace: 'team-a',
      params: { lr: 0.1 },
      checkpoint: { mountPath: '/ckpt' },
    });
    expect((first.spec as any).pytorchReplicaSpecs.Master.template.spec.initContainers).toBeUndefined();
    const plain = buildTrialJob(tt, tt.trialSpec!, {
      experiment: 'e',
      trial: 'e-1',
      namespace: 'n',
      params: { lr: 0.1 },
    });
    expect((plain.spec as any).pytorchReplicaSpecs.Master.template.spec.volumes).toBeUndefined();
  });
});
