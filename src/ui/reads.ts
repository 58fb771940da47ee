import { analysisInput } from '../analysis/input.ts';
import { plotOf } from '../analysis/plot.ts';
import type { Plot, PlotKind, PlotOptions } from '../analysis/types.ts';
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { configOf } from '../spec/config.ts';
import { lockStatus } from '../store/lockStatus.ts';
import type { ExperimentRecord } from '../store/types.ts';
import { ExperimentWorkspace } from '../trial/workspace.ts';
import type { DashboardData } from './data.ts';

/** Reads `params=a,b` and `resolution=N` of a plot request. */
function plotOptions(query: URLSearchParams): PlotOptions {
  const params = (query.get('params') ?? '').split(',').filter((p) => p !== '');
  const resolution = query.get('resolution');
  return {
    ...(params.length === 0 ? {} : { params }),
    ...(resolution === null || resolution === '' ? {} : { resolution: Number(resolution) }),
  };
}

/**
 * `GET …/plots/:kind`: the analysis room's plot of the experiment (its data and Vega-Lite spec), from the trials the
 * dashboard keeps and, for learning curves only, the objective's observations in one bulk query. A plot that cannot
 * be drawn yet (no completed trial) is `invalidArgument` with the reason, answered as 400.
 */
export async function experimentPlot(
  data: DashboardData,
  namespace: string,
  name: string,
  kind: PlotKind,
  query: URLSearchParams,
): Promise<Plot> {
  const e = await data.experiment(namespace, name);
  const trials = await data.trials(e);
  const observations =
    kind === 'curves'
      ? await data.store.getObservationsOf(e, { metric: configOf(e.manifest).objectives[0]!.metricName })
      : undefined;
  return plotOf(analysisInput(e, trials, observations), kind, plotOptions(query));
}

/** The log file of a stored trial of `e` (its master's for a distributed trial); `notFound` for an unknown trial. */
export async function trialLogPath(data: DashboardData, e: ExperimentRecord, trial: string): Promise<string> {
  // The trial must be in the store: its name is then one the controller made a folder for, never a path from the URL.
  if ((await data.store.getTrial(e, trial)) === undefined) {
    throw new WorkbenchError(ErrorCode.notFound, `experiment '${e.name}' has no trial '${trial}'`);
  }
  return new ExperimentWorkspace(data.store.root, e).logPath(trial);
}

/** Whether a trial may still write its log: Pending or Running, in an experiment a live controller drives. */
export async function trialGoing(data: DashboardData, e: ExperimentRecord, trial: string): Promise<boolean> {
  const t = await data.store.getTrial(e, trial);
  if (t === undefined || (t.state !== 'Pending' && t.state !== 'Running')) return false;
  const { state } = lockStatus(await data.store.getExperimentLock(e));
  return state === 'held' || state === 'unknown';
}
