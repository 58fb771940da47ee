/* biome-ignore-all lint/suspicious/noExplicitAny: tests read the pipeline document freely. */
/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib placeholders are data here. */
// The retraining pipeline imports the tuned model when a Kubernetes trial left it in an object store: the importer
// as KFP's compiler writes one, checked with KFP's real pipeline_spec.proto and its wiring rules.
import { describe, expect, it } from 'vitest';
import { pipelineYaml, retrainPipeline, validatePipeline } from '../../../src/platform/kfp/index.ts';
import { applyDefaults } from '../../../src/spec/defaults.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import type { ArtifactRecord } from '../../../src/trial/artifacts.ts';
import { experiment, trial } from '../../store/fixtures-data.ts';
import { kfpProtoDir } from './fixtures.ts';

const manifest = applyDefaults({
  apiVersion: 'kubeflow.org/v1beta1',
  kind: 'Experiment',
  metadata: { name: 'tune' },
  spec: {
    objective: { type: 'maximize', objectiveMetricName: 'accuracy' },
    algorithm: { algorithmName: 'random' },
    parameters: [{ name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.1', max: '1' } }],
    trialTemplate: {
      primaryContainerName: 'main',
      trialParameters: [{ name: 'lr', reference: 'lr' }],
      trialSpec: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        spec: {
          template: {
            spec: {
              containers: [{ name: 'main', image: 'train:1', command: ['train', '--lr=${trialParameters.lr}'] }],
              restartPolicy: 'Never',
            },
          },
        },
      },
    },
  },
} as ExperimentManifest);
const exp = experiment('tune', { manifest });
const t = trial('tune', 0, { params: { lr: 0.5 }, state: 'Succeeded', objective: 0.9 });

const model = (uri?: string): ArtifactRecord => ({
  name: 'model.joblib',
  path: '/hpo/artifacts/model.joblib',
  ...(uri === undefined ? {} : { uri }),
  kind: 'model',
  sha256: 'a'.repeat(64),
  size: 12,
});

describe('the tuned model in the retraining pipeline', () => {
  it('is imported from an object store and output as tuned_model, valid against the real proto', async () => {
    const uri = 's3://bucket/hpo/tune/tune-0/model.joblib';
    const { spec, warnings } = retrainPipeline(exp, t, { model: model(uri) });
    expect(warnings).toEqual([]);
    const s = spec as any;
    expect(s.deploymentSpec.executors['exec-importer']).toEqual({
      importer: {
        artifactUri: { constant: uri },
        typeSchema: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' },
        metadata: { trial: t.name, name: 'model.joblib', sha256: 'a'.repeat(64), size: 12 },
      },
    });
    expect(s.root.dag.tasks.importer.inputs).toEqual({ parameters: { uri: { runtimeValue: { constant: uri } } } });
    expect(s.root.dag.outputs.artifacts.tuned_model).toEqual({
      artifactSelectors: [{ outputArtifactKey: 'artifact', producerSubtask: 'importer' }],
    });
    expect(Object.keys(s.root.outputDefinitions.artifacts).sort()).toEqual(['metrics', 'model', 'tuned_model']);
    expect((await validatePipeline(pipelineYaml(spec), { schema: kfpProtoDir })).issues).toEqual([]);
  });

  it('is not imported from a claim (a warning says why) nor from this machine', async () => {
    const onClaim = retrainPipeline(exp, t, { model: model('pvc://models/tune/tune-0/model.joblib') });
    expect(onClaim.warnings).toEqual([
      expect.stringContaining('is not imported: KFP imports artifacts from object stores'),
    ]);
    expect((onClaim.spec as any).root.dag.tasks.importer).toBeUndefined();
    const local = retrainPipeline(exp, t, { model: model() });
    expect(local.warnings).toEqual([]);
    expect(Object.keys((local.spec as any).deploymentSpec.executors)).toEqual(['exec-retrain']);
    expect((await validatePipeline(pipelineYaml(onClaim.spec), { schema: kfpProtoDir })).issues).toEqual([]);
  });
});
