/**
 * The CLI's read commands (`list`, `status`, `trials`, `best`, `explain`; `logs` is in logs.ts): each opens the
 * store read-only through {@link withReadStore}, so none creates or changes a store.
 */

import {
  countTrials,
  type ExperimentRecord,
  experimentResult,
  lockStatus,
  type ObjectiveSpec,
  type ParetoMember,
  readWinner,
  type Store,
} from '../index.ts';
import { csv, duration, num, table, trialRows } from './format.ts';
import { controllerReport } from './lockCommands.ts';
import { err, isDocumentFormat, type Output, out, renderDocument } from './output.ts';
import { requireExperiment, requireTrial, type StoreOptions, withReadStore } from './readStore.ts';

/** Options of the read commands that print a document or a table. */
export interface ReadOptions extends StoreOptions {
  output?: Output;
}

const terminal: ReadonlySet<string> = new Set(['Succeeded', 'Failed']);

/**
 * Milliseconds the experiment has run: to its completion once finished, else to `now` (not to its last update,
 * which lags while trials run without reporting).
 */
export function elapsedMs(exp: ExperimentRecord, now: number): number {
  const end = exp.completedAt ?? (terminal.has(exp.phase) ? exp.updatedAt : undefined);
  return (end === undefined ? now : Date.parse(end)) - Date.parse(exp.createdAt);
}

/**
 * True while something may still change the experiment: it is not finished and a controller that is alive (or
 * on another host, where we cannot tell) holds its lock. `--watch` stops once this is false.
 */
export async function inProgress(store: Store, exp: ExperimentRecord): Promise<boolean> {
  if (terminal.has(exp.phase)) return false;
  // A live lease, or a lock written before leases that we cannot check from here.
  const { state } = lockStatus(await store.getExperimentLock(exp));
  return state === 'held' || state === 'unknown';
}

/** `hpo list`: every stored experiment with its status, trial count and best objective. */
export function listCommand(opts: ReadOptions): Promise<number> {
  return withReadStore(opts.store, async (store) => {
    const docs = [];
    for (const e of await store.listExperiments(opts.namespace)) {
      const r = (await experimentResult(store, e))!;
      docs.push({
        name: e.name,
        namespace: e.namespace,
        status: e.phase,
        reason: e.reason,
        trials: r.trials.length,
        best: r.bestTrial?.objective ?? null,
        created: e.createdAt,
      });
    }
    if (isDocumentFormat(opts.output)) {
      out(renderDocument(docs, opts.output));
      return 0;
    }
    // A namespace column only when there is more than one, as most stores hold experiments of `default` alone.
    const namespaced = new Set(docs.map((d) => d.namespace)).size > 1;
    const header = [...(namespaced ? ['namespace'] : []), 'name', 'status', 'reason', 'trials', 'best', 'created'];
    const full = opts.output === 'csv';
    const rows = docs.map((d) => [
      ...(namespaced ? [d.namespace] : []),
      d.name,
      d.status,
      d.reason,
      String(d.trials),
      full ? (d.best === null ? '' : String(d.best)) : num(d.best),
      d.created,
    ]);
    if (full) out(csv(header, rows));
    else out(docs.length === 0 ? `no experiments in ${store.location}` : table(header, rows));
    return 0;
  });
}

/** Renders `hpo status NAME` once; `compact` prints a JSON document on one line (`--watch`). */
export async function renderStatus(
  store: Store,
  name: string,
  opts: ReadOptions,
  now: number,
  compact = false,
): Promise<void> {
  const exp = await requireExperiment(store, name, opts.namespace);
  const r = (await experimentResult(store, exp))!;
  const c = countTrials(r.trials.map((t) => t.state as never));
  const events = await store.listEvents(exp, 10);
  const elapsed = elapsedMs(exp, now);
  const controller = await controllerReport(store, exp);
  if (isDocumentFormat(opts.output)) {
    const doc = {
      experiment: name,
      status: exp.phase,
      reason: exp.reason,
      message: exp.message,
      elapsedSeconds: Number.isFinite(elapsed) ? elapsed / 1000 : null,
      counts: c,
      bestTrial: r.bestTrial,
      controller,
      events,
    };
    out(renderDocument(doc, opts.output, compact));
    return;
  }
  const spec = exp.manifest.spec;
  out(`experiment  ${name} (namespace ${exp.namespace})`);
  out(`status      ${exp.phase} — ${exp.reason}: ${exp.message}`);
  out(`controller  ${controller.message}`);
  out(
    `algorithm   ${spec.algorithm?.algorithmName}  objective ${[spec.objective, ...(spec.objective?.additionalObjectives ?? [])].map((o) => `${o?.type} ${o?.objectiveMetricName}${o?.goal === undefined || o.goal === null ? '' : ` (goal ${o.goal})`}`).join(', ')}`,
  );
  out(
    `budget      ${spec.maxTrialCount ?? 'unbounded'} trials, ${spec.parallelTrialCount ?? 3} in parallel, max failed ${spec.maxFailedTrialCount ?? '-'}`,
  );
  out(
    `trials      ${c.total} total: ${c.succeeded} succeeded, ${c.running} running, ${c.pending} pending, ${c.failed} failed, ${c.earlyStopped} early stopped, ${c.metricsUnavailable} metrics unavailable, ${c.killed} killed`,
  );
  if (r.bestTrial)
    out(
      `best        ${r.bestTrial.name} ${spec.objective?.objectiveMetricName}=${r.bestTrial.objectiveText ?? num(r.bestTrial.objective)} ${JSON.stringify(r.bestTrial.parameters)}`,
    );
  out(`elapsed     ${Number.isFinite(elapsed) ? duration(elapsed) : '-'}`);
  if (events.length > 0) {
    out('events:');
    for (const e of events) out(`  ${e.time} ${e.type} ${e.reason}${e.trial ? ` [${e.trial}]` : ''}: ${e.message}`);
  }
}

