// The InferenceService export, checked with the workbench's CRD validator against KServe 0.20's real CRD; the same
// validator accepts KServe's own samples (and refuses the one that is stale upstream), so a pass means something.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { WinnerDocument } from '../../../src/experiment/winner.ts';
import {
  inferenceService,
  inferenceServiceYaml,
  validateInferenceService,
} from '../../../src/platform/kserve/index.ts';

const shared = fileURLToPath(new URL('../../../../shared/kubeflow/', import.meta.url));
const crd = readFileSync(join(shared, 'crds/kserve-v0.20.0/serving.kserve.io_inferenceservices.yaml'), 'utf8');
const samples = join(shared, 'samples/kserve-v0.20.0');

const model = {
  name: 'model.joblib',
  path: '/store/experiments/svc-digits/artifacts/svc-digits-abc/model.joblib',
  kind: 'model' as const,
  sha256: 'a'.repeat(64),
  size: 100,
};

function winner(over: Partial<WinnerDocument> = {}, resources?: Record<string, unknown>): WinnerDocument {
  const container = {
    name: 'training-container',
    image: 'python:3.11',
    command: ['train'],
    ...(resources ? { resources } : {}),
  };
  return {
    experiment: 'svc-digits',
    namespace: 'team-a',
    name: 'svc-digits-abc',
    state: 'Succeeded',
    parameters: { C: 2 },
    objective: 0.98,
    objectiveMetricName: 'accuracy',
    objectiveType: 'maximize',
    metrics: [],
    trialTemplate: {
      primaryContainerName: 'training-container',
      trialParameters: [],
      trialSpec: { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [container] } } } },
    },
    artifacts: [model],
    ...over,
  };
}

describe('the validator on KServe 0.20 samples', () => {
  const files = readdirSync(samples).filter((f) => f.endsWith('.yaml'));
  it.each(files)('%s', (file) => {
    const docs = parseAllDocuments(readFileSync(join(samples, file), 'utf8')).map((d) => d.toJS());
    const isvcs = docs.filter((d) => d?.kind === 'InferenceService');
    expect(isvcs.length).toBeGreaterThan(0);
    const issues = isvcs.map((doc) => validateInferenceService(doc, crd));
    if (file === 'rollout-strategy__rollout-strategy-example.yaml') {
      // Stale upstream (kubeflow REFERENCE §0): the first document's transformer.custom is not in the v0.20.0 schema.
      expect(issues[0]).toEqual([expect.objectContaining({ path: 'spec.transformer.custom' })]);
      expect(issues.slice(1)).toEqual([[], []]);
    } else expect(issues).toEqual(isvcs.map(() => []));
  });
});

describe('inferenceService', () => {
  it('serves a scikit-learn model with protocol v2, the trial template resources and GPU, and the winner in annotations', () => {
    const w = winner(
      {},
      { limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': 1, 'example.com/fpga': 1 }, requests: { cpu: '1' } },
    );
    const { manifest, warnings } = inferenceService(w, { storageUri: 's3://models/svc/', canaryTrafficPercent: 10 });
    expect(manifest).toEqual({
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: {
        name: 'svc-digits',
        namespace: 'team-a',
        annotations: {
          'hpo-workbench.io/experiment': 'team-a/svc-digits',
          'hpo-workbench.io/trial': 'svc-digits-abc',
          'hpo-workbench.io/objective': 'accuracy=0.98',
          'hpo-workbench.io/model-sha256': model.sha256,
        },
      },
      spec: {
        predictor: {
          canaryTrafficPercent: 10,
          model: {
            modelFormat: { name: 'sklearn' },
            protocolVersion: 'v2',
            storageUri: 's3://models/svc/',
            resources: { limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' }, requests: { cpu: '1' } },
          },
        },
      },
    });
    expect(warnings.join('\n')).toContain("resource 'example.com/fpga'");
    expect(validateInferenceService(parseYaml(inferenceServiceYaml(manifest)), crd)).toEqual([]);
  });

  it.each([
    ['pytorch', { artifacts: [{ ...model, name: 'model.pt' }] }, {}],
    ['custom', {}, { format: 'custom' as const, image: 'registry.example/svc:1' }],
    ['custom without model', { artifacts: [] }, { format: 'custom' as const, image: 'registry.example/svc:1' }],
  ])('a %s predictor validates against the CRD', (_kind, over, options) => {
    const { manifest } = inferenceService(winner(over, { limits: { 'nvidia.com/mig-1g.10gb': '1' } }), {
      storageUri: 'gs://bucket/model',
      ...options,
    });
    expect(validateInferenceService(manifest, crd)).toEqual([]);
  });

  it('the validator refuses what the CRD does not allow (so the checks above can fail)', () => {
    const { manifest } = inferenceService(winner(), { storageUri: 's3://m/' });
    const spec = manifest.spec as { predictor: Record<string, unknown> };
    spec.predictor.canaryTrafficPercent = 'ten';
    spec.predictor.sklearnn = {};
    expect(validateInferenceService(manifest, crd).map((i) => i.path)).toEqual([
      'spec.predictor.canaryTrafficPercent',
      'spec.predictor.sklearnn',
    ]);
  });

  it.each([
    ['no storage URI', {}, '--storage-uri is required'],
    ['a local path', { storageUri: '/tmp/model.joblib' }, 'must start with one of'],
    ['a bare scheme', { storageUri: 's3://' }, 'must start with one of'],
    ['a canary over 100', { storageUri: 's3://m/', canaryTrafficPercent: 101 }, '--canary'],
    ['a bad name', { storageUri: 's3://m/', name: 'Svc_Digits' }, 'DNS-1035'],
    ['custom without image', { storageUri: 's3://m/', format: 'custom' as const }, '--image'],
  ])('refuses %s', (_what, options, message) => {
    expect(() => inferenceService(winner(), options)).toThrow(message);
  });

  it('refuses a winner without a model artifact unless told the format', () => {
    expect(() => inferenceService(winner({ artifacts: [] }), { storageUri: 's3://m/' })).toThrow(
      'recorded no model artifact',
    );
    expect(() =>
      inferenceService(winner({ artifacts: [{ ...model, name: 'model.bst' }] }), { storageUri: 's3://m/' }),
    ).toThrow('neither sklearn');
  });
});
