/* biome-ignore-all lint/suspicious/noExplicitAny: tests edit loaded YAML freely. */
import { describe, expect, it } from 'vitest';
import { errorsOnly, type Issue } from '../../src/common/issue.ts';
import { configOf, suggestRequest, validationContext } from '../../src/spec/config.ts';
import { loadExperiments } from '../../src/spec/load.ts';
import type { ExperimentManifest } from '../../src/spec/types.ts';
import { validateExperiment } from '../../src/spec/validate.ts';
import { options, readExample } from './helpers.ts';

const nasFiles = ['nas__darts-cpu.yaml', 'nas__darts-gpu.yaml', 'nas__enas-cpu.yaml', 'nas__enas-gpu.yaml'];

function example(file: string): ExperimentManifest {
  return loadExperiments(readExample(file))[0]!;
}

/** Katib's enas-cpu example with `edit` applied to its nasConfig (a plain object, as loaded from YAML). */
function enasWith(edit: (nas: Record<string, any>) => void): ExperimentManifest {
  const m = example('nas__enas-cpu.yaml');
  edit(m.spec.nasConfig as Record<string, any>);
  return m;
}

function errors(m: ExperimentManifest): Issue[] {
  return errorsOnly(validateExperiment(m, options));
}

describe('spec.nasConfig (Katib’s NAS examples and rules)', () => {
  it.each(nasFiles)('%s validates', (file) => {
    expect(errors(example(file))).toEqual([]);
  });

  it('rule 33: neither parameters nor nasConfig, with a fix naming both', () => {
    const m = example('nas__enas-cpu.yaml');
    delete m.spec.nasConfig;
    const [issue] = errors(m);
    expect(issue).toMatchObject({
      path: 'spec.parameters',
      message: 'spec.parameters or spec.nasConfig must be specified.',
    });
    expect(issue!.fix).toContain('spec.nasConfig');
  });

  it('rule 34: both parameters and nasConfig', () => {
    const m = example('nas__enas-cpu.yaml');
    m.spec.parameters = [{ name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.1', max: '0.2' } }];
    const issues = errors(m).filter((i) => i.path === 'spec.nasConfig');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe('only one of spec.parameters and spec.nasConfig can be specified.');
    expect(issues[0]!.fix).toBeDefined();
  });

  it.each([
    ['numLayers as text', (n: any) => (n.graphConfig.numLayers = '3'), 'spec.nasConfig.graphConfig.numLayers'],
    ['numLayers 0', (n: any) => (n.graphConfig.numLayers = 0), 'spec.nasConfig.graphConfig.numLayers'],
    ['numLayers 2.5', (n: any) => (n.graphConfig.numLayers = 2.5), 'spec.nasConfig.graphConfig.numLayers'],
    [
      'a negative input size',
      (n: any) => (n.graphConfig.inputSizes = [32, -1]),
      'spec.nasConfig.graphConfig.inputSizes[1]',
    ],
    ['outputSizes not a list', (n: any) => (n.graphConfig.outputSizes = 10), 'spec.nasConfig.graphConfig.outputSizes'],
    ['graphConfig not a mapping', (n: any) => (n.graphConfig = 'big'), 'spec.nasConfig.graphConfig'],
    ['an unknown graphConfig field', (n: any) => (n.graphConfig.numLayer = 2), 'spec.nasConfig.graphConfig.numLayer'],
    ['no operations', (n: any) => (n.operations = []), 'spec.nasConfig.operations'],
    [
      'an operation without a type',
      (n: any) => delete n.operations[1].operationType,
      'spec.nasConfig.operations[1].operationType',
    ],
    [
      'an int range without a step',
      (n: any) => delete n.operations[3].parameters[1].feasibleSpace.step,
      'spec.nasConfig.operations[3].parameters[1].feasibleSpace.step',
    ],
    [
      'a double range without a step',
      (n: any) =>
        (n.operations[0].parameters[0] = {
          name: 'rate',
          parameterType: 'double',
          feasibleSpace: { min: '0.1', max: '0.5' },
        }),
      'spec.nasConfig.operations[0].parameters[0].feasibleSpace.step',
    ],
    [
      'a parameter type Katib does not know',
      (n: any) => (n.operations[0].parameters[0].parameterType = 'float'),
      'spec.nasConfig.operations[0].parameters[0].parameterType',
    ],
    [
      'a categorical parameter without a list',
      (n: any) => (n.operations[0].parameters[2].feasibleSpace = { min: '1', max: '2' }),
      'spec.nasConfig.operations[0].parameters[2].feasibleSpace',
    ],
    [
      'a parameter named twice in one operation',
      (n: any) => (n.operations[0].parameters[1].name = 'filter_size'),
      'spec.nasConfig.operations[0].parameters[1].name',
    ],
  ])('rejects %s at its path', (_what, edit, path) => {
    const issues = errors(enasWith(edit));
    expect(
      issues.some((i) => i.path === path || i.path.startsWith(`${path}.`)),
      JSON.stringify(issues),
    ).toBe(true);
    for (const i of issues) expect(i.path.startsWith('spec.nasConfig')).toBe(true);
  });

  it('a parameterless operation is fine in the spec (DARTS’s skip_connection); the algorithm decides', () => {
    expect(errors(enasWith((n) => n.operations.push({ operationType: 'skip_connection' })))).toEqual([]);
  });

  it('numbers written bare in YAML are read as Katib’s strings', () => {
    const [m] = loadExperiments(
      readExample('nas__enas-cpu.yaml').replace('min: "2"', 'min: 2').replace('step: "1"', 'step: 1'),
    );
    expect(errors(m!)).toEqual([]);
    const pool = configOf(m!).nas!.operations[3]!.parameters[1]!;
    expect(pool.feasibleSpace).toEqual({ min: '2', max: '3', step: '1' });
  });
});

describe('the config of a NAS Experiment', () => {
  it('carries nasConfig as written and as the algorithms read it, into validation and every request', () => {
    const config = configOf(example('nas__enas-gpu.yaml'));
    expect(config.space).toEqual([]);
    expect(config.nasConfig?.graphConfig?.numLayers).toBe(8);
    expect(config.nas).toMatchObject({ numLayers: 8, inputSizes: [32, 32, 3], outputSizes: [10] });
    expect(config.nas!.operations.map((o) => o.operationType)).toEqual([
      'convolution',
      'separable_convolution',
      'depthwise_convolution',
      'reduction',
    ]);
    expect(config.nas!.operations[0]!.parameters[0]).toEqual({
      name: 'filter_size',
      parameterType: 'categorical',
      feasibleSpace: { list: ['3', '5', '7'] },
    });
    expect(validationContext(config).nas).toBe(config.nas);
    expect(suggestRequest(config, { trials: [], count: 1, seed: 1, settings: {} }).nas).toBe(config.nas);
  });

  it('a hyperparameter Experiment has none', () => {
    const config = configOf(example('hp-tuning__random.yaml'));
    expect(config.nas).toBeUndefined();
    expect(validationContext(config)).not.toHaveProperty('nas');
  });
});
