/**
 * Gathers what an experiment's MLMD graph is built from, read-only: the experiment and its trials from the store,
 * each trial's recorded artifacts, and the git commit of its working folder. Nothing is written: the store is the
 * local record and the graph is derived from it each time, so it cannot drift from it (see README, ML Metadata).
 */
import { dirname } from 'node:path';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { bestTrial } from '../../experiment/report.ts';
import { readWinnerArtifacts } from '../../experiment/winner.ts';
import type { ExperimentRecord, ExperimentRef, Store, TrialRecord } from '../../store/types.ts';
import { type CodeVersion, readCodeVersion } from './codeVersion.ts';
import { type LineageTrial, lineageGraph } from './graph.ts';
import type { MlmdGraph } from './types.ts';

/** Which trials {@link readLineageGraph} includes. */
export interface ReadLineageOptions {
  /** Only this trial (its lineage); every trial of the experiment without it. */
  readonly trial?: string;
  /** Only the best trial (the winner); ignored when `trial` is given. */
  readonly winnerOnly?: boolean;
  /** Read the git commit of each trial's folder (default true). */
  readonly codeVersion?: boolean;
}

/** An experiment's graph, and which trial is the winner (the one `hpo lineage` starts from by default). */
export interface LineageGraphRead {
  readonly experiment: ExperimentRecord;
  readonly graph: MlmdGraph;
  /** The best trial's name, when a trial has the objective. */
  readonly winner?: string;
}

/** Reads experiment `ref` and builds its MLMD graph (all trials, one trial, or the winner). */
export async function readLineageGraph(
  store: Store,
  ref: ExperimentRef | ExperimentRecord,
  opts: ReadLineageOptions = {},
): Promise<LineageGraphRead> {
  const exp = typeof ref === 'object' && 'manifest' in ref ? ref : await store.getExperiment(ref);
  if (exp === undefined) {
    throw new WorkbenchError(
      ErrorCode.notFound,
      `no experiment '${typeof ref === 'string' ? ref : ref.name}' in store ${store.location}`,
    );
  }
  const all = await store.listTrials(exp);
  const winner = bestTrial(exp, all);
  let chosen: TrialRecord[] = all;
  if (opts.trial !== undefined) {
    const t = all.find((x) => x.name === opts.trial);
    if (t === undefined) {
      throw new WorkbenchError(
        ErrorCode.notFound,
        `experiment '${exp.name}' has no trial '${opts.trial}'; list them with: hpo trials ${exp.name}`,
      );
    }
    chosen = [t];
  } else if (opts.winnerOnly) {
    chosen = winner === undefined ? [] : [winner];
  }
  // Trial folders are siblings in one experiment: one git read per parent folder, not three spawns per trial.
  const codeByFolder = new Map<string, Promise<CodeVersion | undefined>>();
  const code = (t: TrialRecord): Promise<CodeVersion | undefined> => {
    if (t.workDir === undefined || opts.codeVersion === false) return Promise.resolve(undefined);
    const key = dirname(t.workDir);
    let found = codeByFolder.get(key);
    if (found === undefined) {
      found = readCodeVersion(t.workDir);
      codeByFolder.set(key, found);
    }
    return found;
  };
  const trials: LineageTrial[] = [];
  for (const t of chosen) {
    const [artifacts, version] = await Promise.all([readWinnerArtifacts(store.root, exp, t), code(t)]);
    trials.push({ trial: t, artifacts, ...(version === undefined ? {} : { code: version }) });
  }
  return {
    experiment: exp,
    graph: lineageGraph({ experiment: exp, trials }),
    ...(winner === undefined ? {} : { winner: winner.name }),
  };
}
