import { describe, expect, it } from 'vitest';
import { sampleArchitecture } from '../../../src/search/nas/architectureSampler.ts';
import {
  architectureText,
  doubleRangeValues,
  enasOperationCount,
  enasOperations,
  enasTrialParameters,
  nnConfigText,
} from '../../../src/search/nas/enasEncoding.ts';
import { pythonJsonDumps } from '../../../src/search/nas/pythonJson.ts';
import type { NasSpace } from '../../../src/search/nas/space.ts';
import { Rng } from '../../../src/search/rng.ts';
import { nasExample } from './helpers.ts';

const cpu = nasExample('nas__enas-cpu.yaml').nas!;
const gpu = nasExample('nas__enas-gpu.yaml').nas!;
const ops = enasOperations(cpu);

describe('ENAS operation ids (Katib’s SearchSpace)', () => {
  it('are every combination of each operation’s values, in order, last parameter fastest', () => {
    // convolution 3·5·2 + separable 3·5·2·2 + depthwise 3·2·2 + reduction 2·2 (pool_size range 2..3)
    expect(ops).toHaveLength(30 + 60 + 12 + 4);
    expect(enasOperationCount(cpu)).toBe(106);
    expect(pythonJsonDumps(ops[0]!.params)).toBe('{"filter_size": "3", "num_filter": "32", "stride": "1"}');
    expect(ops[1]!.params.get('stride')).toBe('2');
    expect(ops[27]!.type).toBe('convolution');
    expect(pythonJsonDumps(ops[27]!.params)).toBe('{"filter_size": "7", "num_filter": "96", "stride": "2"}');
    expect(ops[30]!.type).toBe('separable_convolution');
    // An int range gives Python ints (2, not "2").
    expect(pythonJsonDumps(ops[105]!.params)).toBe('{"reduction_type": "avg_pooling", "pool_size": 3}');
  });

  it('lay out a double range as numpy.arange does, dropping a point beyond max', () => {
    // numpy: np.arange(0.1, 0.5 + 0.1, 0.1) → [0.1, 0.2, 0.30000000000000004, 0.4, 0.5]
    expect(doubleRangeValues(0.1, 0.5, 0.1)).toEqual([0.1, 0.2, 0.30000000000000004, 0.4, 0.5]);
    expect(doubleRangeValues(0, 1, 0.3)).toEqual([0, 0.3, 0.6, 0.8999999999999999]);
    const nas: NasSpace = {
      numLayers: 1,
      inputSizes: [1],
      outputSizes: [1],
      operations: [
        {
          operationType: 'dropout',
          parameters: [
            { name: 'rate', parameterType: 'double', feasibleSpace: { min: '0.1', max: '0.3', step: '0.1' } },
          ],
        },
      ],
    };
    expect(enasOperations(nas).map((o) => pythonJsonDumps(o.params))).toEqual([
      '{"rate": 0.1}',
      '{"rate": 0.2}',
      '{"rate": 0.30000000000000004}',
    ]);
  });
});

describe('ENAS trial parameters', () => {
  it('enas-cpu: architecture and nn_config exactly as Katib’s service writes them', () => {
    expect(enasTrialParameters(cpu, ops, [[27]])).toEqual({
      architecture: '[[27]]',
      nn_config:
        "{'num_layers': 1, 'input_sizes': [32, 32, 3], 'output_sizes': [10], 'embedding': {'27': {'opt_id': 27, " +
        "'opt_type': 'convolution', 'opt_params': {'filter_size': '7', 'num_filter': '96', 'stride': '2'}}}}",
    });
  });

  it('embeds each used operation once, in order of first use (Python dict order, not JavaScript’s)', () => {
    const gpuOps = enasOperations(gpu);
    const arc = [[105], [27, 1], [105, 0, 1]];
    expect(architectureText(arc)).toBe('[[105], [27, 1], [105, 0, 1]]');
    // Python: json.dumps(nn_config) for the same architecture, then " → '.
    expect(nnConfigText({ ...gpu, numLayers: 3 }, gpuOps, arc)).toBe(
      "{'num_layers': 3, 'input_sizes': [32, 32, 3], 'output_sizes': [10], 'embedding': {'105': {'opt_id': 105, " +
        "'opt_type': 'reduction', 'opt_params': {'reduction_type': 'avg_pooling', 'pool_size': 3}}, '27': " +
        "{'opt_id': 27, 'opt_type': 'convolution', 'opt_params': {'filter_size': '7', 'num_filter': '96', " +
        "'stride': '2'}}}}",
    );
  });

  it('refuses an operation id outside the space', () => {
    expect(() => nnConfigText(cpu, ops, [[106]])).toThrow(/106/);
  });
});

describe('sampleArchitecture', () => {
  it('gives layer l an operation id and l skip bits, all in range', () => {
    const arc = sampleArchitecture(new Rng(7), 8, 106);
    expect(arc.map((layer) => layer.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [op, ...skips] of arc) {
      expect(op).toBeGreaterThanOrEqual(0);
      expect(op).toBeLessThan(106);
      for (const s of skips) expect([0, 1]).toContain(s);
    }
    expect(() => nnConfigText(gpu, enasOperations(gpu), arc)).not.toThrow();
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const draw = (seed: number) => JSON.stringify(sampleArchitecture(new Rng(seed), 8, 106));
    expect(draw(1)).toBe(draw(1));
    expect(draw(1)).not.toBe(draw(2));
  });

  it('covers every operation id and turns skips on about half the time', () => {
    const rng = new Rng(3);
    const seen = new Set<number>();
    let on = 0;
    let skips = 0;
    for (let i = 0; i < 2000; i++) {
      const [first, second] = sampleArchitecture(rng, 2, 5);
      seen.add(first![0]!);
      on += second![1]!;
      skips++;
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(on / skips).toBeGreaterThan(0.45);
    expect(on / skips).toBeLessThan(0.55);
  });
});
