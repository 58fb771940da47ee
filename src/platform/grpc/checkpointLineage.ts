import { generationLabel, parentLabel } from '../../search/pbt/pbt.ts';
import type { ObjectiveSpec, TrialState, TrialView } from '../../search/types.ts';

/**
 * Which PBT checkpoint folders on the suggestion volume are dead: no trial will ever be seeded from them again.
 * Katib's pbt service never removes a folder, so a long experiment fills the suggestion PVC (5 Gi in the default
 * katib-config) with checkpoints nobody reads. Our PBT (src/search/pbt) takes every parent from the generation just
 * before the one it builds, and a failed member is re-queued with its old parent, so while generation G is the
 * newest, only trials of G and G-1 can still be copied. The rule here only reads the generation and parent labels
 * PBT puts on every trial, so it holds for any algorithm that labels the same way, and leaves alone trials without
 * them.
 */

/** What {@link deadCheckpoints} decides from. */
export interface LineageInput {
  /** Every trial of the request, as the history has it (labels included). */
  readonly trials: readonly TrialView[];
  /** The assignments of this reply: their generation counts, and their parents are still wanted. */
  readonly issued: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[];
  /** The newest generations whose folders are all kept (at least 2: parents and their re-queued children). */
  readonly keepGenerations: number;
  /** The experiment's objective: the best trial's folder is always kept (it is the result). */
  readonly objective: ObjectiveSpec;
}

/** States after which a trial never writes its folder again. */
const finished: ReadonlySet<TrialState> = new Set<TrialState>([
  'Succeeded',
  'Failed',
  'Killed',
  'EarlyStopped',
  'MetricsUnavailable',
]);

/** A trial's generation from its label, or undefined when it has none (not a PBT trial). */
function generationOf(labels: Readonly<Record<string, string>> | undefined): number | undefined {
  const text = labels?.[generationLabel];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** The finished trial with the best objective, if any. */
function bestTrial(trials: readonly TrialView[], objective: ObjectiveSpec): string | undefined {
  let best: TrialView | undefined;
  for (const t of trials) {
    if (t.objective === undefined || Number.isNaN(t.objective) || !finished.has(t.state)) continue;
    if (best === undefined) best = t;
    else if (objective.type === 'maximize' ? t.objective > (best.objective ?? 0) : t.objective < (best.objective ?? 0))
      best = t;
  }
  return best?.name;
}

/**
 * The trials whose checkpoint folders can go, oldest generation first: finished, with a generation label more
 * than `keepGenerations - 1` below the newest generation, not the best trial, and not the parent of a trial that
 * is still running or is being handed out now.
 */
export function deadCheckpoints(input: LineageInput): string[] {
  const keep = Math.max(2, Math.floor(input.keepGenerations));
  const generations = [...input.trials.map((t) => t.labels), ...input.issued.map((a) => a.labels)]
    .map(generationOf)
    .filter((g): g is number => g !== undefined);
  if (generations.length === 0) return [];
  const newest = Math.max(...generations);
  const wanted = new Set<string>();
  const best = bestTrial(input.trials, input.objective);
  if (best !== undefined) wanted.add(best);
  for (const t of input.trials) {
    const parent = t.labels?.[parentLabel];
    if (parent !== undefined && parent !== '' && !finished.has(t.state)) wanted.add(parent);
  }
  for (const a of input.issued) {
    const parent = a.labels[parentLabel];
    if (parent !== undefined && parent !== '') wanted.add(parent);
  }
  return input.trials
    .map((t) => ({ t, g: generationOf(t.labels) }))
    .filter(
      (x): x is { t: TrialView; g: number } =>
        x.g !== undefined && x.g <= newest - keep && finished.has(x.t.state) && !wanted.has(x.t.name),
    )
    .sort((a, b) => a.g - b.g)
    .map((x) => x.t.name);
}
