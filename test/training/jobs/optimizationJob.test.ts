import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadExperimentFile } from '../../../src/spec/load.ts';
import { readOptimizationJob } from '../../../src/spec/optimizationJob/read.ts';
import { toOptimizationJob } from '../../../src/spec/optimizationJob/write.ts';
import { validateOptimizationJob } from '../../../src/training/jobs/optimizationJob.ts';
import { kepSample, kepSampleFixed, optimizationJobCrd, variants } from '../../spec/optimizationJob/fixtures.ts';
import { katibExamplesDir } from './fixtures.ts';

const examples = new URL('../../../examples/', import.meta.url);

/** Every Experiment we ship and every Katib example, each with its file. */
function experiments() {
  const ours = ['quickstart/experiment.yaml', 'svc-digits/experiment.yaml', 'pytorch-ddp/experiment.yaml'].map((f) =>
    fileURLToPath(new URL(f, examples)),
  );
  const katib = readdirSync(fileURLToPath(katibExamplesDir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => fileURLToPath(new URL(f, katibExamplesDir)));
  return [...ours, ...katib].flatMap((file) => {
    try {
      return loadExperimentFile(file).map((m) => ({ file, m }));
    } catch {
      return []; // the e2e invalid example: nothing to convert
    }
  });
}

describe('validateOptimizationJob (the CRD on Trainer master, plus its CEL rules)', () => {
  it('accepts every OptimizationJob written from an Experiment we ship or Katib ships', () => {
    const written = experiments().flatMap(({ file, m }) => {
      const w = toOptimizationJob(m);
      return w.ok ? [{ file, job: w.job }] : [];
    });
    // The quick start, the SVC example and most Katib examples convert; the rest are refused with a reason.
    expect(written.length).toBeGreaterThan(10);
    for (const { file, job } of written)
      expect({ file, issues: validateOptimizationJob(job, optimizationJobCrd) }).toEqual({ file, issues: [] });
  });

  it('accepts every round-tripped OptimizationJob', () => {
    for (const doc of variants()) {
      const read = readOptimizationJob(doc);
      if (!read.ok) throw new Error(JSON.stringify(read.issues));
      const w = toOptimizationJob(read.experiment);
      if (!w.ok) throw new Error(JSON.stringify(w.issues));
      expect(validateOptimizationJob(w.job, optimizationJobCrd)).toEqual([]);
    }
  });

  it("refuses the KEP's own sample (its enum spelling) and accepts it fixed", () => {
    const published = validateOptimizationJob(kepSample(), optimizationJobCrd);
    expect(published.map((i) => i.path)).toContain('spec.objectives[0].direction');
    expect(validateOptimizationJob(kepSampleFixed(), optimizationJobCrd)).toEqual([]);
  });

  it('checks the CEL rules a schema validator skips, and fields the server would prune', () => {
    const doc = kepSampleFixed();
    const spec = doc.spec as Record<string, unknown>;
    spec.parallelTrials = 25;
    (spec.trainJobTemplate as { spec: { trainer: Record<string, unknown> } }).spec.trainer.gpus = 1;
    const paths = validateOptimizationJob(doc, optimizationJobCrd).map((i) => i.path);
    expect(paths).toContain('spec.parallelTrials');
    expect(paths).toContain('spec.trainJobTemplate.spec.trainer.gpus');
  });
});
