import type { SearchSpace } from '../../search/space.ts';
import type { TrialState, TrialView } from '../../search/types.ts';
import { fromAssignmentList } from './assignments.ts';
import type { TrialMessage } from './messages.ts';
import type { EntryKind, IssuedEntry } from './state.ts';
import { byStartTime, toTrialView } from './trials.ts';

/**
 * The history an algorithm is promised ("every trial created so far, in creation order, in every state") rebuilt
 * from what Katib sends, which is less:
 * - Katib leaves out MetricsUnavailable trials, and EarlyStopped ones without an observation (its ConvertTrials).
 * - Katib raises `Suggestion.spec.requests` before it creates the trials of the assignments it already has, so a
 *   request can arrive before the trials of the previous reply exist.
 * - Katib lists trials by name, not creation order.
 * Every assignment we hand out is named by us (Katib ≥ 0.14 uses `trial_name`) and recorded in the state, so each
 * recorded trial is found by name. One that is missing was hidden when its trial has been seen before, or when a
 * later one has (Katib creates trials in assignment order): it is given back as MetricsUnavailable. A missing one
 * at the end that was never seen is taken as not created yet (Pending) until `overdue` says it has been missing
 * too long to be that (then it too is MetricsUnavailable, so an algorithm waiting on it is not stuck forever).
 */

/** What {@link buildHistory} reads. */
export interface HistoryInput {
  readonly space: SearchSpace;
  readonly metricName: string;
  readonly trials: readonly TrialMessage[];
  readonly issued: readonly IssuedEntry[];
  /** Whether the never-seen entry at `index` has been missing for longer than trial creation takes. */
  readonly overdue: (index: number) => boolean;
}

/** The rebuilt history. */
export interface History {
  /** Trials we did not issue (start order) followed by ours (issue order). */
  readonly trials: TrialView[];
  /** `issued` with `s` set on every entry whose trial this request showed. */
  readonly issued: IssuedEntry[];
  /** Indexes of the entries at the end that no request has shown yet (Pending, or MetricsUnavailable once overdue). */
  readonly unseen: number[];
  /** Every trial name in the request or the record, for choosing new names. */
  readonly names: Set<string>;
  /** What each entry of `issued` is now, for compacting the record (state.ts `compactIssued`). */
  readonly kinds: EntryKind[];
}

function standIn(space: SearchSpace, e: IssuedEntry, state: TrialState): TrialView {
  const params = fromAssignmentList(
    space,
    space.map((p, i) => ({ name: p.name, value: e.v[i] ?? '' })),
  );
  const view: TrialView = { name: e.n, params, state };
  return e.l === undefined ? view : { ...view, labels: { ...e.l } };
}

/** Rebuilds the history of a GetSuggestions request; see the module comment for the rules. */
export function buildHistory(input: HistoryInput): History {
  const sorted = byStartTime(input.trials);
  const views = sorted.map((t) => toTrialView(input.space, input.metricName, t));
  const index = new Map<string, number>();
  views.forEach((v, i) => {
    if (!index.has(v.name)) index.set(v.name, i);
  });
  const matched = input.issued.map((e) => index.get(e.n));
  let lastSeen = -1;
  input.issued.forEach((e, i) => {
    if (matched[i] !== undefined || e.s === 1) lastSeen = i;
  });
  const used = new Set<number>();
  const ours: TrialView[] = [];
  const issued: IssuedEntry[] = [];
  const unseen: number[] = [];
  const kinds: EntryKind[] = [];
  input.issued.forEach((e, i) => {
    const at = matched[i];
    if (at !== undefined && !used.has(at)) {
      used.add(at);
      const view = views[at] as TrialView;
      ours.push(view);
      issued.push(e.s === 1 ? e : { ...e, s: 1 });
      kinds.push(settled(view) ? 'settled' : 'live');
      return;
    }
    issued.push(e);
    if (i > lastSeen) unseen.push(i);
    const hidden = i <= lastSeen || input.overdue(i);
    ours.push(standIn(input.space, e, hidden ? 'MetricsUnavailable' : 'Pending'));
    kinds.push(i <= lastSeen ? 'hidden' : 'unseen');
  });
  const foreign = views.filter((_, i) => !used.has(i));
  const names = new Set([...views.map((v) => v.name), ...input.issued.map((e) => e.n)]);
  return { trials: [...foreign, ...ours], issued, unseen, names, kinds };
}

/**
 * Whether Katib will send this trial, unchanged, in every later request: a finished trial it does not hide (all but
 * MetricsUnavailable, and EarlyStopped without an observation). Its record entry is then redundant.
 */
function settled(view: TrialView): boolean {
  const s = view.state;
  return (
    s === 'Succeeded' || s === 'Failed' || s === 'Killed' || (s === 'EarlyStopped' && view.objective !== undefined)
  );
}
