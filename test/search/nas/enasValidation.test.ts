import { describe, expect, it } from 'vitest';
import { validateEnas } from '../../../src/search/nas/enasValidation.ts';
import type { NasSpace } from '../../../src/search/nas/space.ts';
import { nasContext } from './helpers.ts';

const ctx = nasContext('nas__enas-cpu.yaml');

describe('ENAS settings (Katib’s ENAS validation)', () => {
  it('accepts Katib’s examples and every setting at a valid value', () => {
    expect(validateEnas({}, ctx)).toEqual([]);
    expect(validateEnas({}, nasContext('nas__enas-gpu.yaml'))).toEqual([]);
    const all = {
      controller_hidden_size: '32',
      controller_temperature: '4.5',
      controller_tanh_const: '1.5',
      controller_entropy_weight: '0.0001',
      controller_baseline_decay: '1',
      controller_learning_rate: '0.001',
      controller_skip_target: '0.4',
      controller_skip_weight: '0.8',
      controller_train_steps: '10',
      controller_log_every_steps: '5',
    };
    expect(validateEnas(all, ctx)).toEqual([]);
  });

  it('takes "None" for temperature, tanh constant, entropy weight and skip weight only', () => {
    const none = {
      controller_temperature: 'None',
      controller_tanh_const: 'None',
      controller_entropy_weight: 'None',
      controller_skip_weight: 'None',
    };
    expect(validateEnas(none, ctx)).toEqual([]);
    expect(validateEnas({ controller_learning_rate: 'None' }, ctx).map((i) => i.path)).toEqual([
      'spec.algorithm.algorithmSettings[0].value',
    ]);
  });

  it.each([
    ['controller_hidden_size', '0'],
    ['controller_hidden_size', '1.5'],
    ['controller_temperature', '0'],
    ['controller_baseline_decay', '1.5'],
    ['controller_learning_rate', '0'],
    ['controller_skip_target', '-0.1'],
    ['controller_train_steps', '0'],
    ['controller_log_every_steps', 'ten'],
  ])('rejects %s = %s at the setting’s value', (name, value) => {
    const issues = validateEnas({ controller_hidden_size: '8', [name]: value }, ctx);
    const index = name === 'controller_hidden_size' ? 0 : 1;
    expect(issues.map((i) => i.path)).toEqual([`spec.algorithm.algorithmSettings[${index}].value`]);
  });

  it('rejects an unknown setting by name, listing the known ones (Katib: "Unknown Algorithm Setting name")', () => {
    const [issue, ...rest] = validateEnas({ random_state: '1' }, ctx);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ path: 'spec.algorithm.algorithmSettings[0].name' });
    expect(issue!.message).toContain('unknown setting random_state for algorithm enas');
    expect(issue!.fix).toContain('controller_hidden_size');
  });
});

describe('ENAS search space', () => {
  const base = ctx.nas!;

  it('needs a nasConfig', () => {
    expect(validateEnas({}, { ...ctx, nas: undefined } as never).map((i) => i.path)).toEqual(['spec.nasConfig']);
  });

  it('needs inputSizes, outputSizes and numLayers, each with a fix', () => {
    const nas: NasSpace = { inputSizes: [], outputSizes: [], operations: base.operations };
    const issues = validateEnas({}, { ...ctx, nas });
    expect(issues.map((i) => i.path)).toEqual([
      'spec.nasConfig.graphConfig.inputSizes',
      'spec.nasConfig.graphConfig.outputSizes',
      'spec.nasConfig.graphConfig.numLayers',
    ]);
    expect(issues.every((i) => i.fix !== undefined)).toBe(true);
  });

  it('needs parameters on every operation and refuses discrete ones', () => {
    const nas: NasSpace = {
      ...base,
      operations: [
        { operationType: 'skip_connection', parameters: [] },
        {
          operationType: 'convolution',
          parameters: [{ name: 'filter_size', parameterType: 'discrete', feasibleSpace: { list: ['3', '5'] } }],
        },
      ],
    };
    expect(validateEnas({}, { ...ctx, nas }).map((i) => i.path)).toEqual([
      'spec.nasConfig.operations[0].parameters',
      'spec.nasConfig.operations[1].parameters[0].parameterType',
    ]);
  });

  it('refuses a space of more than 100,000 operation ids (a long int range)', () => {
    const nas: NasSpace = {
      ...base,
      operations: [
        {
          operationType: 'dense',
          parameters: [
            { name: 'units', parameterType: 'int', feasibleSpace: { min: '1', max: '1000000000', step: '1' } },
          ],
        },
      ],
    };
    const issues = validateEnas({}, { ...ctx, nas });
    expect(issues.map((i) => i.path)).toEqual(['spec.nasConfig.operations']);
    expect(issues[0]!.message).toContain('1000000000 operation ids');
  });
});
