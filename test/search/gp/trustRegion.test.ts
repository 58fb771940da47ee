import { describe, expect, it } from 'vitest';
import { createBayesianOptimization } from '../../../src/search/gp/index.ts';
import { gpOptions, usesTrustRegion } from '../../../src/search/gp/options.ts';
import {
  failureTolerance,
  initialLength,
  maxLength,
  minLength,
  regionBox,
  replayTrustRegion,
  restartPoints,
  successTolerance,
} from '../../../src/search/gp/trustRegion.ts';
import { perturbProbability, regionCandidates } from '../../../src/search/gp/trustRegionProposal.ts';
import { Rng } from '../../../src/search/rng.ts';
import type { SearchSpace } from '../../../src/search/space.ts';
import { makeRequest, makeTrial, runAskTell } from '../../../src/testing/askTell.ts';
import { describeSearchAlgorithm } from '../../../src/testing/describeSearchAlgorithm.ts';

describeSearchAlgorithm('bayesianoptimization (trust_region: true)', createBayesianOptimization, {
  settings: { trust_region: 'true' },
});

describe('replayTrustRegion', () => {
  const design = 5;
  const parameters = 12;
  const opening = [10, 9, 8, 7, 6];

  it('starts at the initial side, centred on the best design point', () => {
    const r = replayTrustRegion([10, 3, 8, 7, 6], design, parameters);
    expect(r).toMatchObject({ length: initialLength, successes: 0, failures: 0, restarts: 0, centre: 1 });
  });

  it('doubles the side after successTolerance improvements in a row, up to maxLength', () => {
    const improving = Array.from({ length: successTolerance }, (_, i) => 5 - i);
    expect(replayTrustRegion([...opening, ...improving], design, parameters).length).toBe(2 * initialLength);
    const many = Array.from({ length: 10 * successTolerance }, (_, i) => 5 - i * 0.1);
    const r = replayTrustRegion([...opening, ...many], design, parameters);
    expect(r.length).toBe(maxLength);
    expect(r.centre).toBe(opening.length + many.length - 1);
  });

  it('halves the side after failureTolerance non-improvements in a row', () => {
    const stuck = Array.from({ length: failureTolerance(parameters) }, () => 7);
    const r = replayTrustRegion([...opening, ...stuck], design, parameters);
    expect(r.length).toBe(initialLength / 2);
    expect(r.centre).toBe(4);
    // One fewer failure leaves it as it was, with the count kept.
    const short = replayTrustRegion([...opening, ...stuck.slice(1)], design, parameters);
    expect(short).toMatchObject({ length: initialLength, failures: failureTolerance(parameters) - 1 });
  });

  it('counts an improvement smaller than the threshold as a failure, but still moves the centre', () => {
    const r = replayTrustRegion([...opening, 6 - 1e-6], design, parameters);
    expect(r).toMatchObject({ successes: 0, failures: 1, centre: 5 });
  });

  it('restarts once the side falls below minLength, and the restart explores before a new centre', () => {
    const halvings = Math.ceil(Math.log2(initialLength / minLength));
    const stuck = Array.from({ length: halvings * failureTolerance(parameters) }, () => 7);
    const collapsed = replayTrustRegion([...opening, ...stuck], design, parameters);
    expect(collapsed).toMatchObject({ restarts: 1, length: initialLength, centre: -1, epochObservations: 0 });
    // One halving fewer: not yet collapsed.
    const before = replayTrustRegion([...opening, ...stuck.slice(failureTolerance(parameters))], design, parameters);
    expect(before.restarts).toBe(0);
    expect(before.length).toBeCloseTo(initialLength / 2 ** (halvings - 1), 12);
    // The restart's exploring points only set the new epoch's centre (here the worse 20, not the old best 6).
    const explore = Array.from({ length: restartPoints(parameters) }, (_, i) => 30 - i * 5);
    const again = replayTrustRegion([...opening, ...stuck, ...explore], design, parameters);
    expect(again).toMatchObject({ restarts: 1, centre: opening.length + stuck.length + explore.length - 1 });
    expect(again.failures).toBe(0);
  });
});

