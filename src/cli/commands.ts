import { createReadStream, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { formatIssue } from '../common/issue.ts';
import { Experiment } from '../experiment/experiment.ts';
import { applyBudget, checkExperiment } from '../experiment/prepare.ts';
import { type ExperimentResult, experimentResult } from '../experiment/report.ts';
import { countTrials } from '../experiment/status.ts';
import { applyDefaults } from '../spec/defaults.ts';
import { loadExperimentFile } from '../spec/load.ts';
import { validateExperiment } from '../spec/validate.ts';
import { openStore } from '../store/open.ts';
import type { ExperimentRecord, Store } from '../store/types.ts';
import { earlyStoppingNames, knownAlgorithmNames } from '../suggestion/registry.ts';
import { failureReport } from './failures.ts';
import { csv, duration, num, table, trialRows } from './format.ts';
import { kubernetesExecutor } from './kubernetes.ts';
import { controllerReport } from './lockCommands.ts';
import { progressView } from './progress.ts';

/** Options every command that reads the store takes. */
export interface StoreOptions {
  store?: string;
}

type Output = 'table' | 'json' | 'csv';

const out = (s: string): void => {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};
const err = (s: string): void => {
  process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
};

function requireExperiment(store: Store, name: string): ExperimentRecord {
  const exp = store.getExperiment(name);
  if (!exp) {
    const names = store.listExperiments().map((e) => e.name);
    throw new WorkbenchError(
      ErrorCode.notFound,
      `no experiment '${name}' in store ${store.root}${names.length ? `; known: ${names.join(', ')}` : ''} (use --store to pick another store)`,
    );
  }
  return exp;
}

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
    out(`best trial ${r.bestTrial.name}: ${metric}=${num(r.bestTrial.objective)} ${params}`);
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
  },
  resumeOf?: {
    name: string;
    budget: { maxTrialCount?: number; parallelTrialCount?: number; maxFailedTrialCount?: number };
  },
): Promise<number> {
  const store = openStore(opts.store);
  const jobs: { experiment: Experiment; metric: string }[] = [];
  if (resumeOf) {
    const rec = requireExperiment(store, resumeOf.name);
    if (!rec.manifest.spec.trialTemplate) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `experiment '${rec.name}' runs an in-process objective; resume it from its script by calling optimize() again`,
      );
    }
    const updated = applyBudget(rec, resumeOf.budget, { store });
    jobs.push({
      experiment: Experiment.fromManifest(updated.manifest, {
        store,
        ...(rec.sourcePath ? { sourcePath: rec.sourcePath } : {}),
      }),
      metric: rec.manifest.spec.objective?.objectiveMetricName ?? 'objective',
    });
  } else {
    for (const file of files) {
      for (const m of loadExperimentFile(file)) {
        jobs.push({
          experiment: Experiment.fromManifest(m, { store, sourcePath: resolve(file) }),
          metric: m.spec.objective?.objectiveMetricName ?? 'objective',
        });
      }
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
    for (const { experiment, metric } of jobs) {
      if (abort.signal.aborted) break;
      const view = progressView(metric, opts.quiet === true || opts.output === 'json');
      let result: ExperimentResult;
      try {
        const executor =
          opts.backend === 'kubernetes'
            ? await kubernetesExecutor(experiment.manifest, {
                ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
                ...(opts.context === undefined ? {} : { context: opts.context }),
              })
            : undefined; // run() picks the local process or the local distributed launcher
        result = await experiment.run({
          signal: abort.signal,
          onProgress: (p) => view.update(p),
          ...(executor === undefined ? {} : { executor }),
        });
      } finally {
        view.stop();
      }
      results.push(result);
      if (opts.output !== 'json') printSummary(result, metric);
      for (const line of await failureReport(result, store.root)) err(line);
      code = Math.max(code, exitFor(result, abort.signal.aborted));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
  }
  if (opts.output === 'json') out(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
  return code;
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
      const warnings = validateExperiment(applyDefaults(m), {
        algorithms: knownAlgorithmNames(m.spec.algorithm),
        earlyStopping: earlyStoppingNames,
      }).filter((i) => i.severity === 'warning');
      for (const w of warnings) err(`${file}: ${formatIssue(w)}`);
      const issues = await checkExperiment(m, { sourcePath: resolve(file) });
      if (issues.length === 0) {
        out(`${file}: experiment '${m.metadata.name}' is valid`);
      } else {
        bad++;
        err(`${file}: experiment '${m.metadata.name}' has ${issues.length} problem${issues.length === 1 ? '' : 's'}:`);
        for (const i of issues) err(`  - ${formatIssue(i)}`);
      }
    }
  }
  return bad === 0 ? 0 : 2;
}