/** Renders `hpo trials NAME` once; `compact` prints a JSON document on one line (`--watch`). */
export async function renderTrials(store: Store, name: string, opts: ReadOptions, compact = false): Promise<void> {
  const exp = await requireExperiment(store, name, opts.namespace);
  const r = (await experimentResult(store, exp))!;
  if (isDocumentFormat(opts.output)) {
    out(renderDocument(r, opts.output, compact));
    return;
  }
  const full = opts.output === 'csv';
  const several = r.objectives
    ? {
        metrics: r.objectives.slice(1).map((o) => o.metricName),
        front: new Set((r.paretoFront ?? []).map((m) => m.name)),
      }
    : undefined;
  const metric = exp.manifest.spec.objective?.objectiveMetricName ?? 'objective';
  const { header, rows } = trialRows(r.trials, metric, full, several);
  out(full ? csv(header, rows) : table(header, rows));
}

/** `hpo best NAME`: the best trial (as text, or the winner document); exit 1 when no trial has the objective yet. */
export function bestCommand(name: string, opts: ReadOptions): Promise<number> {
  return withReadStore(opts.store, async (store) => {
    const exp = await requireExperiment(store, name, opts.namespace);
    const r = (await experimentResult(store, exp))!;
    if (isDocumentFormat(opts.output)) {
      // The winner document keeps the keys this printed before (name, parameters, objective) and adds the rest.
      const winner = await readWinner(store, exp);
      out(renderDocument(winner ?? null, opts.output));
      return winner ? 0 : 1;
    }
    if (!r.bestTrial) {
      err(`experiment '${name}' has no trial with the objective yet`);
      return 1;
    }
    out(
      `${r.bestTrial.name}  ${exp.manifest.spec.objective?.objectiveMetricName}=${r.bestTrial.objectiveText ?? num(r.bestTrial.objective)}`,
    );
    for (const [k, v] of Object.entries(r.bestTrial.parameters)) out(`  ${k}=${typeof v === 'number' ? num(v) : v}`);
    if (r.objectives && r.paretoFront) printFront(r.objectives, r.paretoFront);
    return 0;
  });
}

/** The Pareto front under `hpo best`'s winner: one row per trial, each objective's value, then the parameters. */
function printFront(objectives: readonly ObjectiveSpec[], front: readonly ParetoMember[]): void {
  const names = objectives.map((o) => o.metricName);
  const params = [...new Set(front.flatMap((m) => Object.keys(m.parameters)))];
  const directions = objectives.map((o) => `${o.type} ${o.metricName}`).join(', ');
  out('');
  out(
    `Pareto front: ${front.length} trial${front.length === 1 ? '' : 's'} no other beats on every objective (${directions})`,
  );
  const rows = front.map((m) => [
    m.name,
    ...names.map((n) => num(m.values[n] ?? null)),
    ...params.map((p) => {
      const v = m.parameters[p];
      return v === undefined ? '' : typeof v === 'number' ? num(v) : v;
    }),
  ]);
  out(table(['name', ...names, ...params], rows));
}

/** `hpo explain NAME TRIAL`: why the algorithm proposed a trial, and how it ended. */
export function explainCommand(name: string, trial: string, opts: ReadOptions): Promise<number> {
  return withReadStore(opts.store, async (store) => {
    const exp = await requireExperiment(store, name, opts.namespace);
    const t = await requireTrial(store, exp, trial);
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
    if (isDocumentFormat(opts.output)) {
      out(renderDocument(doc, opts.output));
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
  });
}