describe('regionBox', () => {
  it('stays inside the unit cube and is wider along dimensions with longer length scales', () => {
    const centre = Float64Array.from([0.05, 0.5, 0.95]);
    const { lower, upper } = regionBox(centre, [Math.log(0.1), Math.log(0.4), Math.log(0.1)], 0.8);
    for (let d = 0; d < 3; d++) {
      expect(lower[d]).toBeGreaterThanOrEqual(0);
      expect(upper[d]).toBeLessThanOrEqual(1);
      expect(lower[d]).toBeLessThanOrEqual(centre[d]!);
      expect(upper[d]).toBeGreaterThanOrEqual(centre[d]!);
    }
    expect(lower[0]).toBe(0);
    expect(upper[2]).toBe(1);
    // Unclipped, the middle side is 0.8 · 0.4 / geomean(0.1, 0.4, 0.1) = 0.8 · 4^(2/3).
    expect(upper[1]! - lower[1]!).toBeCloseTo(Math.min(1, 0.8 * 4 ** (2 / 3)), 12);
    expect(upper[1]! - lower[1]!).toBeGreaterThan(upper[0]! - lower[0]!);
  });

  it('keeps the volume of a cube of the given side when nothing is clipped', () => {
    const centre = new Float64Array(4).fill(0.5);
    const { lower, upper } = regionBox(
      centre,
      [-1, -2, -3, -0.5].map((v) => v - 2),
      0.1,
    );
    let volume = 1;
    for (let d = 0; d < 4; d++) volume *= upper[d]! - lower[d]!;
    expect(volume).toBeCloseTo(0.1 ** 4, 12);
  });
});

describe('regionCandidates', () => {
  it('redraws a non-empty subset of about 20/D coordinates inside the box and keeps the rest at the centre', () => {
    const dims = 40;
    const centre = new Float64Array(dims).fill(0.5);
    const lower = new Float64Array(dims).fill(0.3);
    const upper = new Float64Array(dims).fill(0.6);
    const count = 500;
    const points = regionCandidates(centre, lower, upper, count, 7);
    let changed = 0;
    for (let c = 0; c < count; c++) {
      let inRow = 0;
      for (let d = 0; d < dims; d++) {
        const v = points[c * dims + d]!;
        expect(v).toBeGreaterThanOrEqual(0.3);
        expect(v).toBeLessThanOrEqual(0.6);
        if (v !== 0.5) inRow++;
      }
      expect(inRow).toBeGreaterThan(0);
      changed += inRow;
    }
    expect(changed / (count * dims)).toBeCloseTo(perturbProbability(dims), 1);
    expect(regionCandidates(centre, lower, upper, count, 7)).toEqual(points);
    expect(regionCandidates(centre, lower, upper, count, 8)).not.toEqual(points);
  });
});

describe('trust_region setting', () => {
  it('is on from 20 parameters by default, and the setting forces it either way', () => {
    expect(usesTrustRegion(gpOptions({}, 1), 19)).toBe(false);
    expect(usesTrustRegion(gpOptions({}, 1), 20)).toBe(true);
    expect(usesTrustRegion(gpOptions({ trust_region: 'true' }, 1), 2)).toBe(true);
    expect(usesTrustRegion(gpOptions({ trust_region: 'false' }, 1), 20)).toBe(false);
  });

  it('rejects other values with the setting path', () => {
    const issues = createBayesianOptimization().validate(
      { trust_region: 'yes' },
      { space: wide(3), objective: { type: 'minimize', metricName: 'loss' }, parallelTrialCount: 1 },
    );
    expect(issues.map((i) => i.message)).toEqual([
      'setting trust_region of algorithm bayesianoptimization must be one of auto, true, false, got "yes"',
    ]);
  });
});

/** A space of `d` doubles on [−5, 10]. */
function wide(d: number): SearchSpace {
  return Array.from({ length: d }, (_, i) => ({
    name: `x${i}`,
    domain: { kind: 'double', min: -5, max: 10, scale: 'uniform' } as const,
  }));
}