/** `hpo list`. */
export function listCommand(opts: StoreOptions & { output?: Output }): number {
  const store = openStore(opts.store);
  try {
    const exps = store.listExperiments();
    const rows = exps.map((e) => {
      const r = experimentResult(store, e.name)!;
      return [e.name, e.phase, e.reason, String(r.trials.length), num(r.bestTrial?.objective), e.createdAt];
    });
    const header = ['name', 'status', 'reason', 'trials', 'best', 'created'];
    if (opts.output === 'json')
      out(
        JSON.stringify(
          rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))),
          null,
          2,
        ),
      );
    else if (opts.output === 'csv') out(csv(header, rows));
    else out(exps.length === 0 ? `no experiments in ${store.root}` : table(header, rows));
    return 0;
  } finally {
    store.close();
  }
}

/** `hpo status NAME`. */
export function statusCommand(name: string, opts: StoreOptions & { output?: Output }): number {
  const store = openStore(opts.store);
  try {
    const exp = requireExperiment(store, name);
    const r = experimentResult(store, name)!;
    const c = countTrials(r.trials.map((t) => t.state as never));
    const events = store.listEvents(name, 10);
    const controller = controllerReport(store, exp);
    if (opts.output === 'json') {
      out(
        JSON.stringify(
          {
            experiment: name,
            status: exp.phase,
            reason: exp.reason,
            message: exp.message,
            counts: c,
            bestTrial: r.bestTrial,
            controller,
            events,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const spec = exp.manifest.spec;
    const elapsed = Date.parse(exp.completedAt ?? exp.updatedAt) - Date.parse(exp.createdAt);
    out(`experiment  ${name} (namespace ${exp.namespace})`);
    out(`status      ${exp.phase} — ${exp.reason}: ${exp.message}`);
    out(`controller  ${controller.message}`);
    out(
      `algorithm   ${spec.algorithm?.algorithmName}  objective ${spec.objective?.type} ${spec.objective?.objectiveMetricName}${spec.objective?.goal === undefined ? '' : ` (goal ${spec.objective.goal})`}`,
    );
    out(
      `budget      ${spec.maxTrialCount ?? 'unbounded'} trials, ${spec.parallelTrialCount ?? 3} in parallel, max failed ${spec.maxFailedTrialCount ?? '-'}`,
    );
    out(
      `trials      ${c.total} total: ${c.succeeded} succeeded, ${c.running} running, ${c.pending} pending, ${c.failed} failed, ${c.earlyStopped} early stopped, ${c.metricsUnavailable} metrics unavailable, ${c.killed} killed`,
    );
    if (r.bestTrial)
      out(
        `best        ${r.bestTrial.name} ${spec.objective?.objectiveMetricName}=${num(r.bestTrial.objective)} ${JSON.stringify(r.bestTrial.parameters)}`,
      );
    out(`elapsed     ${Number.isFinite(elapsed) ? duration(elapsed) : '-'}`);
    if (events.length > 0) {
      out('events:');
      for (const e of events) out(`  ${e.time} ${e.type} ${e.reason}${e.trial ? ` [${e.trial}]` : ''}: ${e.message}`);
    }
    return 0;
  } finally {
    store.close();
  }
}

/** `hpo trials NAME`. */
export function trialsCommand(name: string, opts: StoreOptions & { output?: Output }): number {
  const store = openStore(opts.store);
  try {
    const exp = requireExperiment(store, name);
    const r = experimentResult(store, name)!;
    if (opts.output === 'json') {
      out(JSON.stringify(r, null, 2));
      return 0;
    }
    const { header, rows } = trialRows(r.trials, exp.manifest.spec.objective?.objectiveMetricName ?? 'objective');
    out(opts.output === 'csv' ? csv(header, rows) : table(header, rows));
    return 0;
  } finally {
    store.close();
  }
}

/** `hpo best NAME`. */
export function bestCommand(name: string, opts: StoreOptions & { output?: Output }): number {
  const store = openStore(opts.store);
  try {
    const exp = requireExperiment(store, name);
    const r = experimentResult(store, name)!;
    if (opts.output === 'json') {
      out(JSON.stringify(r.bestTrial, null, 2));
      return r.bestTrial ? 0 : 1;
    }
    if (!r.bestTrial) {
      err(`experiment '${name}' has no trial with the objective yet`);
      return 1;
    }
    out(`${r.bestTrial.name}  ${exp.manifest.spec.objective?.objectiveMetricName}=${num(r.bestTrial.objective)}`);
    for (const [k, v] of Object.entries(r.bestTrial.parameters)) out(`  ${k}=${typeof v === 'number' ? num(v) : v}`);
    return 0;
  } finally {
    store.close();
  }
}

/** `hpo logs NAME TRIAL`: streams the trial's log file to stdout. */
export async function logsCommand(name: string, trial: string, opts: StoreOptions): Promise<number> {
  const store = openStore(opts.store);
  try {
    requireExperiment(store, name);
    const t = store.getTrial(name, trial);
    if (!t)
      throw new WorkbenchError(
        ErrorCode.notFound,
        `experiment '${name}' has no trial '${trial}'; see \`hpo trials ${name}\``,
      );
    const path = join(store.root, 'experiments', name, 'logs', `${trial}.log`);
    if (!existsSync(path)) {
      err(`trial '${trial}' has no log file (in-process trials write none)`);
      return 1;
    }
    await new Promise<void>((res, rej) => {
      const s = createReadStream(path);
      s.on('error', rej);
      s.on('end', () => res());
      s.pipe(process.stdout, { end: false });
    });
    return 0;
  } finally {
    store.close();
  }
}

/** `hpo delete NAME`: removes the experiment's records and trial folders. */
export function deleteCommand(name: string, opts: StoreOptions): number {
  const store = openStore(opts.store);
  try {
    requireExperiment(store, name);
    store.deleteExperiment(name);
    rmSync(join(store.root, 'experiments', name), { recursive: true, force: true });
    out(`deleted experiment '${name}'`);
    return 0;
  } finally {
    store.close();
  }
}

/** `hpo explain NAME TRIAL`: why the algorithm proposed a trial, and how it ended. */
export function explainCommand(name: string, trial: string, opts: StoreOptions & { output?: Output }): number {
  const store = openStore(opts.store);
  try {
    const exp = requireExperiment(store, name);
    const t = store.getTrial(name, trial);
    if (!t)
      throw new WorkbenchError(
        ErrorCode.notFound,
        `experiment '${name}' has no trial '${trial}'; see \`hpo trials ${name}\``,
      );
    const doc = {
      trial: t.name,
      algorithm: exp.manifest.spec.algorithm?.algorithmName,
      state: t.state,
      reason: t.reason,
      message: t.message,
      parameters: t.params,
      objective: t.objective ?? null,
      ...(t.budget === undefined ? {} : { budget: t.budget }),
      ...(t.parent === undefined ? {} : { parent: t.parent }),
      labels: t.labels,
      explain: t.explain ?? null,
    };
    if (opts.output === 'json') {
      out(JSON.stringify(doc, null, 2));
      return 0;
    }
    out(`trial       ${t.name} (#${t.seq + 1} of ${name}, algorithm ${doc.algorithm})`);
    out(`state       ${t.state} — ${t.reason}: ${t.message}`);
    out(
      `parameters  ${Object.entries(t.params)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? num(v) : v}`)
        .join(' ')}`,
    );
    out(`objective   ${t.objective === undefined ? '-' : num(t.objective)}`);
    if (t.budget !== undefined) out(`budget      ${t.budget}`);
    if (t.parent !== undefined) out(`parent      ${t.parent}`);
    if (t.explain) {
      out('why:');
      for (const [k, v] of Object.entries(t.explain))
        out(`  ${k}: ${typeof v === 'number' ? num(v) : JSON.stringify(v)}`);
    } else {
      out('why:        the algorithm recorded no explanation');
    }
    return 0;
  } finally {
    store.close();
  }
}
