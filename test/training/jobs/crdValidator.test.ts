/* biome-ignore-all lint/suspicious/noExplicitAny: tests walk and edit manifests freely. */
import { describe, expect, it } from 'vitest';
import { buildJobManifest, validateAgainstCrd } from '../../../src/training/jobs/index.ts';
import { crdText } from './fixtures.ts';

const pytorch = (): Record<string, unknown> =>
  buildJobManifest({
    name: 'p',
    kind: 'PyTorchJob',
    image: 'img:1',
    replicas: { Master: 1, Worker: 2 },
    nodeSelector: { pool: 'gpu' },
  });

type Edit = (m: any) => void;

describe('validateAgainstCrd on the PyTorchJob CRD (training-operator v1.9.4)', () => {
  const master = 'spec.pytorchReplicaSpecs.Master';
  const cases: [string, Edit, string, RegExp][] = [
    [
      'misspelled container field',
      (m) => {
        m.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].imagePullPolice = 'Always';
      },
      `${master}.template.spec.containers[0].imagePullPolice`,
      /prune/,
    ],
    [
      'unknown spec field',
      (m) => {
        m.spec.elasticPolicyy = {};
      },
      'spec.elasticPolicyy',
      /prune/,
    ],
    [
      'unknown runPolicy field',
      (m) => {
        m.spec.runPolicy = { cleanPodPolicyy: 'All' };
      },
      'spec.runPolicy.cleanPodPolicyy',
      /prune/,
    ],
    [
      'replicas as a string',
      (m) => {
        m.spec.pytorchReplicaSpecs.Master.replicas = '1';
      },
      `${master}.replicas`,
      /integer/,
    ],
    [
      'container without a name',
      (m) => {
        delete m.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].name;
      },
      `${master}.template.spec.containers[0].name`,
      /Required/,
    ],
    [
      'boolean quantity',
      (m) => {
        m.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].resources = { limits: { cpu: true } };
      },
      `${master}.template.spec.containers[0].resources.limits.cpu`,
      /integer or a string/,
    ],
    [
      'malformed quantity',
      (m) => {
        m.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].resources = { limits: { memory: 'lots' } };
      },
      `${master}.template.spec.containers[0].resources.limits.memory`,
      /pattern/,
    ],
    [
      'unknown metadata field',
      (m) => {
        m.metadata.labelz = { a: 'b' };
      },
      'metadata.labelz',
      /drop/,
    ],
    [
      'unknown pod template metadata field',
      (m) => {
        m.spec.pytorchReplicaSpecs.Master.template.metadata = { lables: {} };
      },
      `${master}.template.metadata.lables`,
      /prune/,
    ],
    [
      'wrong apiVersion',
      (m) => {
        m.apiVersion = 'kubeflow.org/v2beta1';
      },
      'apiVersion',
      /serves kubeflow.org\/v1/,
    ],
    [
      'wrong kind',
      (m) => {
        m.kind = 'TFJob';
      },
      'kind',
      /PyTorchJob/,
    ],
  ];

  it('accepts the unedited manifest, including map-valued fields (roles, nodeSelector)', () => {
    expect(validateAgainstCrd(pytorch(), crdText('PyTorchJob'))).toEqual([]);
  });

  it.each(cases)('flags %s', (_, edit, path, message) => {
    const m = pytorch();
    edit(m);
    const issues = validateAgainstCrd(m, crdText('PyTorchJob'));
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toMatch(message);
  });

  it('rejects a manifest that is not a mapping', () => {
    expect(validateAgainstCrd(['x'], crdText('PyTorchJob'))).toEqual([
      { path: '', message: expect.stringMatching(/mapping/) },
    ]);
  });
});

describe('validateAgainstCrd on other CRDs', () => {
  const trainJob = (): any =>
    buildJobManifest({ name: 't', kind: 'TrainJob', runtimeRef: { name: 'torch-distributed' }, replicas: { node: 2 } });

  it('checks TrainJob required fields, types and pruned fields', () => {
    const m = trainJob();
    delete m.spec.runtimeRef;
    m.spec.trainer.numNodes = 'two';
    m.spec.trainer.gpus = 1;
    const paths = validateAgainstCrd(m, crdText('TrainJob')).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['spec.runtimeRef', 'spec.trainer.numNodes', 'spec.trainer.gpus']));
  });

  it('accepts a TrainJob status the controller writes and flags an unknown status field', () => {
    const m = trainJob();
    m.status = {
      conditions: [
        {
          type: 'Complete',
          status: 'True',
          reason: 'JobSetCompleted',
          message: 'jobset completed',
          lastTransitionTime: '2026-08-01T10:00:00Z',
        },
      ],
    };
    expect(validateAgainstCrd(m, crdText('TrainJob'))).toEqual([]);
    m.status.phase = 'Done';
    expect(validateAgainstCrd(m, crdText('TrainJob')).map((i) => i.path)).toEqual(['status.phase']);
  });

  it('tells the two MPIJob CRDs apart (they cannot coexist in one cluster)', () => {
    const v1 = buildJobManifest({ name: 'm', kind: 'MPIJob', image: 'i', replicas: { Launcher: 1, Worker: 1 } });
    expect(validateAgainstCrd(v1, crdText('MPIJobV2')).map((i) => i.path)).toEqual(['apiVersion']);
    expect(validateAgainstCrd(v1, crdText('MPIJob'))).toEqual([]);
  });
});

describe('validateAgainstCrd on a small CRD', () => {
  const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1}
                color: {type: string, enum: [red, blue]}
                free: {type: object, x-kubernetes-preserve-unknown-fields: true}
                labels: {type: object, additionalProperties: {type: string}}
                embedded: {type: object, x-kubernetes-embedded-resource: true, properties: {spec: {type: object}}}
    - name: v0
      served: false
      storage: false
      schema: {openAPIV3Schema: {type: object}}
`;
  const widget = (spec: Record<string, unknown>, apiVersion = 'example.com/v1') => ({
    apiVersion,
    kind: 'Widget',
    metadata: { name: 'w' },
    spec,
  });

  it.each([
    ['a valid object', { size: 1 }, []],
    ['preserve-unknown-fields keeps anything', { size: 1, free: { anything: { goes: 1 } } }, []],
    ['additionalProperties schemas type map values', { size: 1, labels: { a: 'b', c: 3 } }, ['spec.labels.c']],
    [
      'embedded resources may carry apiVersion/kind/metadata',
      { size: 1, embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: {} } },
      [],
    ],
    ['a missing required field', {}, ['spec.size']],
    ['a minimum', { size: 0 }, ['spec.size']],
    ['an enum', { size: 1, color: 'green' }, ['spec.color']],
    ['an undeclared field', { size: 1, colour: 'red' }, ['spec.colour']],
  ])('%s', (_, spec, paths) => {
    expect(validateAgainstCrd(widget(spec), crd).map((i) => i.path)).toEqual(paths);
  });

  it('names the allowed values of an enum', () => {
    expect(validateAgainstCrd(widget({ size: 1, color: 'green' }), crd)[0]?.message).toBe(
      'Must be one of "red", "blue".',
    );
  });

  it('refuses a version the CRD does not serve', () => {
    expect(validateAgainstCrd(widget({ size: 1 }, 'example.com/v0'), crd).map((i) => i.path)).toEqual(['apiVersion']);
  });

  it('throws when the text holds no CRD', () => {
    expect(() => validateAgainstCrd(widget({}), 'kind: ConfigMap')).toThrow(/CustomResourceDefinition/);
  });
});
