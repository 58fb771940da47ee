import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExperimentController } from '../../../src/experiment/controller.ts';
import { prepareExperiment } from '../../../src/experiment/prepare.ts';
import { type ExperimentResult, experimentResult } from '../../../src/experiment/report.ts';
import { loadExperiments } from '../../../src/spec/load.ts';
import type { ExperimentManifest } from '../../../src/spec/types.ts';
import type { Store } from '../../../src/store/types.ts';
import { LocalDistributedExecutor } from '../../../src/training/local/index.ts';
import { freshStorePerTest } from '../../helpers.ts';

const file = fileURLToPath(new URL('../../../examples/pytorch-ddp/experiment.yaml', import.meta.url));

let store: Store;
freshStorePerTest((s) => {
  store = s;
}, 'hpo-ddp-');

/** What `Experiment.run()` does, with the distributed executor (until `run()` picks it for multi-replica templates). */
async function runWithController(
  manifest: ExperimentManifest,
  executor: LocalDistributedExecutor,
): Promise<ExperimentResult> {
  const prepared = await prepareExperiment(manifest, { store, sourcePath: file });
  try {
    const controller = await ExperimentController.open({
      store,
      experiment: prepared.record.name,
      executor,
      host: prepared.host,
      settings: prepared.settings,
      earlyStopping: prepared.earlyStopping,
    });
    await controller.run();
  } finally {
    await prepared.host.close();
  }
  return (await experimentResult(store, prepared.record.name))!;
}

describe('examples/pytorch-ddp: a 2-replica PyTorchJob (torch.distributed gloo + DDP) tuned locally', () => {
  it('runs 3 trials of Master + Worker processes that train together and report accuracy and loss', async () => {
    const [manifest] = loadExperiments(readFileSync(file, 'utf8'), file);
    const executor = new LocalDistributedExecutor({ manifest: manifest!, sourcePath: file, gpus: null });
    const result = await runWithController(manifest!, executor);
    expect(result.status).toBe('Succeeded');
    expect(result.trials).toHaveLength(3);
    for (const t of result.trials) {
      expect(t.state).toBe('Succeeded');
      // 8 epochs of the digits MLP: well above chance (0.1) whatever the learning rate.
      expect(t.objective).toBeGreaterThan(0.5);
      expect(t.objective).toBeLessThanOrEqual(1);
      expect(t.metrics.map((m) => m.name).sort()).toEqual(['accuracy', 'loss']);
    }
    expect(result.bestTrial?.objective).toBe(Math.max(...result.trials.map((t) => t.objective ?? 0)));
    // Both ranks trained together (each says so in its own log) and the master's log has the per-epoch losses.
    for (const t of result.trials) {
      const log = join(store.root, 'experiments', 'pytorch-ddp', 'logs', `${t.name}.log`);
      expect(readFileSync(log, 'utf8')).toMatch(/epoch=7 loss=[\d.]+\n[\s\S]*rank 0 of 2 on 127\.0\.0\.1:\d+ done/);
      expect(readFileSync(`${log}.worker-0`, 'utf8')).toMatch(/^rank 1 of 2 on 127\.0\.0\.1:\d+ done$/m);
      expect(readFileSync(`${log}.worker-0`, 'utf8')).not.toContain('accuracy=');
    }
  });
});
