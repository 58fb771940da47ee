import { describe, expect, it } from 'vitest';
import { type CmaDim, encodeSpace, levelEdge, levelOf } from '../../../src/search/cmaes/encoding.ts';
import { CmaesSearch } from '../../../src/search/cmaes/index.ts';
import { applyMargin, defaultMargin } from '../../../src/search/cmaes/margin.ts';
import { normalCdf } from '../../../src/search/cmaes/normal.ts';
import { type CmaesState, newRun, type RunState } from '../../../src/search/cmaes/state.ts';
import { fromUnit, gridValueAt } from '../../../src/search/distributions.ts';
import type { Domain, SearchSpace } from '../../../src/search/space.ts';
import { runAskTell } from '../../../src/testing/askTell.ts';

const lattices: [string, Domain][] = [
  ['int step 1', { kind: 'int', min: 0, max: 10, step: 1, scale: 'uniform' }],
  ['int step 3', { kind: 'int', min: 2, max: 20, step: 3, scale: 'uniform' }],
  ['log int', { kind: 'int', min: 1, max: 512, step: 1, scale: 'logUniform' }],
  ['stepped double', { kind: 'double', min: 0.1, max: 0.9, step: 0.2, scale: 'uniform' }],
  ['discrete', { kind: 'discrete', values: [16, 32, 64, 128, 256] }],
];

function dimOf(domain: Domain): CmaDim {
  return encodeSpace([{ name: 'x', domain }]).dims[0]!;
}

/** The probabilities that N(m, (σ A √C)²) leaves the mean's cell downwards and upwards. */
function leaving(run: RunState, dim: CmaDim, j: number): { below: number; above: number } {
  const sd = run.sigma * run.A[j]! * Math.sqrt(run.C[j]![j]!);
  const k = levelOf(dim, run.mean[j]!);
  const below = k === 0 ? 0 : normalCdf((levelEdge(dim, k) - run.mean[j]!) / sd);
  const above = k === dim.levels - 1 ? 0 : 1 - normalCdf((levelEdge(dim, k + 1) - run.mean[j]!) / sd);
  return { below, above };
}

describe('lattice cells', () => {
  it.each(lattices)('%s: edges are where fromUnit switches value, and levelOf agrees with fromUnit', (_, domain) => {
    const dim = dimOf(domain);
    expect(dim.levels).toBeGreaterThan(2);
    for (let k = 1; k < dim.levels; k++) {
      const edge = levelEdge(dim, k);
      expect(fromUnit(domain, edge - 1e-9)).toBe(gridValueAt(domain, k - 1));
      expect(fromUnit(domain, edge + 1e-9)).toBe(gridValueAt(domain, k));
      expect(levelOf(dim, edge - 1e-9)).toBe(k - 1);
      expect(levelOf(dim, edge + 1e-9)).toBe(k);
    }
    expect(levelOf(dim, 0)).toBe(0);
    expect(levelOf(dim, 1)).toBe(dim.levels - 1);
  });

  it('a double without a step is continuous and categorical parameters are kept apart', () => {
    const enc = encodeSpace([
      { name: 'c', domain: { kind: 'categorical', values: ['a', 'b', 'c'] } },
      { name: 'd', domain: { kind: 'double', min: 0, max: 1, scale: 'uniform' } },
    ]);
    expect(enc.dims.map((d) => [d.param, d.levels])).toEqual([[1, 0]]);
    expect(enc.cats).toEqual([{ param: 0, size: 3 }]);
  });
});

describe('applyMargin', () => {
  const int: Domain = { kind: 'int', min: 0, max: 10, step: 1, scale: 'uniform' };
  const dims = [dimOf(int), dimOf({ kind: 'double', min: 0, max: 1, scale: 'uniform' })];
  const alpha = defaultMargin(2, 4);
  const tight = (mean: number[]): RunState => ({
    ...newRun({ index: 0, regime: 'default', lambda: 4, sigma0: 1e-4, mean, catSizes: [] }),
  });

  it('raises the chance of leaving an interior cell to α/2 on each side, widening A and leaving doubles alone', () => {
    const run = tight([5.2 / 11, 0.4]);
    applyMargin(run, dims, alpha);
    const { below, above } = leaving(run, dims[0]!, 0);
    expect(below).toBeGreaterThanOrEqual(alpha / 2 - 1e-6);
    expect(above).toBeGreaterThanOrEqual(alpha / 2 - 1e-6);
    expect(run.A[0]).toBeGreaterThan(100);
    expect(levelOf(dims[0]!, run.mean[0]!)).toBe(5);
    expect(run.A[1]).toBe(1);
    expect(run.mean[1]).toBe(0.4);
  });

  it('slides the mean of an end cell towards its only neighbour until α lies beyond the edge', () => {
    const run = tight([0.2 / 11, 0.4]);
    applyMargin(run, dims, alpha);
    expect(leaving(run, dims[0]!, 0).above).toBeCloseTo(alpha, 6);
    expect(run.A[0]).toBe(1);
    expect(levelOf(dims[0]!, run.mean[0]!)).toBe(0);
  });

  it('changes nothing when the distribution is already wide enough', () => {
    const run = newRun({ index: 0, regime: 'default', lambda: 4, sigma0: 0.2, mean: [0.5, 0.4], catSizes: [] });
    const before = structuredClone(run);
    applyMargin(run, dims, alpha);
    expect(run).toEqual(before);
  });

  it('holds during a whole search on a lattice space, generation after generation', async () => {
    const space: SearchSpace = [
      { name: 'i', domain: { kind: 'int', min: 0, max: 10, step: 1, scale: 'uniform' } },
      { name: 'j', domain: { kind: 'int', min: 0, max: 10, step: 1, scale: 'uniform' } },
    ];
    const run = await runAskTell({
      algorithm: new CmaesSearch(),
      space,
      evaluate: (p) => ((p.i as number) - 3) ** 2 + ((p.j as number) - 7) ** 2,
      trials: 160,
      seed: 4,
    });
    const enc = encodeSpace(space);
    let checked = 0;
    for (const result of run.results) {
      const state = result.state as CmaesState;
      if (state.run.generation === 0) continue;
      const a = defaultMargin(2, state.run.lambda);
      enc.dims.forEach((dim, j) => {
        const { below, above } = leaving(state.run, dim, j);
        const k = levelOf(dim, state.run.mean[j]!);
        if (k > 0) expect(below).toBeGreaterThanOrEqual(a / 2 - 1e-6);
        if (k < dim.levels - 1) expect(above).toBeGreaterThanOrEqual(a / 2 - 1e-6);
      });
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(run.best).toBe(0);
  });
});
