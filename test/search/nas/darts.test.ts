import { describe, expect, it } from 'vitest';
import { DartsSearch, dartsSearchSpace, dartsTrialParameters } from '../../../src/search/nas/darts.ts';
import type { NasSpace } from '../../../src/search/nas/space.ts';
import type { SuggestRequest } from '../../../src/search/types.ts';
import { suggestRequest } from '../../../src/spec/config.ts';
import { nasContext, nasExample } from './helpers.ts';

const gpu = nasExample('nas__darts-gpu.yaml');
const cpu = nasExample('nas__darts-cpu.yaml');

// The expected texts are what Katib's DARTS service (json.dumps, then " → ') gives for these examples.
const gpuSettings =
  "{'num_epochs': '3', 'w_lr': 0.025, 'w_lr_min': 0.001, 'w_momentum': 0.9, 'w_weight_decay': 0.0003, " +
  "'w_grad_clip': 5.0, 'alpha_lr': 0.0003, 'alpha_weight_decay': 0.001, 'batch_size': 128, 'num_workers': 4, " +
  "'init_channels': 16, 'print_step': 50, 'num_nodes': 4, 'stem_multiplier': 3}";

describe('DARTS trial parameters (Katib’s pass-through)', () => {
  it('darts-gpu: settings merged into the defaults as text, the search space from each first list, the layers', () => {
    expect(dartsTrialParameters(gpu.nas!, gpu.algorithm.settings)).toEqual({
      'algorithm-settings': gpuSettings,
      'search-space':
        "['separable_convolution_3x3', 'dilated_convolution_3x3', 'dilated_convolution_5x5', 'avg_pooling_3x3', " +
        "'max_pooling_3x3', 'skip_connection']",
      'num-layers': '3',
    });
  });

  it('darts-cpu: overridden defaults keep their place', () => {
    expect(dartsTrialParameters(cpu.nas!, cpu.algorithm.settings)).toEqual({
      'algorithm-settings':
        "{'num_epochs': '1', 'w_lr': 0.025, 'w_lr_min': 0.001, 'w_momentum': 0.9, 'w_weight_decay': 0.0003, " +
        "'w_grad_clip': 5.0, 'alpha_lr': 0.0003, 'alpha_weight_decay': 0.001, 'batch_size': 128, 'num_workers': 4, " +
        "'init_channels': '1', 'print_step': 50, 'num_nodes': '1', 'stem_multiplier': '1'}",
      'search-space': "['max_pooling_3x3']",
      'num-layers': '1',
    });
  });

  it('"None" becomes null, unknown settings are appended as given (Katib passes them through)', () => {
    const text = dartsTrialParameters(cpu.nas!, { batch_size: 'None', my_flag: 'on' })['algorithm-settings']!;
    expect(text).toContain("'batch_size': null,");
    expect(text.endsWith("'stem_multiplier': 3, 'my_flag': 'on'}")).toBe(true);
  });

  it('uses only the first parameter of an operation, and skip_connection as it is', () => {
    const nas: NasSpace = {
      numLayers: 2,
      inputSizes: [],
      outputSizes: [],
      operations: [
        {
          operationType: 'convolution',
          parameters: [
            { name: 'filter_size', parameterType: 'categorical', feasibleSpace: { list: ['3', '5'] } },
            { name: 'num_filter', parameterType: 'categorical', feasibleSpace: { list: ['16', '32'] } },
          ],
        },
        { operationType: 'skip_connection', parameters: [] },
      ],
    };
    expect(dartsSearchSpace(nas)).toEqual(['convolution_3x3', 'convolution_5x5', 'skip_connection']);
  });
});

function request(trials: SuggestRequest['trials'], count = 1): SuggestRequest {
  return suggestRequest(gpu, { trials, count, seed: 1, settings: gpu.algorithm.settings });
}

describe('DartsSearch', () => {
  const darts = new DartsSearch();

  it('declares it searches architectures, with a text objective (Katib’s Best-Genotype)', () => {
    expect(darts.capabilities).toEqual({ nas: true, textObjective: true });
  });

  it('proposes one trial with the three parameters, and says the search is finished', () => {
    const r = darts.suggest(request([], 3));
    expect(r.suggestions.map((s) => s.params)).toEqual([dartsTrialParameters(gpu.nas!, gpu.algorithm.settings)]);
    expect(r.exhausted).toBe(true);
  });

  it('proposes nothing once a trial exists (the whole search ran in it)', () => {
    const params = dartsTrialParameters(gpu.nas!, gpu.algorithm.settings);
    const r = darts.suggest(request([{ name: 't0', params, state: 'Failed' }]));
    expect(r).toEqual({ suggestions: [], exhausted: true });
  });

  it('accepts Katib’s two DARTS examples, with their settings', () => {
    expect(darts.validate(gpu.algorithm.settings, nasContext('nas__darts-gpu.yaml'))).toEqual([]);
    expect(darts.validate(cpu.algorithm.settings, nasContext('nas__darts-cpu.yaml'))).toEqual([]);
  });

  it.each([
    ['num_epochs', '0', 'greater than 0'],
    ['num_epochs', '1.5', 'an integer'],
    ['w_lr', '-0.1', 'at least 0'],
    ['w_grad_clip', 'abc', 'a number'],
    ['batch_size', '0', 'or "None"'],
    ['num_workers', '-1', 'at least 0'],
    ['init_channels', '0', 'at least 1'],
    ['stem_multiplier', 'x', 'an integer'],
  ])('rejects %s = %s (%s), with the setting’s path', (name, value, fragment) => {
    const settings = { num_epochs: '3', [name]: value };
    const issues = darts.validate(settings, nasContext('nas__darts-gpu.yaml'));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(`spec.algorithm.algorithmSettings[${Object.keys(settings).indexOf(name)}].value`);
    expect(issues[0]!.message).toContain(fragment);
    expect(issues[0]!.fix).toBeDefined();
  });

  it('accepts unknown settings and batch_size "None", as Katib does', () => {
    expect(darts.validate({ batch_size: 'None', anything: 'goes' }, nasContext('nas__darts-gpu.yaml'))).toEqual([]);
  });

  it('needs a nasConfig, numLayers, and a filter-size list on every operation but skip_connection', () => {
    const ctx = nasContext('nas__darts-gpu.yaml');
    expect(darts.validate({}, { ...ctx, nas: undefined } as never).map((i) => i.path)).toEqual(['spec.nasConfig']);
    const nas: NasSpace = {
      inputSizes: [],
      outputSizes: [],
      operations: [
        { operationType: 'convolution', parameters: [] },
        {
          operationType: 'max_pooling',
          parameters: [{ name: 'k', parameterType: 'int', feasibleSpace: { min: '1', max: '3', step: '1' } }],
        },
        { operationType: 'skip_connection', parameters: [] },
      ],
    };
    expect(darts.validate({}, { ...ctx, nas }).map((i) => i.path)).toEqual([
      'spec.nasConfig.graphConfig.numLayers',
      'spec.nasConfig.operations[0].parameters',
      'spec.nasConfig.operations[1].parameters[0]',
    ]);
  });
});
