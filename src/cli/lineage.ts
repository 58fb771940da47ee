/**
 * `hpo lineage NAME [TRIAL]`: where a model came from. Builds the experiment's MLMD graph read-only
 * (`hpo-workbench/mlmd`) and walks it back from the winner's model (or TRIAL's) to the trial, its parameters, the
 * experiment, the data and the code version. Text for people, `-o json|yaml` for tools.
 */
import type { LineageArtifact, LineageReport } from '../platform/mlmd/index.ts';
import { isDocumentFormat, type Output, out, renderDocument } from './output.ts';
import { requireExperiment, requireTrial, type StoreOptions, withReadStore } from './readStore.ts';

/** Options of `hpo lineage`. */
export interface LineageOptions extends StoreOptions {
  output?: Output;
}

/** Runs `hpo lineage`; 1 (and `null` as a document) while no trial has the objective and none is named. */
export function lineageCommand(name: string, trial: string | undefined, opts: LineageOptions): Promise<number> {
  return withReadStore(opts.store, async (store) => {
    const exp = await requireExperiment(store, name, opts.namespace);
    if (trial !== undefined) await requireTrial(store, exp, trial);
    const mlmd = await import('../platform/mlmd/index.ts');
    const read = await mlmd.readLineageGraph(store, exp, trial === undefined ? { winnerOnly: true } : { trial });
    const start = trial ?? read.winner;
    if (start === undefined) {
      if (isDocumentFormat(opts.output)) out(renderDocument(null, opts.output));
      else out(`experiment '${exp.name}' has no trial with the objective yet; name one: hpo lineage ${exp.name} TRIAL`);
      return 1;
    }
    const report = mlmd.walkLineage(read.graph, { trial: start });
    out(isDocumentFormat(opts.output) ? renderDocument(report, opts.output) : lineageText(report));
    return 0;
  });
}

function artifactLine(a: LineageArtifact): string {
  const sha = typeof a.properties.sha256 === 'string' ? `  sha256 ${a.properties.sha256.slice(0, 12)}…` : '';
  return `${a.key}  ${a.type}${a.uri === undefined ? '' : `  ${a.uri}`}${sha}`;
}

const kv = (o: Readonly<Record<string, unknown>>): string =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('  ') || '(none)';

/** The report as aligned lines, newest first: the model, then each step back. */
export function lineageText(r: LineageReport): string {
  const rows: [string, string][] = [
    ['model', r.model === null ? '(none: the trial left no model artifact)' : artifactLine(r.model)],
    ['trial', `${r.trial.name}  ${r.trial.state}  (${r.trial.type} ${r.trial.execution})`],
    ['parameters', kv(r.trial.parameters)],
    ['objective', kv(r.trial.outputs)],
    ['experiment', `${r.experiment.context}  (${r.experiment.type})`],
    ['data', r.data.length === 0 ? '(none recorded)' : r.data.map((d) => d.uri ?? d.name).join('  ')],
    [
      'code',
      r.code === null
        ? '(no git repository)'
        : `git ${r.code.commit}${r.code.dirty ? ' (uncommitted changes)' : ''} in ${r.code.root}`,
    ],
    ...r.outputs.map((o): [string, string] => ['also wrote', artifactLine(o)]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), ...r.notes.map((n) => `note: ${n}`)].join('\n');
}
