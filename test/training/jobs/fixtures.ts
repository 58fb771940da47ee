// Reads the real upstream CRDs and samples from /work/shared (next to the repository checkout).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { TrainingJobKind } from '../../../src/training/jobs/index.ts';

/** /work/shared/kubeflow, seen from test/training/jobs/. */
export const kubeflowDir: URL = new URL('../../../../shared/kubeflow/', import.meta.url);
/** Katib's example Experiments. */
export const katibExamplesDir: URL = new URL('../../../../shared/katib/examples/', import.meta.url);

/** The CRD file each kind is validated against. */
export const crdFiles: Readonly<Record<Exclude<TrainingJobKind, 'Job'>, string>> = {
  PyTorchJob: 'crds/training-operator-v1.9.4/kubeflow.org_pytorchjobs.yaml',
  TFJob: 'crds/training-operator-v1.9.4/kubeflow.org_tfjobs.yaml',
  MPIJob: 'crds/training-operator-v1.9.4/kubeflow.org_mpijobs.yaml',
  MPIJobV2: 'crds/mpi-operator-v0.8.0/kubeflow.org_mpijobs.yaml',
  XGBoostJob: 'crds/training-operator-v1.9.4/kubeflow.org_xgboostjobs.yaml',
  JAXJob: 'crds/training-operator-v1.9.4/kubeflow.org_jaxjobs.yaml',
  PaddleJob: 'crds/training-operator-v1.9.4/kubeflow.org_paddlejobs.yaml',
  TrainJob: 'crds/trainer-v2.3.0/trainer.kubeflow.org_trainjobs.yaml',
};

const texts = new Map<string, string>();

/** The CRD text for a kind (read once per test file). */
export function crdText(kind: Exclude<TrainingJobKind, 'Job'>): string {
  const file = crdFiles[kind];
  let text = texts.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(file, kubeflowDir), 'utf8');
    texts.set(file, text);
  }
  return text;
}

/** The job kinds whose samples we read back. */
const sampleKinds = new Set(['PyTorchJob', 'TFJob', 'MPIJob', 'XGBoostJob', 'JAXJob', 'PaddleJob', 'TrainJob', 'Job']);

/** A job manifest or trialSpec found in a sample file. */
export interface Sample {
  readonly file: string;
  readonly job: Record<string, unknown>;
}

function docs(file: URL): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
}

/** Every job of a supported kind in shared/kubeflow/samples (not the runtimes, KServe or KFP files). */
export function kubeflowSamples(): Sample[] {
  const dirs = ['training-operator-v1.9.4', 'mpi-operator-v0.8.0', 'trainer-v2.3.0', 'katib-v0.19.0'];
  return dirs.flatMap((d) => {
    const dir = new URL(`samples/${d}/`, kubeflowDir);
    return readdirSync(fileURLToPath(dir))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => docs(new URL(f, dir)).flatMap((job) => jobsIn(job).map((j) => ({ file: `${d}/${f}`, job: j }))));
  });
}

/** Every trialSpec of a supported kind in Katib's example Experiments. */
export function katibTrialSpecs(): Sample[] {
  return readdirSync(fileURLToPath(katibExamplesDir))
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) =>
      docs(new URL(f, katibExamplesDir)).flatMap((job) => jobsIn(job).map((j) => ({ file: `katib/${f}`, job: j }))),
    );
}

function jobsIn(doc: Record<string, unknown> | null): Record<string, unknown>[] {
  if (doc === null || typeof doc !== 'object') return [];
  if (doc.kind === 'Experiment') {
    const spec = doc.spec as { trialTemplate?: { trialSpec?: Record<string, unknown> } } | undefined;
    const trial = spec?.trialTemplate?.trialSpec;
    return trial && sampleKinds.has(String(trial.kind)) ? [trial] : [];
  }
  return sampleKinds.has(String(doc.kind)) ? [doc] : [];
}
