import type { ObjectiveSpec, TrialView } from '../types.ts';

/**
 * Which trial belongs to which place of the schedule. Every trial Hyperband proposes carries labels naming its
 * slot (loop, bracket, rung, index in the rung), so the schedule is read back from the history by label, never
 * by matching parameter values (which breaks on duplicates, as Katib's goptuna matching does).
 */

/** The label keys of a slot; `bracket` and `rung` are the ones a user filters on. */
export const hyperbandLabels: {
  readonly loop: 'hyperband.hpo/loop';
  readonly bracket: 'hyperband.hpo/bracket';
  readonly rung: 'hyperband.hpo/rung';
  readonly slot: 'hyperband.hpo/slot';
} = {
  loop: 'hyperband.hpo/loop',
  bracket: 'hyperband.hpo/bracket',
  rung: 'hyperband.hpo/rung',
  slot: 'hyperband.hpo/slot',
};

/** One place in the schedule: the `slot`-th trial of rung `rung` of bracket `bracket` in loop `loop`. */
export interface SlotKey {
  readonly loop: number;
  readonly bracket: number;
  readonly rung: number;
  readonly slot: number;
}

/** A compact string id of a slot, for maps. */
export function slotId(key: SlotKey): string {
  return `${key.loop}/${key.bracket}/${key.rung}/${key.slot}`;
}

/** The labels a suggestion for `key` carries. */
export function slotLabels(key: SlotKey): Record<string, string> {
  return {
    [hyperbandLabels.loop]: String(key.loop),
    [hyperbandLabels.bracket]: String(key.bracket),
    [hyperbandLabels.rung]: String(key.rung),
    [hyperbandLabels.slot]: String(key.slot),
  };
}

function labelInt(labels: Readonly<Record<string, string>>, key: string): number | undefined {
  const text = labels[key];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** The slot a trial was proposed for, or undefined for a trial that is not ours (no or malformed labels). */
export function slotOf(trial: TrialView): SlotKey | undefined {
  const labels = trial.labels;
  if (labels === undefined) return undefined;
  const loop = labelInt(labels, hyperbandLabels.loop);
  const bracket = labelInt(labels, hyperbandLabels.bracket);
  const rung = labelInt(labels, hyperbandLabels.rung);
  const slot = labelInt(labels, hyperbandLabels.slot);
  if (loop === undefined || bracket === undefined || rung === undefined || slot === undefined) return undefined;
  return { loop, bracket, rung, slot };
}

/** The history's trials by slot id, each list in creation order. */
export function indexBySlot(trials: readonly TrialView[]): Map<string, TrialView[]> {
  const index = new Map<string, TrialView[]>();
  for (const t of trials) {
    const key = slotOf(t);
    if (key === undefined) continue;
    const id = slotId(key);
    const list = index.get(id);
    if (list === undefined) index.set(id, [t]);
    else list.push(t);
  }
  return index;
}

/** The trial holding a slot: the latest one that was not Killed (a Killed trial gives its slot back). */
export function occupant(list: readonly TrialView[] | undefined): TrialView | undefined {
  if (list === undefined) return undefined;
  for (let k = list.length - 1; k >= 0; k--) if (list[k]?.state !== 'Killed') return list[k];
  return undefined;
}

/** The latest Killed trial of a slot: its params are proposed again, so an interrupted trial reruns the same config. */
export function lastKilled(list: readonly TrialView[] | undefined): TrialView | undefined {
  if (list === undefined) return undefined;
  for (let k = list.length - 1; k >= 0; k--) if (list[k]?.state === 'Killed') return list[k];
  return undefined;
}

/** True when a trial has finished for good: every completed state except Killed, whose slot is reissued. */
export function isFinished(t: TrialView): boolean {
  return (
    t.state === 'Succeeded' || t.state === 'Failed' || t.state === 'EarlyStopped' || t.state === 'MetricsUnavailable'
  );
}

/**
 * A trial's loss (lower is better, the objective negated when maximising). Only Succeeded and EarlyStopped trials
 * with a finite objective count; everything else (Failed, MetricsUnavailable, no value) is the worst: +Infinity.
 */
export function lossOf(t: TrialView, objective: ObjectiveSpec): number {
  const usable = (t.state === 'Succeeded' || t.state === 'EarlyStopped') && Number.isFinite(t.objective);
  if (!usable || t.objective === undefined) return Number.POSITIVE_INFINITY;
  return objective.type === 'maximize' ? -t.objective : t.objective;
}

/** Indices of `trials` from best to worst; ties keep slot order, so the ranking is deterministic. */
export function rankByLoss(trials: readonly TrialView[], objective: ObjectiveSpec): number[] {
  const losses = trials.map((t) => lossOf(t, objective));
  return losses
    .map((_, k) => k)
    .sort((a, b) => {
      const la = losses[a] as number;
      const lb = losses[b] as number;
      if (la === lb) return a - b;
      return la < lb ? -1 : 1;
    });
}
