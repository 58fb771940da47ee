import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Experiment } from '../../src/experiment/experiment.ts';
import { openStore } from '../../src/store/open.ts';
import { sequenceExperiment } from '../helpers.ts';

// `store: ':memory:'` is for notebooks and tests: nothing may appear in the working directory.
let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'hpo-memory-test-'));
  vi.spyOn(process, 'cwd').mockReturnValue(cwd);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(cwd, { recursive: true, force: true });
});

describe("store: ':memory:'", () => {
  it('runs an in-process experiment in memory and writes nothing to the working directory', async () => {
    const exp = Experiment.create({ ...sequenceExperiment('nb'), store: ':memory:' });
    try {
      const result = await exp.optimize((p) => (Number(p.x) - 2) ** 2);
      expect(result.status).toBe('Succeeded');
      expect(result.bestTrial?.parameters).toEqual({ x: 2 });
    } finally {
      await exp.close();
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("is what HPO_STORE=':memory:' opens too", async () => {
    vi.stubEnv('HPO_STORE', ':memory:');
    const store = openStore();
    try {
      expect(await store.listExperiments()).toEqual([]);
    } finally {
      await store.close();
    }
    expect(readdirSync(cwd)).toEqual([]);
  });
});
