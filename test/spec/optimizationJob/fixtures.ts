// OptimizationJobs for the reader, writer and CRD tests: the KEP-2605 sample from /work/shared, and variants.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** /work/shared/kubeflow, seen from test/spec/optimizationJob/. */
const kubeflowDir = new URL('../../../../shared/kubeflow/', import.meta.url);

/** The OptimizationJob CRD text on Trainer's master. */
export const optimizationJobCrd: string = readFileSync(
  new URL('crds/trainer-master-2026-08-21/trainer.kubeflow.org_optimizationjobs.yaml', kubeflowDir),
  'utf8',
);

/** The KEP's sample as published (its `direction: "minimize"` is not in the CRD's enum). */
export function kepSample(): Record<string, unknown> {
  const doc = parse(
    readFileSync(
      new URL('samples/trainer-master-2026-08-21/optimizationjob-sample-from-KEP-2605.yaml', kubeflowDir),
      'utf8',
    ),
  ) as Record<string, unknown>;
  return doc;
}

/** The KEP sample with the enum spelled as the CRD wants and without its status, as a user would submit it. */
export function kepSampleFixed(): Record<string, unknown> {
  const doc = kepSample();
  delete doc.status;
  const spec = doc.spec as { objectives: { direction: string }[] };
  for (const o of spec.objectives) o.direction = 'Minimize';
  return doc;
}

/** A grid OptimizationJob over categorical and a seeded-random one over an Int range, for round trips. */
export function variants(): Record<string, unknown>[] {
  const grid = kepSampleFixed();
  const gs = grid.spec as Record<string, unknown>;
  grid.metadata = { name: 'grid-job', namespace: 'team-a', labels: { team: 'a' } };
  gs.searchAlgorithm = { grid: {} };
  gs.parameters = [
    { name: 'lr', searchSpace: { categorical: { choices: ['0.1', '0.01'] } } },
    { name: 'optimizer', searchSpace: { categorical: { choices: ['sgd', 'adam'] } } },
  ];
  gs.numTrials = 4;
  gs.parallelTrials = 2;
  const seeded = kepSampleFixed();
  const ss = seeded.spec as Record<string, unknown>;
  seeded.metadata = { name: 'seeded' };
  ss.searchAlgorithm = { random: { seed: 42 } };
  ss.objectives = [{ metric: 'accuracy', direction: 'Maximize' }];
  ss.parameters = [
    { name: 'layers', searchSpace: { uniform: { min: '1', max: '8', type: 'Int' } } },
    { name: 'dropout', searchSpace: { uniform: { min: '0', max: '0.5', type: 'Float' } } },
  ];
  (ss.trainJobTemplate as Record<string, unknown>).metadata = { labels: { app: 'tune' } };
  return [kepSampleFixed(), grid, seeded];
}
