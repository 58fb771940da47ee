/* biome-ignore-all lint/suspicious/noExplicitAny: tests read the rendered job freely. */
// Trial artifacts on the Kubernetes backend: where they go (the experiment's annotation), how the job is given the
// folder (volume, env, inventory sidecar; valid against the real PyTorchJob CRD), what the inventory sidecar's
// script prints when run for real, and how its records become the trial's artifact record with URIs and digests.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/common/errors.ts';
import { ArtifactInventory, artifactInventoryName } from '../../../src/platform/kubernetes/artifactInventory.ts';
import {
  artifactStorageOf,
  parseArtifactStorage,
  trialArtifactsUri,
} from '../../../src/platform/kubernetes/artifactStorage.ts';
import { buildTrialJob, type TrialIdentity } from '../../../src/platform/kubernetes/trialJob.ts';
import type { TrialTemplate } from '../../../src/spec/types.ts';
import { validateAgainstCrd } from '../../../src/training/jobs/crdValidator.ts';
import { caught, tempDir } from '../../helpers.ts';
import { inventoryLines } from './inventoryRun.ts';

const crd = readFileSync(
  new URL('../../../../shared/kubeflow/crds/training-operator-v1.9.4/kubeflow.org_pytorchjobs.yaml', import.meta.url),
  'utf8',
);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function template(master: Record<string, unknown> = {}): TrialTemplate {
  const container = {
    name: 'pytorch',
    image: 'train:1',
    command: ['python3', 'train.py'],
    args: ['--lr=${trialParameters.lr}', '--save=$(HPO_ARTIFACTS_DIR)/model.pt'],
    env: [
      { name: 'HPO_ARTIFACTS_DIR', value: '/elsewhere' },
      { name: 'OUT', value: '$(HPO_ARTIFACTS_DIR)/out' },
    ],
  };
  const pod = (extra: Record<string, unknown>) => ({ spec: { containers: [{ ...container }], ...extra } });
  return {
    primaryContainerName: 'pytorch',
    trialParameters: [{ name: 'lr', reference: 'lr' }],
    trialSpec: {
      apiVersion: 'kubeflow.org/v1',
      kind: 'PyTorchJob',
      spec: {
        pytorchReplicaSpecs: {
          Master: { replicas: 1, template: pod(master) },
          Worker: { replicas: 1, template: pod({}) },
        },
      },
    },
  };
}

const id = (storage: string): TrialIdentity => ({
  experiment: 'mnist',
  trial: 'mnist-x7k2',
  namespace: 'team-a',
  params: { lr: 0.1 },
  artifacts: { storage: parseArtifactStorage(storage, 'test') },
});

const sha = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe('where artifacts go (hpo-workbench.io/artifacts)', () => {
  it.each([
    ['pvc://models', { kind: 'pvc', claim: 'models', prefix: '' }],
    ['pvc://models/hpo/runs/', { kind: 'pvc', claim: 'models', prefix: 'hpo/runs' }],
    ['s3://bucket/prefix/', { kind: 'uri', base: 's3://bucket/prefix' }],
    ['gs://bucket', { kind: 'uri', base: 'gs://bucket' }],
  ])('%s', (value, storage) => {
    expect(artifactStorageOf({ 'hpo-workbench.io/artifacts': value })).toEqual(storage);
  });

  it.each([
    ['/mnt/models', 'neither a pvc:// location'],
    ['pvc://Models_1', "names the claim 'Models_1'"],
    ['pvc://models/../other', 'must not contain ..'],
    ['ftp://host/x', 'neither a pvc:// location'],
    ['s3://', 'neither a pvc:// location'],
  ])('refuses %s, naming the annotation', (value, why) => {
    const e = caught(() => artifactStorageOf({ 'hpo-workbench.io/artifacts': value }));
    expect(e.code).toBe(ErrorCode.invalidSpec);
    expect(e.message).toContain('metadata.annotations["hpo-workbench.io/artifacts"]');
    expect(e.message).toContain(why);
  });

  it('an experiment without the annotation has none; the trial folder URI ends with /', () => {
    expect(artifactStorageOf(undefined)).toBeUndefined();
    expect(trialArtifactsUri(parseArtifactStorage('s3://b/p', 't'), 'e', 'e-1')).toBe('s3://b/p/e/e-1/');
    expect(trialArtifactsUri(parseArtifactStorage('pvc://c', 't'), 'e', 'e-1')).toBe('pvc://c/e/e-1/');
  });
});

