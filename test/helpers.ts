import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildManifestOptions } from '../src/spec/create.ts';
import { search } from '../src/spec/create.ts';

/** A fresh temporary folder; `cleanup` removes it. */
export function tempDir(prefix = 'hpo-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
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
