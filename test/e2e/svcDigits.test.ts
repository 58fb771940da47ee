import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { readWinner } from '../../src/experiment/winner.ts';
import { loadExperiments } from '../../src/spec/load.ts';
import type { Store } from '../../src/store/types.ts';
import { freshStorePerTest } from '../helpers.ts';

const file = fileURLToPath(new URL('../../examples/svc-digits/experiment.yaml', import.meta.url));

let store: Store;
freshStorePerTest((s) => {
  store = s;
});

describe('examples/svc-digits (real scikit-learn trials through /usr/bin/python3)', () => {
  it('runs trials that train an SVC and report accuracy on stdout', async () => {
    const [m] = loadExperiments(readFileSync(file, 'utf8'), file);
    const manifest = { ...m!, spec: { ...m!.spec, maxTrialCount: 3, parallelTrialCount: 2 } };
    const result = await Experiment.fromManifest(manifest, { store, sourcePath: file }).run();
    expect(result.status).toBe('Succeeded');
    expect(result.trials).toHaveLength(3);
    for (const t of result.trials) {
      expect(t.state).toBe('Succeeded');
      expect(t.objective).toBeGreaterThan(0);
      expect(t.objective).toBeLessThanOrEqual(1);
      expect(t.metrics.map((x) => x.name).sort()).toEqual(['accuracy', 'train_accuracy']);
    }
    // The maximize objective picks the highest accuracy.
    const best = Math.max(...result.trials.map((t) => t.objective ?? 0));
    expect(result.bestTrial?.objective).toBe(best);

    // Every trial saved its model into its artifacts folder; the winner document lists the winner's with its digest.
    const winner = await readWinner(store, 'svc-digits');
    expect(winner?.name).toBe(result.bestTrial?.name);
    const [model, ...others] = winner?.artifacts ?? [];
    expect(others).toEqual([]);
    expect(model).toMatchObject({ name: 'model.joblib', kind: 'model' });
    expect(model!.path).toContain(`/artifacts/${winner!.name}/model.joblib`);
    const bytes = readFileSync(model!.path);
    expect(model!.size).toBe(bytes.length);
    expect(model!.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});
