import type { SearchSpace } from '../../../src/search/space.ts';
import type {
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestResult,
  TrialState,
  TrialView,
} from '../../../src/search/types.ts';
import { makeRequest } from '../../../src/testing/askTell.ts';

/**
 * A hand-driven stand-in for the controller: it turns suggestions into trials (keeping budget, parent and labels,
 * as the real controller does), lets a test finish them in any state, and passes the state back as the store would.
 */
export class Driver {
  readonly trials: TrialView[] = [];
  state: unknown;
  readonly algorithm: SearchAlgorithm;
  readonly space: SearchSpace;
  readonly settings: Settings;
  readonly type: 'minimize' | 'maximize';
  readonly seed: number;

  constructor(options: {
    readonly algorithm: SearchAlgorithm;
    readonly space: SearchSpace;
    readonly settings: Settings;
    readonly type?: 'minimize' | 'maximize';
    readonly seed?: number;
  }) {
    this.algorithm = options.algorithm;
    this.space = options.space;
    this.settings = options.settings;
    this.type = options.type ?? 'minimize';
    this.seed = options.seed ?? 1;
  }

  /** One request with the current history and state (or `given.state`, which may be undefined), recording nothing. */
  async peek(count: number, given: { readonly state: unknown } = { state: this.state }): Promise<SuggestResult> {
    const state = given.state;
    const request = makeRequest({
      space: this.space,
      trials: this.trials,
      count,
      seed: this.seed,
      settings: this.settings,
      type: this.type,
      state,
    });
    return await this.algorithm.suggest(request);
  }

  /** Asks for `count`, keeps the returned state (through JSON, as the store keeps it) and creates Pending trials. */
  async ask(count: number): Promise<SuggestResult> {
    const result = await this.peek(count);
    this.state = result.state === undefined ? undefined : JSON.parse(JSON.stringify(result.state));
    for (const s of result.suggestions) this.trials.push(trialOf(s, `trial-${this.trials.length}`, 'Pending'));
    return result;
  }

  /** Finishes a trial by name in `state`, with `objective` when given. */
  finish(name: string, state: TrialState, objective?: number): void {
    const k = this.trials.findIndex((t) => t.name === name);
    const t = this.trials[k];
    if (t === undefined) throw new Error(`no trial ${name}`);
    const { objective: _old, ...rest } = t;
    this.trials[k] = objective === undefined ? { ...rest, state } : { ...rest, state, objective };
  }

  /** Finishes every unfinished trial as Succeeded with `f(params)`. */
  finishAll(f: (t: TrialView) => number): void {
    for (const t of this.trials)
      if (t.state === 'Pending' || t.state === 'Running') this.finish(t.name, 'Succeeded', f(t));
  }

  /** Asks and finishes (Succeeded, `f`) until the algorithm is exhausted; returns the number of requests. */
  async runToEnd(f: (t: TrialView) => number, count = 1, limit = 10_000): Promise<number> {
    for (let k = 0; k < limit; k++) {
      const result = await this.ask(count);
      if (result.exhausted === true) return k + 1;
      this.finishAll(f);
    }
    throw new Error('the algorithm never ended');
  }
}

/** A trial as the controller would create it from a suggestion. */
export function trialOf(s: Suggestion, name: string, state: TrialState, objective?: number): TrialView {
  return {
    name,
    params: s.params,
    state,
    ...(objective === undefined ? {} : { objective }),
    ...(s.budget === undefined ? {} : { budget: s.budget }),
    ...(s.parent === undefined ? {} : { parent: s.parent }),
    ...(s.labels === undefined ? {} : { labels: s.labels }),
  };
}

/** The (bracket, rung) of a trial or suggestion, as `s/i`. */
export function place(x: { readonly labels?: Readonly<Record<string, string>> }): string {
  return `${x.labels?.['hyperband.hpo/bracket']}/${x.labels?.['hyperband.hpo/rung']}`;
}
