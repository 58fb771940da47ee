// Running trials reach the algorithm with their live curves, not with the empty curve they started with.
import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { search } from '../../src/spec/create.ts';
import type { Store } from '../../src/store/types.ts';
import { registerAlgorithm } from '../../src/suggestion/registry.ts';
import { freshStorePerTest } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

describe('the algorithm sees running trials', () => {
  it('with every value they reported so far', async () => {
    const peek = registerAlgorithm('peek', new URL('../fixtures/algorithms/peek.ts', import.meta.url).href);
    const exp = Experiment.create({
      name: 'peek',
      objective: { type: 'minimize', objectiveMetricName: 'loss' },
      algorithm: { algorithmName: peek },
      parameters: [search.int('x', 0, 100)],
      maxTrialCount: 4,
      parallelTrialCount: 2,
      store,
    });
    // Trial 0 keeps running while trials 1, 2 and 3 come and go; it reports one value before trial 2 is
    // proposed and three before trial 3 is.
    const gate = () => {
      let open: () => void = () => {};
      const opened = new Promise<void>((r) => {
        open = r;
      });
      return { open, opened };
    };
    const oneReported = gate();
    const threeReported = gate();
    const lastProposed = gate();
    const result = await exp.optimize(async (p, report) => {
      const x = Number(p.x);
      if (x === 0) {
        report({ loss: 9 });
        oneReported.open();
        await new Promise((r) => setTimeout(r, 50));
        report({ loss: 8 });
        report({ loss: 7 });
        threeReported.open();
        await lastProposed.opened;
      } else if (x === 1) {
        await oneReported.opened;
        report({ loss: 5 });
      } else if (x === 2) {
        await threeReported.opened;
        report({ loss: 4 });
      } else {
        lastProposed.open();
        report({ loss: 1 });
      }
    });
    const seen = async (x: number) => {
      const t = result.trials.find((r) => r.parameters.x === x);
      const explain = (await store.getTrial('peek', t!.name))?.explain as { running: { points: number }[] };
      return explain.running.map((r) => r.points);
    };
    expect(await seen(2)).toEqual([1]);
    expect(await seen(3)).toEqual([3]);
  });
});
