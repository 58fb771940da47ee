/**
 * `hpo convert FILE --to optimizationjob|katib`: writes a Katib Experiment as a Kubeflow Trainer OptimizationJob,
 * or an OptimizationJob as the Katib Experiment `hpo run` reads it as. A thin shell over `toOptimizationJob` and
 * `loadExperimentFile`; what the target cannot say is a warning on stderr (dropped) or exit 2 (refused).
 */
import { readFileSync } from 'node:fs';
import {
  ErrorCode,
  formatIssue,
  type Issue,
  loadExperimentFile,
  parseForThisInstallation,
  throwIfIssues,
  toOptimizationJob,
  WorkbenchError,
} from '../index.ts';
import { validateOptimizationJob } from '../training/index.ts';
import { err, out, renderDocument } from './output.ts';

/** Options of {@link convertCommand}, as the CLI parses them. */
export interface ConvertOptions {
  readonly to: 'optimizationjob' | 'katib';
  readonly output?: 'yaml' | 'json';
  /** The ClusterTrainingRuntime a batch Job trial runs under. */
  readonly runtime?: string;
  /** An OptimizationJob CRD file to check the result against (Trainer's `trainer.kubeflow.org_optimizationjobs.yaml`). */
  readonly crd?: string;
}

function print(docs: readonly unknown[], format: 'yaml' | 'json'): void {
  if (format === 'json') {
    // One object as kubectl prints one; several as a v1 List, which `kubectl apply -f` also takes.
    out(renderDocument(docs.length === 1 ? docs[0] : { apiVersion: 'v1', kind: 'List', items: docs }, 'json'));
    return;
  }
  out(docs.map((d) => renderDocument(d, 'yaml')).join('---\n'));
}

/** Converts every Experiment (or OptimizationJob) of `file`; 0 on success, problems throw (exit 2). */
export async function convertCommand(file: string, opts: ConvertOptions): Promise<number> {
  const manifests = loadExperimentFile(file);
  for (const m of manifests)
    throwIfIssues(parseForThisInstallation(m).issues, `${file}: experiment '${m.metadata.name}'`);
  if (opts.to === 'katib') {
    print(manifests, opts.output ?? 'yaml');
    return 0;
  }
  const crdText = opts.crd === undefined ? undefined : readCrd(opts.crd);
  const jobs = manifests.map((m) => {
    const what = `${file}: experiment '${m.metadata.name}'`;
    const written = toOptimizationJob(m, opts.runtime === undefined ? {} : { runtime: opts.runtime });
    if (!written.ok) {
      throwIfIssues(written.issues, `${what} as an OptimizationJob`);
      return undefined;
    }
    for (const w of written.warnings) err(`${what}: ${formatIssue(w)}`);
    if (crdText !== undefined) {
      const issues: Issue[] = validateOptimizationJob(written.job, crdText);
      throwIfIssues(issues, `${what}: the OptimizationJob written against ${opts.crd}`);
    }
    return written.job;
  });
  print(jobs, opts.output ?? 'yaml');
  return 0;
}

function readCrd(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `cannot read --crd ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
}
