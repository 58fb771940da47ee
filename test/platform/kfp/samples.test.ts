// KFP 2.17's own IR test data, accepted or refused as KFP's API server does: the `valid__*` files are from
// test_data/sdk_compiled_pipelines/valid, the `invalid__*` ones from .../invalid (kubeflow MANIFEST.tsv), and
// `argo-compiled__*` is the Argo Workflow KFP compiles a pipeline into, which is not pipeline IR.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadKfpSchema, validatePipeline } from '../../../src/platform/kfp/index.ts';
import { kfpProtoDir, kfpSamplesDir } from './fixtures.ts';

const samples = readdirSync(kfpSamplesDir).filter((f) => f.endsWith('.yaml'));
const text = (f: string): string => readFileSync(new URL(f, kfpSamplesDir), 'utf8');

describe('KFP 2.17 IR samples', () => {
  it('has the samples the reference lists', () => {
    expect(samples.filter((f) => f.startsWith('valid__'))).toHaveLength(7);
    expect(samples.filter((f) => f.startsWith('invalid__'))).toHaveLength(2);
  });

  it.each(samples.filter((f) => f.startsWith('valid__')))('accepts %s', async (f) => {
    const r = await validatePipeline(text(f), { schema: kfpProtoDir });
    expect(r.issues).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('refuses invalid__invalid_yaml.yaml for its unknown field components_1', async () => {
    const r = await validatePipeline(text('invalid__invalid_yaml.yaml'), { schema: kfpProtoDir });
    expect(r.valid).toBe(false);
    expect(r.issues.map((i) => i.path)).toContain('components_1');
    expect(r.issues.find((i) => i.path === 'components_1')?.message).toMatch(/unknown field 'components_1'/);
  });

  it('refuses invalid__no_name.yaml: pipelineInfo.name is null, so empty', async () => {
    const r = await validatePipeline(text('invalid__no_name.yaml'), { schema: kfpProtoDir });
    expect(r.issues.map((i) => i.path)).toEqual(['pipelineInfo.name']);
  });

  it('refuses the Argo Workflow KFP compiles to, naming what it is', async () => {
    const r = await validatePipeline(text('argo-compiled__hello_world.yaml'), { schema: kfpProtoDir });
    expect(r.valid).toBe(false);
    expect(r.issues[0]?.message).toMatch(/argoproj.io\/v1alpha1 Workflow\), not KFP pipeline IR/);
  });

  it('reads the secret-as-env sample, whose quoted lines YAML 1.2 refuses, as KFP and PyYAML do, and says so', async () => {
    const r = await validatePipeline(text('valid__critical__pipeline_with_secret_as_env.yaml'), {
      schema: kfpProtoDir,
    });
    expect(r.valid).toBe(true);
    expect(r.notes.join()).toMatch(/double-quoted scalar/);
  });

  it('refuses a PlatformSpec that configures an executor the pipeline does not define', async () => {
    const bad = text('valid__critical__pipeline_with_secret_as_env.yaml').replace(
      /(platforms:[\s\S]*?)exec-comp:/,
      '$1exec-gone:',
    );
    const r = await validatePipeline(bad, { schema: kfpProtoDir });
    expect(r.issues).toEqual([
      {
        path: 'platforms.kubernetes.deploymentSpec.executors.exec-gone',
        message: "configures executor 'exec-gone', which the PipelineSpec's deploymentSpec does not define",
      },
    ]);
  });

  it('checks the PlatformSpec document against kubernetes_executor_config.proto', async () => {
    const bad = text('valid__critical__pipeline_with_secret_as_env.yaml').replace(
      'secretKey: username',
      'secretKee: username',
    );
    const r = await validatePipeline(bad, { schema: await loadKfpSchema(kfpProtoDir) });
    expect(r.issues.map((i) => i.path)).toEqual([
      'platforms.kubernetes.deploymentSpec.executors.exec-comp.secretAsEnv[0].keyToEnv[0].secretKee',
    ]);
  });
});
