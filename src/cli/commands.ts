import { resolve } from 'node:path';
import {
  type BudgetEdit,
  checkExperiment,
  configOf,
  countTrials,
  describeExperimentKey,
  ErrorCode,
  Experiment,
  type ExperimentManifest,
  type ExperimentResult,
  ExperimentWorkspace,
  errorsOnly,
  formatIssue,
  type Issue,
  loadExperimentFile,
  openStore,
  parseForThisInstallation,
  throwIfIssues,
  WorkbenchError,
} from '../index.ts';
import { failureReport } from './failures.ts';
import { num, objectivesNote } from './format.ts';
import { kubernetesExecutor } from './kubernetes.ts';
import { err, isDocumentFormat, type Output, out, renderDocument } from './output.ts';
import { progressView } from './progress.ts';
import { requireExperiment, type StoreOptions, withReadStore } from './readStore.ts';

/** Exit status for a finished experiment: 0 succeeded, 1 failed, 130 interrupted. */
function exitFor(result: ExperimentResult, interrupted: boolean): number {
  if (interrupted) return 130;
  return result.status === 'Succeeded' ? 0 : 1;
}

function printSummary(r: ExperimentResult, metric: string): void {
  const c = countTrials(r.trials.map((t) => t.state as never));
  err(`experiment ${r.experiment}: ${r.status} (${r.reason}) — ${r.message}`);
  err(
    `trials: ${c.total} total, ${c.succeeded} succeeded, ${c.failed} failed, ${c.earlyStopped} early stopped, ${c.metricsUnavailable} metrics unavailable, ${c.killed} killed`,
  );
  if (r.bestTrial) {
    const params = Object.entries(r.bestTrial.parameters)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? num(v) : v}`)
      .join(' ');
    out(
      `best trial ${r.bestTrial.name}: ${metric}=${r.bestTrial.objectiveText ?? num(r.bestTrial.objective)} ${params}`,
    );
    if (r.paretoFront)
      out(
        `Pareto front: ${r.paretoFront.length} trial(s) over ${r.objectives?.length} objectives (hpo best ${r.experiment})`,
      );
  } else {
    out('no trial has reported the objective yet');
  }
}

/** `hpo run FILE...`: runs every Experiment in the files with the local-process executor. */
export async function runCommand(
  files: string[],
  opts: StoreOptions & {
    output?: Output;
    quiet?: boolean;
    /** `kubernetes`: trials become job CRs in the cluster (the controller and store stay here). */
    backend?: 'local' | 'kubernetes';
    namespace?: string;
    context?: string;
    /** `--stuck-grace` in milliseconds (kubernetes backend). */
    stuckGrace?: number;
  },
  resumeOf?: { name: string; budget: BudgetEdit },
): Promise<number> {
  // Resuming names a stored experiment: a mistyped --store is reported instead of created.
  if (resumeOf) await withReadStore(opts.store, (s) => requireExperiment(s, resumeOf.name, opts.namespace));
  // Every file is read and checked before the store is opened: bad input is reported (exit 2) listing every
  // problem, as `hpo validate` does, and leaves no store behind.
  const loaded = files.flatMap((file) =>
    loadExperimentFile(file).map((m) => {
      throwIfIssues(validationIssues(m), `${file}: experiment '${m.metadata.name}'`);
      return { m, file };
    }),
  );
  const store = openStore(opts.store);
  const jobs: { experiment: Experiment; metric: string; budget?: BudgetEdit }[] = [];
  if (resumeOf) {
    const rec = await requireExperiment(store, resumeOf.name, opts.namespace);
    if (!rec.manifest.spec.trialTemplate) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `experiment '${rec.name}' runs an in-process objective; resume it from its script by calling optimize() again`,
      );
    }
    // The budget edit is stored by run() once it holds the experiment's lock, so a resume refused because another
    // controller runs the experiment changes nothing.
    jobs.push({
      experiment: Experiment.fromManifest(rec.manifest, {
        store,
        ...(rec.sourcePath ? { sourcePath: rec.sourcePath } : {}),
      }),
      metric: rec.manifest.spec.objective?.objectiveMetricName ?? 'objective',
      budget: resumeOf.budget,
    });
  } else {
    for (const { m, file } of loaded) {
      jobs.push({
        experiment: Experiment.fromManifest(m, { store, sourcePath: resolve(file) }),
        metric: m.spec.objective?.objectiveMetricName ?? 'objective',
      });
    }
  }
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    err(`\n${sig}: stopping running trials; the experiment stays resumable (press again to exit now)`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const results: ExperimentResult[] = [];
  let code = 0;
  try {
    for (const { experiment, metric, budget } of jobs) {
      if (abort.signal.aborted) break;
      const view = progressView(metric, opts.quiet === true || isDocumentFormat(opts.output));
      let result: ExperimentResult;
      try {
        const executor =
          opts.backend === 'kubernetes'
            ? await kubernetesExecutor(configOf(experiment.manifest), {
                ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
                ...(opts.context === undefined ? {} : { context: opts.context }),
                ...(opts.stuckGrace === undefined ? {} : { stuckGraceMs: opts.stuckGrace }),
              })
            : undefined; // run() picks the local process or the local distributed launcher
        result = await experiment.run({
          signal: abort.signal,
          onProgress: (p) => view.update(p),
          ...(executor === undefined ? {} : { executor }),
          ...(budget === undefined ? {} : { budget }),
        });
      } finally {
        view.stop();
      }
      results.push(result);
      if (!isDocumentFormat(opts.output)) printSummary(result, metric);
      for (const line of await failureReport(result, store.root)) err(line);
      code = Math.max(code, exitFor(result, abort.signal.aborted));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
  if (isDocumentFormat(opts.output)) out(renderDocument(results.length === 1 ? results[0] : results, opts.output));
  return code;
}

/** Katib's rules and ours on one loaded Experiment, warnings included (the same parse `run` makes). */
function validationIssues(m: ExperimentManifest): readonly Issue[] {
  return parseForThisInstallation(m).issues;
}

/**
 * `hpo validate FILE...`: 0 when every Experiment is valid, 2 with every problem listed otherwise. It makes the
 * checks `hpo run` makes before starting, the algorithm's own settings check (and loading its module) included.
 */
export async function validateCommand(files: string[]): Promise<number> {
  let bad = 0;
  for (const file of files) {
    let manifests: ReturnType<typeof loadExperimentFile>;
    try {
      manifests = loadExperimentFile(file);
    } catch (e) {
      bad++;
      err(`${file}: ${e instanceof WorkbenchError ? e.describe() : (e as Error).message}`);
      continue;
    }
    for (const m of manifests) {
      const all = validationIssues(m);
      for (const w of all.filter((i) => i.severity === 'warning')) err(`${file}: ${formatIssue(w)}`);
      // The algorithm's own check (loading a user module) runs once Katib's rules pass, as in `hpo run`.
      const spec = errorsOnly(all);
      const issues = spec.length > 0 ? spec : await checkExperiment(m, { sourcePath: resolve(file) });
      if (issues.length === 0) {
        out(`${file}: experiment '${m.metadata.name}' is valid${objectivesNote(m)}`);
      } else {
        bad++;
        err(`${file}: experiment '${m.metadata.name}' has ${issues.length} problem${issues.length === 1 ? '' : 's'}:`);
        for (const i of issues) err(`  - ${formatIssue(i)}`);
      }
    }
  }
  return bad === 0 ? 0 : 2;
}

/** `hpo delete NAME`: removes the experiment's records and trial folders. */
export async function deleteCommand(name: string, opts: StoreOptions): Promise<number> {
  // Checked read-only first, so a mistyped --store is reported instead of created.
  await withReadStore(opts.store, (s) => requireExperiment(s, name, opts.namespace));
  const store = openStore(opts.store);
  try {
    const exp = await requireExperiment(store, name, opts.namespace);
    await store.deleteExperiment(exp);
    await new ExperimentWorkspace(store.root, exp).remove();
    out(`deleted experiment '${describeExperimentKey(exp)}'`);
    return 0;
  } finally {
    await store.close();
  }
}
