import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { loadExperiments } from '../../src/spec/load.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest } from '../helpers.ts';

const file = fileURLToPath(new URL('../../examples/pbt/experiment.yaml', import.meta.url));

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

describe('examples/pbt: population-based training with real checkpoints', () => {
  it('runs generations whose trials continue training from their parent checkpoint', async () => {
    const [m] = loadExperiments(readFileSync(file, 'utf8'), file);
    const manifest = { ...m!, spec: { ...m!.spec, maxTrialCount: 12 } };
    const result = await Experiment.fromManifest(manifest, { store, sourcePath: file }).run();
    expect(result.status).toBe('Succeeded');
    expect(result.trials).toHaveLength(12);
    const gen0 = result.trials.slice(0, 6);
    const gen1 = result.trials.slice(6);
    expect(gen0.every((t) => t.parent === undefined)).toBe(true);
    const names = new Set(gen0.map((t) => t.name));
    for (const t of gen1) {
      expect(names.has(t.parent!)).toBe(true);
      const rec = (await store.getTrial(manifest.metadata.name, t.name))!;
      expect(rec.labels['pbt.suggestion.katib.kubeflow.org/generation']).toBe('1');
      // The child's log starts from its parent's checkpoint: epochs continue past the 3 of generation 0.
      const log = readFileSync(
        join(store.root, 'experiments', manifest.metadata.name, 'logs', `${t.name}.log`),
        'utf8',
      );
      expect(log).toMatch(/resuming after 3 epochs/);
      expect(log).toMatch(/^epoch=6 /m);
    }
  }, 120_000);
});