const sphere = (p: Record<string, unknown>) =>
  Object.values(p).reduce<number>((s, v) => s + ((v as number) - 1) ** 2, 0);

describe('bayesianoptimization in 20 dimensions', () => {
  it('proposes inside the trust region around the incumbent, says so in explain, and repeats per seed', async () => {
    const space = wide(20);
    const run = (seed: number) =>
      runAskTell({ algorithm: createBayesianOptimization(), space, evaluate: sphere, trials: 14, seed });
    const a = await run(3);
    const b = await run(3);
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
    const c = await run(4);
    expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
    const last = a.results[a.results.length - 1]!.suggestions[0]!;
    expect(last.explain).toMatchObject({ phase: 'model', region: 'trust-region', acquisition: 'EI' });
    const tr = (last.explain as { trustRegion: { length: number; perturbProbability: number } }).trustRegion;
    expect(tr.length).toBe(initialLength);
    expect(tr.perturbProbability).toBe(1);
    // The proposal lies in the box around the best earlier trial, shaped by the length scales the request fitted.
    const earlier = a.trials.slice(0, 13);
    const best = earlier.reduce((m, t) => (t.objective! < m.objective! ? t : m));
    const centre = Float64Array.from(space, (p) => ((best.params[p.name] as number) + 5) / 15);
    const hyper = (a.results[13]!.state as { hyper: { logLength: number[] } }).hyper;
    const box = regionBox(centre, hyper.logLength, tr.length);
    space.forEach((p, d) => {
      const u = ((last.params[p.name] as number) + 5) / 15;
      expect(u).toBeGreaterThanOrEqual(box.lower[d]! - 1e-12);
      expect(u).toBeLessThanOrEqual(box.upper[d]! + 1e-12);
    });
    // A fresh request on the same history gives the same point (the region is replayed, not remembered).
    const request = makeRequest({ space, trials: earlier, count: 1, seed: 3, state: a.results[12]!.state });
    const again = await createBayesianOptimization().suggest(request);
    expect(again.suggestions[0]!.params).toEqual(last.params);
  });

  it('is off below 20 parameters unless asked for', async () => {
    const run = (settings: Record<string, string>) =>
      runAskTell({
        algorithm: createBayesianOptimization(),
        space: wide(3),
        evaluate: sphere,
        trials: 12,
        seed: 2,
        settings,
      });
    const auto = await run({});
    expect(auto.results[auto.results.length - 1]!.suggestions[0]!.explain).toMatchObject({ region: 'global' });
    const forced = await run({ trust_region: 'true' });
    expect(forced.results[forced.results.length - 1]!.suggestions[0]!.explain).toMatchObject({
      region: 'trust-region',
    });
  });
});

describe('a collapsed trust region', () => {
  it('restarts at the most uncertain point of the cube and says so in explain', async () => {
    const space = wide(3);
    const stalled = 10 + Math.ceil(Math.log2(initialLength / minLength)) * failureTolerance(3);
    const rng = new Rng(5);
    const trials = Array.from({ length: stalled }, (_, i) => {
      const params = Object.fromEntries(space.map((p) => [p.name, -5 + 15 * rng.next()]));
      return makeTrial(i, params, 'Succeeded', i < 10 ? 10 - i : 5);
    });
    const request = makeRequest({ space, trials, count: 1, seed: 2, settings: { trust_region: 'true' } });
    const result = await createBayesianOptimization().suggest(request);
    const explain = result.suggestions[0]!.explain as { region: string; acquisition: string; trustRegion: object };
    expect(explain).toMatchObject({ region: 'trust-region restart', acquisition: 'maxVariance' });
    expect(explain.trustRegion).toMatchObject({ restarts: 1, length: initialLength });
    // One trial fewer and the region has not collapsed yet.
    const before = await createBayesianOptimization().suggest({ ...request, trials: trials.slice(0, -1) });
    expect(before.suggestions[0]!.explain).toMatchObject({ region: 'trust-region' });
  });
});
