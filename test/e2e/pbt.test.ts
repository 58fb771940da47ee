import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { readWinner, readWinnerArtifacts } from '../../src/experiment/winner.ts';
import { readLineageGraph, walkLineage } from '../../src/platform/mlmd/index.ts';
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

    // Every trial's checkpoint is recorded as an artifact of kind checkpoint, with the digest of what it held at
    // its end (a child's differs from its parent's: it trained on); the winner document and the lineage show it.
    const ref = { namespace: 'default', name: manifest.metadata.name };
    const winner = (await readWinner(store, ref))!;
    const ck = winner.artifacts.filter((a) => a.folder === 'checkpoint');
    expect(ck.map((a) => [a.name, a.kind])).toEqual([['state.json', 'checkpoint']]);
    const onDisk = readFileSync(ck[0]!.path);
    expect(ck[0]!.path).toBe(
      join(store.root, 'experiments', manifest.metadata.name, 'checkpoints', winner.name, 'state.json'),
    );
    expect(ck[0]!.sha256).toBe(createHash('sha256').update(onDisk).digest('hex'));
    expect(ck[0]!.size).toBe(onDisk.length);
    const child = gen1[0]!;
    const exp = (await store.getExperiment(ref))!;
    const [childCk] = await readWinnerArtifacts(store.root, exp, (await store.getTrial(ref, child.name))!);
    const [parentCk] = await readWinnerArtifacts(store.root, exp, (await store.getTrial(ref, child.parent!))!);
    expect(childCk!.kind).toBe('checkpoint');
    expect(childCk!.sha256).not.toBe(parentCk!.sha256);
    const { graph } = await readLineageGraph(store, ref, { trial: winner.name });
    const walk = walkLineage(graph, { trial: winner.name });
    expect(walk.outputs).toContainEqual(
      expect.objectContaining({
        key: 'checkpoints/state.json',
        properties: expect.objectContaining({ kind: 'checkpoint', sha256: ck[0]!.sha256 }),
      }),
    );
  }, 120_000);
});
