import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { paretoFrontIndices } from '../experiment/pareto.ts';
import { trialValues, valuesByMetric } from '../experiment/paretoFront.ts';
import type { ObjectiveSpec } from '../search/types.ts';
import { scoredTrials } from './input.ts';
import { baseSpec } from './spec.ts';
import type { AnalysisInput, Plot } from './types.ts';

/** One trial of the Pareto plot: its value of every objective and whether it is on the front. */
export interface ParetoRow {
  readonly trial: string;
  /** 1-based creation order (the trial's `seq` + 1). */
  readonly number: number;
  readonly state: string;
  /** Each objective's value by metric name, primary first. */
  readonly values: Readonly<Record<string, number>>;
  /** Whether no other plotted trial is at least as good in every objective and better in one. */
  readonly front: boolean;
}

const frontLabel = 'Pareto front';
const dominatedLabel = 'dominated';

/** The objectives of the input; `invalidArgument` with the reason when there are fewer than two. */
function severalObjectives(input: AnalysisInput): readonly ObjectiveSpec[] {
  const objectives = input.objectives ?? [input.objective];
  if (objectives.length < 2) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `the pareto plot needs several objectives; experiment '${input.name}' has one (${input.objective.type} ${input.objective.metricName}): add objective.additionalObjectives to its spec, or draw --kind history`,
    );
  }
  return objectives;
}

/**
 * The Pareto plot's rows: every completed trial (as `hpo best` counts them) that has a finite value of every
 * objective, in creation order, marked when it is on the front of those rows (the same rule as `hpo best` and
 * `ExperimentReader.paretoFront()`, directions respected). Throws `invalidArgument` with one objective, or when no
 * completed trial has a value of every objective yet.
 */
export function paretoData(input: AnalysisInput): ParetoRow[] {
  const objectives = severalObjectives(input);
  const config = { objectives, metricStrategies: input.metricStrategies ?? {} };
  const rows: { trial: ParetoRow['trial']; number: number; state: string; vector: number[] }[] = [];
  for (const { trial } of scoredTrials(input)) {
    const vector = trialValues(config, trial);
    // A value that is not a number cannot sit on an axis: such a trial is left out, as it is off the front anyway.
    if (vector?.every(Number.isFinite))
      rows.push({ trial: trial.name, number: trial.seq + 1, state: trial.state, vector });
  }
  if (rows.length === 0) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `experiment '${input.name}' has no completed trial with a value of every objective (${objectives.map((o) => o.metricName).join(', ')}) yet; plot it once one has reported them all`,
    );
  }
  const front = new Set(
    paretoFrontIndices(
      rows.map((r) => r.vector),
      objectives.map((o) => o.type),
    ),
  );
  return rows.map((r, i) => ({
    trial: r.trial,
    number: r.number,
    state: r.state,
    values: valuesByMetric(objectives, r.vector),
    front: front.has(i),
  }));
}

/** An axis of objective `i`: its spec rows carry it as `o{i}`, since a metric name may hold dots or brackets. */
function axis(o: ObjectiveSpec, i: number): Record<string, unknown> {
  return { field: `o${i}`, type: 'quantitative', title: `${o.metricName} (${o.type})`, scale: { zero: false } };
}

/** The points of one panel: every row, the front in red and drawn on top. */
function pointsLayer(name: string, objectives: readonly ObjectiveSpec[], x: number, y: number): object {
  return {
    name,
    mark: { type: 'point', filled: true },
    encoding: {
      x: axis(objectives[x]!, x),
      y: axis(objectives[y]!, y),
      color: {
        field: 'member',
        type: 'nominal',
        title: null,
        scale: { domain: [frontLabel, dominatedLabel], range: ['#d62728', '#9ea3a8'] },
      },
      size: { condition: { test: 'datum.front', value: 70 }, value: 35 },
      // Front points drawn last, on top of the dominated ones that crowd them.
      order: { field: 'onTop', type: 'quantitative' },
      tooltip: [
        { field: 'trial', type: 'nominal' },
        ...objectives.map((o, i) => ({ field: `o${i}`, type: 'quantitative', title: o.metricName })),
      ],
    },
  };
}

/**
 * The Pareto plot. Two objectives: a scatter of the trials with the front in red, joined by the staircase that
 * bounds what the front attains (a step after each point when the x objective is minimised, before it when
 * maximised). Three or more: a scatter per pair of objectives, the front (over all of them) in red.
 */
export function paretoPlot(input: AnalysisInput): Plot<ParetoRow[]> {
  const data = paretoData(input);
  const objectives = severalObjectives(input);
  const rows = data.map((r) => ({
    trial: r.trial,
    number: r.number,
    front: r.front,
    member: r.front ? frontLabel : dominatedLabel,
    onTop: r.front ? 1 : 0,
    ...Object.fromEntries(objectives.map((o, i) => [`o${i}`, r.values[o.metricName]!])),
  }));
  const members = data.filter((r) => r.front).length;
  const subtitle = `${input.name}: ${objectives.map((o) => `${o.type} ${o.metricName}`).join(', ')}; ${members} of ${data.length} trials on the front`;
  const base = baseSpec('Pareto front', subtitle, rows);
  if (objectives.length === 2) {
    const spec = {
      ...base,
      width: 480,
      height: 320,
      layer: [
        {
          name: 'front',
          transform: [{ filter: 'datum.front' }],
          mark: {
            type: 'line',
            color: '#d62728',
            strokeWidth: 1.5,
            interpolate: objectives[0]!.type === 'minimize' ? 'step-after' : 'step-before',
          },
          // Joined in x order (ties by y), so the staircase runs along the front.
          encoding: {
            x: axis(objectives[0]!, 0),
            y: axis(objectives[1]!, 1),
            order: { field: 'o0', type: 'quantitative' },
          },
        },
        pointsLayer('trials', objectives, 0, 1),
      ],
    };
    return { kind: 'pareto', data, spec };
  }
  const panels: object[] = [];
  for (let x = 0; x < objectives.length; x++) {
    for (let y = x + 1; y < objectives.length; y++) {
      panels.push({ width: 220, height: 220, layer: [pointsLayer(`pair_${x}_${y}`, objectives, x, y)] });
    }
  }
  const spec = { ...base, columns: Math.min(3, panels.length), concat: panels };
  return { kind: 'pareto', data, spec };
}
