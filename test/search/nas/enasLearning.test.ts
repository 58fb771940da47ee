import { describe, expect, it } from 'vitest';
import { sampleArchitecture } from '../../../src/search/nas/architectureSampler.ts';
import { EnasSearch } from '../../../src/search/nas/enasSearch.ts';
import type { NasSpace } from '../../../src/search/nas/space.ts';
import { derive, Rng } from '../../../src/search/rng.ts';
import type { TrialView } from '../../../src/search/types.ts';
import { makeRequest, makeTrial } from '../../../src/testing/askTell.ts';

/**
 * An honest learning check on a toy NAS reward: the number of layers that use operation 0 (6 layers, 5 operation
 * ids: a uniform sampler averages 1.2, the best architecture scores 6). Nothing about the reward is known to the
 * controller; it only sees each trial's objective.
 */
const space: NasSpace = {
  numLayers: 6,
  inputSizes: [8],
  outputSizes: [2],
  operations: [
    {
      operationType: 'convolution',
      parameters: [
        { name: 'filter_size', parameterType: 'categorical', feasibleSpace: { list: ['1', '3', '5', '7', '9'] } },
      ],
    },
  ],
};
// A small, quick controller; Katib's default learning rate (5e-5) is meant for thousands of steps.
const settings = {
  controller_hidden_size: '16',
  controller_learning_rate: '0.02',
  controller_train_steps: '5',
  controller_baseline_decay: '0.9',
};

function reward(architecture: readonly (readonly number[])[]): number {
  return architecture.filter((layer) => layer[0] === 0).length;
}

/** The rewards of 100 ENAS trials, asked for two at a time as a controller with parallelTrialCount 2 would. */
function enasRewards(seed: number): number[] {
  const trials: TrialView[] = [];
  let state: unknown;
  while (trials.length < 100) {
    const base = makeRequest({ space: [], trials, count: 2, seed, settings, type: 'maximize', state });
    const result = new EnasSearch().suggest({ ...base, nas: space });
    state = result.state;
    for (const s of result.suggestions) {
      const architecture = JSON.parse(String(s.params.architecture)) as number[][];
      trials.push(makeTrial(trials.length, s.params, 'Succeeded', reward(architecture)));
    }
  }
  return trials.map((t) => t.objective!);
}

function uniformRewards(seed: number): number[] {
  const rng = new Rng(derive(seed, 'uniform'));
  return Array.from({ length: 100 }, () => reward(sampleArchitecture(rng, 6, 5)));
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('ENAS controller learning (toy reward)', () => {
  it('its mean sampled reward rises over 100 trials and ends well above the uniform sampler’s (median of 5 seeds)', () => {
    const seeds = [1, 2, 3, 4, 5];
    const runs = seeds.map(enasRewards);
    const first = median(runs.map((r) => mean(r.slice(0, 30))));
    const last = median(runs.map((r) => mean(r.slice(70))));
    const uniform = median(seeds.map((s) => mean(uniformRewards(s).slice(70))));
    expect(last, `first 30: ${first}, last 30: ${last}, uniform: ${uniform}`).toBeGreaterThan(first + 1);
    expect(last).toBeGreaterThan(uniform + 2);
  }, 60_000);
});
