import { PbtSearch } from '../../../src/search/pbt/index.ts';
import type { SearchSpace } from '../../../src/search/space.ts';
import type { Settings, SuggestResult, TrialState, TrialView } from '../../../src/search/types.ts';
import { deepFreeze } from '../../../src/testing/askTell.ts';

/** A small space with every kind of domain PBT explores. */
export const space: SearchSpace = [
  { name: 'lr', domain: { kind: 'double', min: 1e-4, max: 1, scale: 'logUniform' } },
  { name: 'momentum', domain: { kind: 'double', min: 0.5, max: 0.99, step: 0.01, scale: 'uniform' } },
  { name: 'layers', domain: { kind: 'int', min: 1, max: 8, step: 1, scale: 'uniform' } },
  { name: 'opt', domain: { kind: 'categorical', values: ['sgd', 'adam', 'rmsprop'] } },
  { name: 'batch', domain: { kind: 'discrete', values: [16, 32, 64] } },
];

/** The settings most tests use; `extra` overrides or adds. */
export function pbtSettings(extra: Record<string, string> = {}): Settings {
  return {
    suggestion_trial_dir: '/var/log/katib/checkpoints/',
    n_population: '6',
    truncation_threshold: '0.34',
    ...extra,
  };
}

/** A stand-in controller: it creates trials from suggestions (under their names) and keeps the state as JSON text. */
export class Sim {
  readonly trials: TrialView[] = [];
  readonly results: SuggestResult[] = [];
  private stateText: string | undefined;
  private readonly algorithm = new PbtSearch();

  constructor(
    readonly options: {
      readonly settings: Settings;
      readonly seed?: number;
      readonly type?: 'minimize' | 'maximize';
      readonly experiment?: string;
      readonly space?: SearchSpace;
      /** Names trials itself (`trial-<n>`) instead of using the suggested names, like an ask/tell loop. */
      readonly rename?: boolean;
    },
  ) {}

  /** Asks for `count` suggestions and creates a Pending trial for each. */
  ask(count: number): SuggestResult {
    const objective = { type: this.options.type ?? 'minimize', metricName: 'loss' } as const;
    const request = {
      experiment: this.options.experiment ?? 'demo',
      space: this.options.space ?? space,
      objectives: [objective],
      objective,
      trials: structuredClone(this.trials),
      count,
      seed: this.options.seed ?? 1,
      settings: this.options.settings,
      parallelTrialCount: Math.max(1, count),
      ...(this.stateText === undefined ? {} : { state: JSON.parse(this.stateText) as unknown }),
    };
    const result = this.algorithm.suggest(deepFreeze(request));
    this.results.push(result);
    this.stateText = result.state === undefined ? undefined : JSON.stringify(result.state);
    for (const s of result.suggestions) {
      const name = this.options.rename === true ? `trial-${this.trials.length}` : (s.name as string);
      this.trials.push({
        name,
        params: s.params,
        state: 'Pending',
        ...(s.parent === undefined ? {} : { parent: s.parent }),
        ...(s.labels === undefined ? {} : { labels: s.labels }),
      });
    }
    return result;
  }

  /** The trial called `name`; throws when there is none. */
  trial(name: string): TrialView {
    const t = this.trials.find((x) => x.name === name);
    if (t === undefined) throw new Error(`no trial ${name}`);
    return t;
  }

  /** Ends trial `name` in `state`, with `objective` when given. */
  finish(name: string, state: TrialState, objective?: number): void {
    const i = this.trials.findIndex((x) => x.name === name);
    const t = this.trials[i];
    if (t === undefined) throw new Error(`no trial ${name}`);
    const { objective: _old, ...rest } = t;
    this.trials[i] = objective === undefined ? { ...rest, state } : { ...rest, state, objective };
  }

  /** Ends every Pending trial as Succeeded with `score(trial)`. */
  succeedAll(score: (t: TrialView) => number): void {
    for (const t of [...this.trials]) if (t.state === 'Pending') this.finish(t.name, 'Succeeded', score(t));
  }

  /** Runs whole generations: ask for `batch` at a time, succeed every trial, until `trials` exist. */
  run(trials: number, batch: number, score: (t: TrialView) => number): void {
    while (this.trials.length < trials) {
      const result = this.ask(Math.min(batch, trials - this.trials.length));
      if (result.exhausted === true) return;
      if (result.suggestions.length === 0) throw new Error('pbt proposed nothing although every trial had finished');
      this.succeedAll(score);
    }
  }
}
