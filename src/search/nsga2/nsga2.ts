import type { Issue } from '../../common/issue.ts';
import { assignmentKey } from '../assignment.ts';
import { type LossHistory, lossVectors } from '../multiobjective/losses.ts';
import { derive, Rng } from '../rng.ts';
import type { Assignment } from '../space.ts';
import { Visited } from '../tpe/visited.ts';
import type {
  AlgorithmCapabilities,
  SearchAlgorithm,
  Settings,
  Suggestion,
  SuggestRequest,
  SuggestResult,
  ValidationContext,
} from '../types.ts';
import { type Nsga2Config, readNsga2, validateNsga2 } from './settings.ts';
import { type Population, selectSurvivors, tournament } from './survivors.ts';
import { breed } from './variation.ts';

/** Breeding attempts before a child that repeats an earlier trial is replaced by a random point. */
const rebreeds = 8;

/**
 * `nsga2` (ours; Katib has none): the elitist genetic algorithm of Deb et al. (2002), with NSGA-III's
 * reference-point niching (Deb and Jain 2014) instead of crowding distance for three or more objectives. With
 * one objective it is a plain elitist GA. Stateless: trial n belongs to generation ⌊n / population_size⌋ by its
 * creation index, and generation g's parents are the survivors of generation g − 1's parents together with
 * generation g − 1's finished trials, recomputed from the history on every request, so a restart, a resume or
 * another batch size gives the same population. Trials still running when their generation's successors are bred
 * are left out then and join the recomputation once finished (the elitism keeps them if they are good); failed
 * ones never breed. Generation 0, and any generation with no finished ancestor yet, is drawn at random.
 */
export class Nsga2Search implements SearchAlgorithm {
  readonly name: string = 'nsga2';
  readonly capabilities: AlgorithmCapabilities = { multiObjective: true };

  /** Checks the settings (see {@link readNsga2}); unknown names are rejected. */
  validate(settings: Settings, _ctx: ValidationContext): Issue[] {
    return validateNsga2(settings);
  }

  /** Returns exactly `req.count` children; trial n draws from a stream derived from (seed, n). */
  suggest(req: SuggestRequest): SuggestResult {
    const cfg = readNsga2(req.settings, req.seed);
    if (req.space.length === 0) return { suggestions: Array.from({ length: req.count }, () => ({ params: {} })) };
    const history = lossVectors(req.trials, req.objectives);
    const populations = new Generations(history, cfg);
    const visited = new Visited(req.space, req.trials);
    const seen = new Set(req.trials.map((t) => assignmentKey(req.space, t.params)));
    const variation = {
      crossover: cfg.crossover,
      crossoverEta: cfg.crossoverEta,
      mutation: cfg.mutation ?? 1 / req.space.length,
      mutationEta: cfg.mutationEta,
    };
    const suggestions: Suggestion[] = [];
    for (let i = 0; i < req.count; i++) {
      const index = req.trials.length + i;
      const generation = Math.floor(index / cfg.population);
      const rng = new Rng(derive(cfg.seed, 'nsga2', index));
      const parents = populations.at(generation);
      let s: Suggestion | undefined;
      if (parents.members.length > 0) {
        for (let attempt = 0; attempt < rebreeds && s === undefined; attempt++) {
          const a = history.trials[tournament(parents, rng)]!;
          const b = history.trials[tournament(parents, rng)]!;
          const params = breed(req.space, req.trials[a]!.params, req.trials[b]!.params, rng, variation);
          if (seen.has(assignmentKey(req.space, params)) || visited.wasted(params)) continue;
          const names = [req.trials[a]!.name, req.trials[b]!.name];
          s = {
            params,
            explain: { phase: 'offspring', generation, parents: names, population: parents.members.length },
          };
        }
      }
      s ??= {
        params: visited.fresh(rng),
        explain: { phase: parents.members.length > 0 ? 'random (every child repeated a trial)' : 'random', generation },
      };
      remember(req, s.params, seen, visited);
      suggestions.push(s);
    }
    return { suggestions };
  }
}

function remember(req: SuggestRequest, params: Assignment, seen: Set<string>, visited: Visited): void {
  seen.add(assignmentKey(req.space, params));
  visited.add(params);
}

/** The parent population of each generation, built up from generation 1 and kept for the request's batch. */
class Generations {
  private readonly byGeneration: number[][] = [];
  private readonly populations: Population[] = [{ members: [], rank: [], crowding: [] }];

  constructor(
    private readonly history: LossHistory,
    private readonly cfg: Nsga2Config,
  ) {
    history.trials.forEach((trialIndex, k) => {
      const g = Math.floor(trialIndex / cfg.population);
      const members = this.byGeneration[g] ?? [];
      members.push(k);
      this.byGeneration[g] = members;
    });
  }

  /** The parents of generation `g`: the best `population_size` of generation g − 1's parents and finished trials. */
  at(g: number): Population {
    while (this.populations.length <= g) {
      const h = this.populations.length;
      const previous = this.populations[h - 1]!;
      const candidates = [...previous.members, ...(this.byGeneration[h - 1] ?? [])];
      // The niching of NSGA-III draws ties at random: a stream per generation keeps that independent of batches.
      const rng = new Rng(derive(this.cfg.seed, 'nsga2-survivors', h));
      this.populations.push(selectSurvivors(this.history.losses, candidates, this.cfg.population, rng));
    }
    return this.populations[g]!;
  }
}