describe('the trial job with an artifacts folder', () => {
  it('mounts a claim at /hpo/artifacts with subPath <prefix>/<experiment>/<trial>, sets the env first, adds the inventory sidecar', () => {
    const tt = template();
    const job = buildTrialJob(tt, tt.trialSpec!, id('pvc://models/hpo'));
    for (const role of ['Master', 'Worker']) {
      const pod = (job.spec as any).pytorchReplicaSpecs[role].template.spec;
      expect(pod.volumes).toEqual([{ name: 'hpo-artifacts', persistentVolumeClaim: { claimName: 'models' } }]);
      const main = pod.containers[0];
      expect(main.volumeMounts).toEqual([
        { name: 'hpo-artifacts', mountPath: '/hpo/artifacts', subPath: 'hpo/mnist/mnist-x7k2' },
      ]);
      // The template's own HPO_ARTIFACTS_DIR is replaced; its reference to it keeps working (declared before it).
      expect(main.env).toEqual([
        { name: 'HPO_ARTIFACTS_DIR', value: '/hpo/artifacts' },
        { name: 'HPO_ARTIFACTS_URI', value: 'pvc://models/hpo/mnist/mnist-x7k2/' },
        { name: 'OUT', value: '$(HPO_ARTIFACTS_DIR)/out' },
      ]);
      expect(main.args).toEqual(['--lr=0.1', '--save=$(HPO_ARTIFACTS_DIR)/model.pt']);
      expect(pod.initContainers).toHaveLength(1);
      expect(pod.initContainers[0]).toMatchObject({
        name: artifactInventoryName,
        restartPolicy: 'Always',
        args: ['/hpo/artifacts'],
        volumeMounts: [
          { name: 'hpo-artifacts', mountPath: '/hpo/artifacts', subPath: 'hpo/mnist/mnist-x7k2', readOnly: true },
        ],
      });
    }
    expect(validateAgainstCrd(job as Record<string, unknown>, crd)).toEqual([]);
  });

  it("uses the template's own volume of that claim instead of adding one", () => {
    const tt = template({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'models' } }] });
    const job = buildTrialJob(tt, tt.trialSpec!, id('pvc://models'));
    const pod = (job.spec as any).pytorchReplicaSpecs.Master.template.spec;
    expect(pod.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'models' } }]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'data', mountPath: '/hpo/artifacts', subPath: 'mnist/mnist-x7k2' },
    ]);
    expect(pod.initContainers[0].volumeMounts[0]).toMatchObject({ name: 'data', subPath: 'mnist/mnist-x7k2' });
    expect(validateAgainstCrd(job as Record<string, unknown>, crd)).toEqual([]);
  });

  it('gives an object store an emptyDir to write in and the trial folder URI to upload to', () => {
    const tt = template();
    const job = buildTrialJob(tt, tt.trialSpec!, id('s3://bucket/hpo'));
    const pod = (job.spec as any).pytorchReplicaSpecs.Master.template.spec;
    expect(pod.volumes).toEqual([{ name: 'hpo-artifacts', emptyDir: {} }]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'hpo-artifacts', mountPath: '/hpo/artifacts' }]);
    expect(pod.containers[0].env.slice(0, 2)).toEqual([
      { name: 'HPO_ARTIFACTS_DIR', value: '/hpo/artifacts' },
      { name: 'HPO_ARTIFACTS_URI', value: 's3://bucket/hpo/mnist/mnist-x7k2/' },
    ]);
    expect(validateAgainstCrd(job as Record<string, unknown>, crd)).toEqual([]);
  });

  it('refuses a TrainJob, whose pods live in its runtime, naming the annotation', () => {
    const tt: TrialTemplate = {
      primaryContainerName: 'node',
      trialSpec: {
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'TrainJob',
        spec: { runtimeRef: { name: 'torch-distributed' }, trainer: { image: 'train:1', command: ['train'] } },
      },
    };
    const e = caught(() => buildTrialJob(tt, tt.trialSpec!, id('pvc://models')));
    expect(e.code).toBe(ErrorCode.invalidSpec);
    expect(e.message).toContain(
      'metadata.annotations["hpo-workbench.io/artifacts"]: the trial template shows no pod template',
    );
  });

  it('adds nothing without storage', () => {
    const tt = template();
    const job = buildTrialJob(tt, tt.trialSpec!, { experiment: 'e', trial: 'e-1', namespace: 'n', params: { lr: 1 } });
    const pod = (job.spec as any).pytorchReplicaSpecs.Master.template.spec;
    expect(pod.volumes).toBeUndefined();
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers[0].env[0]).toEqual({ name: 'HPO_ARTIFACTS_DIR', value: '/elsewhere' });
  });
});

