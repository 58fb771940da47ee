import type { Assignment } from '../space.ts';
import type { Suggestion, SuggestRequest, SuggestResult, TrialView } from '../types.ts';
import { withBudget } from './budget.ts';
import {
  indexBySlot,
  isFinished,
  lastKilled,
  occupant,
  rankByLoss,
  type SlotKey,
  slotId,
  slotLabels,
} from './ledger.ts';
import { type Bracket, brackets } from './schedule.ts';
import type { HyperbandConfig } from './settings.ts';
import { fingerprint, priorParams, type RungRecord, type ScheduleState } from './state.ts';

/**
 * The successive-halving schedule shared by Hyperband and BOHB. Each request walks the schedule from the start
 * against the labelled history: a rung is finished when every slot holds a finished trial; the first unfinished
 * rung is the one in progress, and its free slots are what gets proposed. Promotions wait for the whole rung
 * (Li et al. 2018), so while trials run the answer is short. Katib rejects `parallelTrialCount < ⌈η^s_max⌉`;
 * we accept any parallelism and simply queue: a rung larger than the free slots is proposed over several requests.
 */

/** A first-rung configuration and, optionally, why it was chosen. */
export interface Proposal {
  readonly params: Assignment;
  readonly explain?: Readonly<Record<string, unknown>>;
}

/** Proposes the config of a free first-rung slot (random for Hyperband, the KDE model for BOHB). */
export type FirstRungSampler = (key: SlotKey) => Proposal;

/** What {@link planSuggestions} needs. */
export interface PlanInput {
  readonly algorithm: string;
  readonly config: HyperbandConfig;
  /** The seed the state is tied to (random_state or the request's). */
  readonly seed: number;
  readonly request: SuggestRequest;
  readonly sample: FirstRungSampler;
}

/** A rung being walked: its place, its budget and the trial in each slot. */
interface RungView {
  readonly loop: number;
  readonly bracket: number;
  readonly rung: number;
  readonly budget: number;
  readonly size: number;
  readonly occupants: readonly (TrialView | undefined)[];
}

function record(view: RungView, promoted?: readonly TrialView[]): RungRecord {
  const trials = view.occupants.map((t) => t?.name ?? null);
  const base = { loop: view.loop, bracket: view.bracket, rung: view.rung, budget: view.budget, trials };
  return promoted === undefined ? base : { ...base, promoted: promoted.map((t) => t.name) };
}

/** Proposes the free slots of the rung in progress, finished rungs first, so the schedule never skips ahead. */
export function planSuggestions(input: PlanInput): SuggestResult {
  const { request, config } = input;
  const index = indexBySlot(request.trials);
  const records: RungRecord[] = [];
  const eta = config.schedule.eta;
  const table = brackets(config.schedule);
  for (let loop = 0; loop < config.loops; loop++) {
    for (const b of table) {
      let parents: readonly TrialView[] = [];
      for (let i = 0; i < b.rungs.length; i++) {
        const view = walkRung(index, loop, b, i);
        if (!view.occupants.every((t) => t !== undefined && isFinished(t))) {
          return fill(input, index, view, parents, records);
        }
        const last = i === b.rungs.length - 1;
        const order = rankByLoss(view.occupants as TrialView[], request.objective);
        parents = last ? [] : order.slice(0, Math.floor(view.size / eta)).map((k) => view.occupants[k] as TrialView);
        records.push(record(view, last ? undefined : parents));
      }
    }
  }
  const state: ScheduleState = {
    kind: 'hyperband-schedule',
    version: 1,
    algorithm: input.algorithm,
    fingerprint: fingerprint(input.algorithm, config, input.seed),
    rungs: records,
  };
  return { suggestions: [], state, exhausted: true };
}

function walkRung(index: ReadonlyMap<string, TrialView[]>, loop: number, b: Bracket, i: number): RungView {
  const rung = b.rungs[i] as Bracket['rungs'][number];
  const occupants: (TrialView | undefined)[] = [];
  for (let slot = 0; slot < rung.size; slot++) {
    occupants.push(occupant(index.get(slotId({ loop, bracket: b.s, rung: i, slot }))));
  }
  return { loop, bracket: b.s, rung: i, budget: rung.budget, size: rung.size, occupants };
}

/** Fills up to `count` free slots of the rung in progress and records the rung's configs in the state. */
function fill(
  input: PlanInput,
  index: ReadonlyMap<string, TrialView[]>,
  view: RungView,
  parents: readonly TrialView[],
  records: RungRecord[],
): SuggestResult {
  const { request, config } = input;
  const print = fingerprint(input.algorithm, config, input.seed);
  const prior = priorParams(request.state, print, view);
  const params: (Assignment | null)[] = [];
  const suggestions: Suggestion[] = [];
  for (let slot = 0; slot < view.size; slot++) {
    const held = view.occupants[slot];
    if (held !== undefined) {
      params.push(held.params);
      continue;
    }
    const key: SlotKey = { loop: view.loop, bracket: view.bracket, rung: view.rung, slot };
    const parent = parents[slot];
    if (suggestions.length >= request.count) {
      // Not proposed now, but a config already promised to this slot must survive until it is.
      params.push(prior[slot] ?? null);
      continue;
    }
    const killed = lastKilled(index.get(slotId(key)));
    const promised = killed?.params ?? prior[slot] ?? undefined;
    const proposal: Proposal =
      promised !== undefined
        ? { params: promised, explain: { reissued: true } }
        : parent !== undefined
          ? { params: parent.params, explain: { promotedFrom: parent.name } }
          : input.sample(key);
    const written = withBudget(request.space, config.resource, proposal.params, view.budget);
    params.push(written.params);
    const base: Suggestion = {
      params: written.params,
      budget: written.budget,
      labels: slotLabels(key),
      explain: { ...key, budget: written.budget, ...(proposal.explain ?? {}) },
    };
    suggestions.push(parent === undefined ? base : { ...base, parent: parent.name });
  }
  records.push(record(view));
  const state: ScheduleState = {
    kind: 'hyperband-schedule',
    version: 1,
    algorithm: input.algorithm,
    fingerprint: print,
    rungs: records,
    current: { loop: view.loop, bracket: view.bracket, rung: view.rung, budget: view.budget, params },
  };
  return { suggestions, state };
}
