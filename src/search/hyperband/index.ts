import type { SearchAlgorithm } from '../types.ts';
import { HyperbandSearch } from './hyperband.ts';

export { withBudget, writtenBudget } from './budget.ts';
export { type HyperbandOptions, HyperbandSearch, mergeDefaults, readScheduleOrThrow } from './hyperband.ts';
export { hyperbandLabels, isFinished, lossOf, type SlotKey, slotOf } from './ledger.ts';
export { type FirstRungSampler, type PlanInput, type Proposal, planSuggestions } from './planner.ts';
export { type Bracket, bracket, brackets, loopBudget, maxBracket, type Rung, type ScheduleParams } from './schedule.ts';
export { type HyperbandConfig, type HyperbandParse, parseHyperband } from './settings.ts';
export type { CurrentRung, RungRecord, ScheduleState } from './state.ts';

/** A fresh Katib `hyperband` algorithm (real successive halving), for `builtinAlgorithms`. */
export function createHyperband(): SearchAlgorithm {
  return new HyperbandSearch();
}
