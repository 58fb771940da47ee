import { createNsga2 } from '../../../src/search/nsga2/index.ts';
import { describeSearchAlgorithm } from '../../../src/testing/describeSearchAlgorithm.ts';

// The suite's improvement check runs 40 trials on Branin: generations of 8 give the GA four bred generations.
describeSearchAlgorithm('nsga2', createNsga2, { settings: { population_size: '8' } });
describeSearchAlgorithm('nsga2 (settings)', createNsga2, {
  settings: {
    population_size: '6',
    crossover_probability: '0.7',
    crossover_eta: '10',
    mutation_probability: '0.3',
    mutation_eta: '5',
    random_state: '4',
  },
  ignoresSeed: true,
  skipImprovementCheck: true,
});
