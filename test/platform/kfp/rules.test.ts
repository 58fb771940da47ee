// The strict reading and the wiring rules, one mutation of a valid KFP sample at a time: each must be refused with
// its path, where protobufjs's own fromObject would have taken it silently.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadKfpSchema, validatePipeline } from '../../../src/platform/kfp/index.ts';
import { kfpProtoDir, kfpSamplesDir } from './fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests reshape KFP samples beyond any static type on purpose.
type Doc = Record<string, any>;
const sample = (f: string): Doc => parse(readFileSync(new URL(f, kfpSamplesDir), 'utf8')) as Doc;
const twoStep = (): Doc => sample('valid__critical__two_step_pipeline_containerized.yaml');
const addNumbers = (): Doc => sample('valid__critical__add_numbers.yaml');

const cases: [string, () => Doc, string, RegExp][] = [
  [
    'an unknown enum name',
    () => {
      const d = addNumbers();
      d.components['comp-add-numbers'].inputDefinitions.parameters.a.parameterType = 'FLOAT';
      return d;
    },
    'components.comp-add-numbers.inputDefinitions.parameters.a.parameterType',
    /unknown ParameterTypeEnum 'FLOAT'/,
  ],
  [
    'a string where a bool goes',
    () => {
      const d = twoStep();
      d.root.dag.tasks.component1.cachingOptions.enableCache = 'yes';
      return d;
    },
    'root.dag.tasks.component1.cachingOptions.enableCache',
    /must be true or false/,
  ],
  [
    'an unknown field inside deploymentSpec (a Struct in the IR, a PipelineDeploymentConfig to the driver)',
    () => {
      const d = twoStep();
      d.deploymentSpec.executors['exec-component2'].container.imagee = 'alpine';
      return d;
    },
    'deploymentSpec.executors.exec-component2.container.imagee',
    /unknown field 'imagee'/,
  ],
  [
    'a field given by its JSON and its proto name',
    () => ({ ...twoStep(), pipeline_info: { name: 'x' } }),
    'pipeline_info',
    /given twice/,
  ],
  [
    'two members of a oneof',
    () => {
      const d = twoStep();
      d.components['comp-component1'].dag = { tasks: {} };
      return d;
    },
    'components.comp-component1.dag',
    /members of oneof 'implementation'/,
  ],
  [
    'a whole number too big for its int32 field',
    () => {
      const d = twoStep();
      d.root.dag.tasks.component1.retryPolicy = { maxRetryCount: 3_000_000_000, backoffDuration: '5s' };
      return d;
    },
    'root.dag.tasks.component1.retryPolicy.maxRetryCount',
    /3000000000 does not fit int32/,
  ],
  [
    'a duration not written as protojson writes one',
    () => {
      const d = twoStep();
      d.root.dag.tasks.component1.retryPolicy = { maxRetryCount: 3, backoffDuration: '5 minutes' };
      return d;
    },
    'root.dag.tasks.component1.retryPolicy.backoffDuration',
    /must be a duration such as "3.5s"/,
  ],
  [
    'tasks that wait for one another',
    () => {
      const d = twoStep();
      d.root.dag.tasks.component1.dependentTasks = ['component2'];
      return d;
    },
    'root.dag.tasks',
    /cycle: component1 → component2 → component1/,
  ],
  ['another schema version', () => ({ ...twoStep(), schemaVersion: '2.0.0' }), 'schemaVersion', /must be 2\.1\.0/],
  [
    'a task whose component does not exist',
    () => {
      const d = twoStep();
      d.root.dag.tasks.component2.componentRef.name = 'comp-nope';
      return d;
    },
    'root.dag.tasks.component2.componentRef.name',
    /names component 'comp-nope'/,
  ],
  [
    'a component whose executor does not exist',
    () => {
      const d = twoStep();
      d.components['comp-component2'].executorLabel = 'exec-nope';
      return d;
    },
    'components.comp-component2.executorLabel',
    /names executor 'exec-nope'/,
  ],
  [
    'an artifact taken from an output the producer does not declare',
    () => {
      const d = twoStep();
      d.root.dag.tasks.component2.inputs.artifacts.input_gcs.taskOutputArtifact.outputArtifactKey = 'other';
      return d;
    },
    'root.dag.tasks.component2.inputs.artifacts.input_gcs',
    /output artifact 'other' of task 'component1'/,
  ],
  [
    'a dependency on a task that does not exist',
    () => {
      const d = twoStep();
      d.root.dag.tasks.component2.dependentTasks = ['component9'];
      return d;
    },
    'root.dag.tasks.component2.dependentTasks',
    /task 'component9'/,
  ],
  [
    'an input parameter taken from a pipeline input that is not declared',
    () => {
      const d = twoStep();
      d.root.inputDefinitions.parameters = {};
      return d;
    },
    'root.dag.tasks.component1.inputs.parameters.text',
    /input parameter 'text', which root does not declare/,
  ],
  [
    'a required input the task does not supply',
    () => {
      const d = addNumbers();
      delete d.root.dag.tasks['add-numbers'].inputs.parameters.b;
      return d;
    },
    'root.dag.tasks.add-numbers.inputs',
    /required input parameter 'b'/,
  ],
  [
    'an output artifact without a type',
    () => {
      const d = twoStep();
      d.components['comp-component1'].outputDefinitions.artifacts.output_gcs.artifactType = {};
      return d;
    },
    'components.comp-component1.outputDefinitions.artifacts.output_gcs.artifactType',
    /must name a schema/,
  ],
  [
    'a container placeholder naming an undeclared output',
    () => {
      const d = twoStep();
      d.deploymentSpec.executors['exec-component1'].container.args[1] = "{{$.outputs.artifacts['model'].path}}";
      return d;
    },
    'deploymentSpec.executors.exec-component1.container.args',
    /output artifact 'model'/,
  ],
  [
    'a DAG output selecting a task that does not exist',
    () => {
      const d = addNumbers();
      d.root.dag.outputs.parameters.Output.valueFromParameter.producerSubtask = 'nope';
      return d;
    },
    'root.dag.outputs.parameters.Output',
    /task 'nope'/,
  ],
];

describe('validatePipeline refuses', () => {
  it.each(cases)('%s', async (_what, make, path, message) => {
    const r = await validatePipeline(make(), { schema: kfpProtoDir });
    expect(r.valid).toBe(false);
    const found = r.issues.find((i) => i.path === path);
    expect(found, JSON.stringify(r.issues)).toBeDefined();
    expect(found!.message).toMatch(message);
  });

  it('where protobufjs alone drops the unknown field and maps the unknown enum to 0', async () => {
    const schema = await loadKfpSchema(kfpProtoDir);
    const d = {
      components: { c: { input_definitions: { parameters: { a: { parameter_type: 'FLOAT' } } } } },
      components_1: {},
    };
    const m = schema.pipelineSpec.toObject(schema.pipelineSpec.fromObject(d), { defaults: true }) as Doc;
    expect(m.components_1).toBeUndefined();
    expect(m.components.c.input_definitions.parameters.a.parameter_type).toBe(0);
    const r = await validatePipeline(d, { schema });
    expect(r.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['components.c.input_definitions.parameters.a.parameter_type', 'components_1']),
    );
  });
});
