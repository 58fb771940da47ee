import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { enasTrace, medianTrials, randomTrace, trialsToReach, windowMeans } from '../../bench/nas/search.ts';
import { allArchitectures, loadTable, type NasTable, tableLookup, topThreshold } from '../../bench/nas/table.ts';
import { architectureText, enasOperations } from '../../src/search/nas/enasEncoding.ts';
import type { NasSpace } from '../../src/search/nas/space.ts';
import { configOf } from '../../src/spec/config.ts';
import { loadExperimentFile } from '../../src/spec/load.ts';

/** 3 layers over 3 operation ids (one per operation type), as bench/nas/space.yaml but synthetic. */
const nas: NasSpace = {
  numLayers: 3,
  inputSizes: [8, 8, 1],
  outputSizes: [10],
  operations: ['convolution', 'separable_convolution', 'reduction'].map((operationType) => ({
    operationType,
    parameters: [{ name: 'filter_size', parameterType: 'categorical', feasibleSpace: { list: ['3'] } }],
  })),
};

/** A synthetic table: accuracy 0.5 + 0.1 per layer using operation 0 + 0.01 per skip connection. */
function syntheticTable(layers: number, operations: number): NasTable {
  return {
    space: 'synthetic',
    layers,
    operations,
    epochs: 2,
    seed: 0,
    built: {},
    rows: allArchitectures(layers, operations).map((a) => {
      const skips = a.reduce((n, l) => n + l.slice(1).reduce((x, y) => x + y, 0), 0);
      const accuracy = 0.5 + 0.1 * a.filter((l) => l[0] === 0).length + 0.01 * skips;
      return { architecture: architectureText(a), curve: [accuracy / 2, accuracy], seconds: 1 };
    }),
  };
}

describe('NAS benchmark table', () => {
  it('enumerates every architecture once, in Katib’s layer layout', () => {
    const archs = allArchitectures(3, 3).map(architectureText);
    expect(archs).toHaveLength(3 ** 3 * 2 ** 3);
    expect(new Set(archs).size).toBe(archs.length);
    expect(archs[0]).toBe('[[0], [0, 0], [0, 0, 0]]');
    expect(allArchitectures(2, 2).map(architectureText)).toEqual([
      '[[0], [0, 0]]',
      '[[0], [0, 1]]',
      '[[0], [1, 0]]',
      '[[0], [1, 1]]',
      '[[1], [0, 0]]',
      '[[1], [0, 1]]',
      '[[1], [1, 0]]',
      '[[1], [1, 1]]',
    ]);
  });

  it('looks up final accuracies and refuses a table that is incomplete, duplicated or out of range', () => {
    const table = syntheticTable(2, 2);
    const lookup = tableLookup(table);
    expect(lookup.size).toBe(8);
    expect(lookup.get('[[0], [0, 1]]')).toBeCloseTo(0.71, 12);
    const rows = table.rows;
    expect(() => tableLookup({ ...table, rows: rows.slice(1) })).toThrow(
      /exactly the 8 architectures.*missing \[\[0\], \[0, 0\]\]/,
    );
    expect(() => tableLookup({ ...table, rows: [...rows, rows[0]!] })).toThrow(
      /row 8: \[\[0\], \[0, 0\]\] appears twice/,
    );
    expect(() => tableLookup({ ...table, rows: [{ ...rows[0]!, curve: [0.5, 1.5] }, ...rows.slice(1)] })).toThrow(
      /row 0: accuracies must be numbers in \[0, 1\]/,
    );
    expect(() => tableLookup({ ...table, epochs: 3 })).toThrow(/row 0: 2 accuracies for 3 epochs/);
  });

  it('the committed table holds every architecture of bench/nas/space.yaml once, in the encoding enas emits', () => {
    const space = configOf(
      loadExperimentFile(fileURLToPath(new URL('../../bench/nas/space.yaml', import.meta.url)))[0]!,
    );
    const { table, lookup } = loadTable(fileURLToPath(new URL('../../bench/nas/digitsTable.json', import.meta.url)));
    expect(table.layers).toBe(space.nas!.numLayers);
    expect(table.operations).toBe(enasOperations(space.nas!).length);
    expect(lookup.size).toBe(216);
  });

  it('puts the top-fraction threshold at the ⌈fraction·N⌉-th best accuracy', () => {
    const lookup = tableLookup(syntheticTable(2, 2));
    // Accuracies, best first: 0.71, 0.7 (operation 0 twice), 0.61, 0.61, 0.6, 0.6 (once), 0.51, 0.5.
    expect(topThreshold(lookup, 0.01)).toBeCloseTo(0.71, 12);
    expect(topThreshold(lookup, 0.25)).toBeCloseTo(0.7, 12);
    expect(topThreshold(lookup, 1)).toBeCloseTo(0.5, 12);
  });
});

describe('NAS benchmark searches', () => {
  it('counts trials to a target, takes medians with misses as Infinity, and averages windows over runs', () => {
    expect(trialsToReach([0.1, 0.5, 0.9, 0.95], 0.9)).toBe(3);
    expect(trialsToReach([0.1, 0.5], 0.9)).toBeUndefined();
    expect(medianTrials([3, 5, undefined])).toBe(5);
    expect(medianTrials([3, undefined, undefined])).toBe(Number.POSITIVE_INFINITY);
    expect(medianTrials([2, 4, 6, 10])).toBe(5);
    expect(
      windowMeans(
        [
          [1, 2, 3, 4, 5],
          [3, 4, 5, 6, 7],
        ],
        2,
      ),
    ).toEqual([
      [1, 2.5],
      [3, 4.5],
    ]);
  });

  it('random sampling and enas draw architectures of the table, the same for the same seed', () => {
    const lookup = tableLookup(syntheticTable(3, 3));
    const values = new Set(lookup.values());
    const random = randomTrace(nas, lookup, 1, 30);
    expect(random).toHaveLength(30);
    expect(random.every((a) => values.has(a))).toBe(true);
    expect(randomTrace(nas, lookup, 1, 30)).toEqual(random);
    expect(randomTrace(nas, lookup, 2, 30)).not.toEqual(random);
    const settings = { controller_hidden_size: '8', controller_train_steps: '2' };
    const enas = enasTrace(nas, lookup, 1, 12, settings);
    expect(enas).toHaveLength(12);
    expect(enas.every((a) => values.has(a))).toBe(true);
    expect(enasTrace(nas, lookup, 1, 12, settings)).toEqual(enas);
  });

  it('a learning enas controller samples better architectures than random sampling late in the run', () => {
    const lookup = tableLookup(syntheticTable(3, 3));
    const settings = {
      controller_hidden_size: '16',
      controller_learning_rate: '0.02',
      controller_train_steps: '5',
      controller_baseline_decay: '0.9',
    };
    const late = (trace: number[]) => trace.slice(60).reduce((s, a) => s + a, 0) / 20;
    const enas = [1, 2, 3].map((seed) => late(enasTrace(nas, lookup, seed, 80, settings)));
    const random = [1, 2, 3].map((seed) => late(randomTrace(nas, lookup, seed, 80)));
    // Uniform sampling averages 0.5 + 0.1 + 0.015 = 0.615; a controller that learnt operation 0 gets near 0.8.
    expect(Math.min(...enas)).toBeGreaterThan(Math.max(...random) + 0.05);
  });
});