describe('the inventory sidecar, run for real', () => {
  function folder(): string {
    const t = tempDir('hpo-pod-artifacts-');
    cleanups.push(t.cleanup);
    const dir = join(t.dir, 'artifacts');
    mkdirSync(join(dir, 'ckpt', 'epoch 3'), { recursive: true });
    writeFileSync(join(dir, 'model.joblib'), 'the model');
    writeFileSync(join(dir, 'ckpt', 'epoch 3', 'state.bin'), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(dir, 'notes.txt'), '');
    writeFileSync(
      join(dir, 'hpo-artifacts.json'),
      JSON.stringify({ 'ckpt/epoch 3/state.bin': 'checkpoint', 'notes.txt': 'bogus' }),
    );
    symlinkSync('/etc/passwd', join(dir, 'passwd'));
    // Names with a newline, whose second line would be an absolute path or one relative to the sidecar's working
    // folder (the repository root here, which has a package.json): neither is recorded.
    mkdirSync(join(dir, 'x\n', 'etc'), { recursive: true });
    writeFileSync(join(dir, 'x\n', 'etc', 'hostname'), 'no');
    writeFileSync(join(dir, 'y\npackage.json'), 'no');
    return dir;
  }

  it('prints every regular file with sha256 and size, names links, passes the manifest; the record gets URIs', () => {
    const lines = inventoryLines(folder());
    const inv = new ArtifactInventory('pvc://models/mnist/mnist-x7k2/', '/hpo/artifacts');
    for (const l of lines) inv.apply(l);
    const { artifacts, problems } = inv.result();
    expect(artifacts).toEqual([
      {
        name: 'ckpt/epoch 3/state.bin',
        path: '/hpo/artifacts/ckpt/epoch 3/state.bin',
        uri: 'pvc://models/mnist/mnist-x7k2/ckpt/epoch%203/state.bin',
        kind: 'checkpoint',
        sha256: sha(Buffer.from([0, 1, 2, 255])),
        size: 4,
      },
      {
        name: 'model.joblib',
        path: '/hpo/artifacts/model.joblib',
        uri: 'pvc://models/mnist/mnist-x7k2/model.joblib',
        kind: 'model',
        sha256: sha('the model'),
        size: 9,
      },
      {
        name: 'notes.txt',
        path: '/hpo/artifacts/notes.txt',
        uri: 'pvc://models/mnist/mnist-x7k2/notes.txt',
        kind: 'other',
        sha256: sha(''),
        size: 0,
      },
    ]);
    expect(problems).toEqual([
      'passwd: a symbolic link, not recorded (write the file itself)',
      `hpo-artifacts.json: 'notes.txt' has kind "bogus", not one of model, metrics, checkpoint, plot, other`,
    ]);
  });

  it('an empty folder is an inventory of nothing, not a missing one', () => {
    const t = tempDir('hpo-pod-artifacts-');
    cleanups.push(t.cleanup);
    const inv = new ArtifactInventory('s3://b/e/t/', '/hpo/artifacts');
    for (const l of inventoryLines(t.dir)) inv.apply(l);
    expect(inv.result()).toEqual({ artifacts: [], problems: [] });
  });

  it('records nothing without the end record, and ignores names that leave the folder', () => {
    const inv = new ArtifactInventory('s3://b/e/t/', '/hpo/artifacts');
    const name = (n: string) => Buffer.from(n).toString('base64');
    inv.apply(`hpo-artifacts/v1 file ${sha('x')} 1 ${name('../../etc/x')}`);
    inv.apply(`hpo-artifacts/v1 file ${sha('y')} 1 ${name('y.pt')}`);
    inv.apply('sh: sha256sum: not found');
    const cut = inv.result();
    expect(cut.artifacts).toBeUndefined();
    expect(cut.problems).toEqual([
      'a file name outside the artifacts folder was ignored',
      'the artifact inventory sidecar printed: sh: sha256sum: not found',
      expect.stringContaining('the artifact inventory did not finish'),
    ]);
    inv.apply('hpo-artifacts/v1 end 2');
    expect(inv.result().artifacts?.map((a) => a.uri)).toEqual(['s3://b/e/t/y.pt']);
  });
});
