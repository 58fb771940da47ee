// A trial's name becomes its Kubernetes job's name and its folder on disk: a name an algorithm proposes must be a
// DNS-1123 label, else the experiment fails with the algorithm named, and nothing is created outside its folder.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { Store } from '../../src/store/types.ts';
import { invalidTrialName } from '../../src/trial/naming.ts';
import { freshStorePerTest, rejected, sequenceExperiment } from '../helpers.ts';

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

function named(name: string, namePrefix: string) {
  const base = sequenceExperiment(name, { maxTrialCount: 2, parallelTrialCount: 1 });
  const settings = { ...base.algorithm.algorithmSettings, namePrefix };
  return { ...base, algorithm: { ...base.algorithm, algorithmSettings: settings }, store };
}

describe('trial names proposed by an algorithm', () => {
  it.each([
    ['a path', '../../escape-'],
    ['upper case', 'Trial-'],
    ['a slash', 'a/b-'],
    ['spaces and quotes', `x "y" '`],
  ])('refuses %s: the experiment fails naming the algorithm, no trial is stored', async (_what, prefix) => {
    const exp = Experiment.create(named('bad-names', prefix));
    const result = await exp.optimize(() => 1);
    await exp.close();
    expect(result.status).toBe('Failed');
    expect(result.message).toContain("algorithm 'sequence' proposed an invalid trial");
    expect(result.trials).toEqual([]);
    expect(readdirSync(store.root).some((f) => f.startsWith('escape'))).toBe(false);
  });

  it('runs trials under names that are labels, and ask() rejects a bad one with the algorithm error', async () => {
    const ok = Experiment.create(named('good-names', 'pbt-child-'));
    const result = await ok.optimize(() => 1);
    await ok.close();
    expect(result.trials.map((t) => t.name)).toEqual(['pbt-child-0', 'pbt-child-1']);
    const asked = Experiment.create(named('asked', '../x-'));
    try {
      expect((await rejected(asked.ask())).code).toBe(ErrorCode.algorithmFailed);
    } finally {
      await asked.close();
    }
  });

  it('fails a shared experiment the same way: a worker checks the names as the controller does', async () => {
    const exp = Experiment.create(named('bad-shared', '../../escape-'));
    const result = await exp.optimize(() => 1, { join: { heartbeatMs: 200 } });
    await exp.close();
    expect([result.status, result.trials]).toEqual(['Failed', []]);
    expect(result.message).toContain("algorithm 'sequence' proposed an invalid trial");
    expect(readdirSync(store.root).some((f) => f.startsWith('escape'))).toBe(false);
  });

  it('says why a name is not a label', () => {
    expect(invalidTrialName('trial-0')).toBeUndefined();
    expect(invalidTrialName('..')).toContain('not a DNS-1123 label');
    expect(invalidTrialName('a'.repeat(64))).toContain('longer than 63');
    expect(invalidTrialName(7)).toContain('must be a string');
  });
});
