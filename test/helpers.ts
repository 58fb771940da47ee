import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { BuildManifestOptions } from '../src/spec/create.ts';
import { search } from '../src/spec/create.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/types.ts';

/** A fresh temporary folder; `cleanup` removes it. */
export function tempDir(prefix = 'hpo-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Gives every test of the file a fresh SQLite store in its own temporary folder (`use` receives it), closed and removed after the test. */
export function freshStorePerTest(use: (store: Store) => void, prefix?: string): void {
  let tmp: ReturnType<typeof tempDir> | undefined;
  let store: Store | undefined;
  beforeEach(() => {
    tmp = tempDir(prefix);
    store = openStore(tmp.dir);
    use(store);
  });
  afterEach(() => {
    store?.close();
    tmp?.cleanup();
  });
}

/** URL of the test-only `sequence` algorithm module (x = 0, 1, 2, ...). */
export const sequenceModule: string = new URL('./fixtures/algorithms/sequence.ts', import.meta.url).href;

/** Options for a small in-process experiment over one int parameter `x`, driven by the sequence algorithm. */
export function sequenceExperiment(
  name: string,
  over: Partial<BuildManifestOptions> & { limit?: number } = {},
): BuildManifestOptions {
  const { limit, ...rest } = over;
  return {
    name,
    objective: { type: 'minimize', objectiveMetricName: 'loss' },
    algorithm: {
      algorithmName: 'sequence',
      algorithmSettings: { module: sequenceModule, ...(limit === undefined ? {} : { limit: String(limit) }) },
    },
    parameters: [search.int('x', 0, 1000)],
    maxTrialCount: 5,
    parallelTrialCount: 2,
    ...rest,
  };
}
