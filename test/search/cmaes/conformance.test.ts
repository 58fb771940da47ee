import { CmaesSearch } from '../../../src/search/cmaes/index.ts';
import { describeSearchAlgorithm } from '../../../src/testing/describeSearchAlgorithm.ts';

// The shared suite, improvement check on: CMA-ES must beat random search on Branin after 40 trials.
describeSearchAlgorithm('cmaes', () => new CmaesSearch());
describeSearchAlgorithm('cmaes (bipop, sigma 0.3, random_state)', () => new CmaesSearch(), {
  settings: { restart_strategy: 'bipop', sigma: '0.3', random_state: '11' },
  ignoresSeed: true,
});
