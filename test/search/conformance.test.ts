import { GridSearch } from '../../src/search/grid.ts';
import { RandomSearch } from '../../src/search/random.ts';
import { SobolSearch } from '../../src/search/sobol.ts';
import { steppedMixedSpace } from '../../src/testing/benchmarks.ts';
import { describeSearchAlgorithm } from '../../src/testing/describeSearchAlgorithm.ts';

// Random search is the baseline of the improvement check, and grid and sobol only cover the space: none optimises.
describeSearchAlgorithm('random', () => new RandomSearch(), { skipImprovementCheck: true });
describeSearchAlgorithm('random (random_state)', () => new RandomSearch(), {
  skipImprovementCheck: true,
  settings: { random_state: '7' },
  ignoresSeed: true,
});
describeSearchAlgorithm('sobol', () => new SobolSearch(), { skipImprovementCheck: true });
describeSearchAlgorithm('grid', () => new GridSearch(), {
  space: steppedMixedSpace,
  skipImprovementCheck: true,
  ignoresSeed: true,
});
describeSearchAlgorithm('grid (random_state)', () => new GridSearch(), {
  space: steppedMixedSpace,
  settings: { random_state: '3' },
  skipImprovementCheck: true,
  ignoresSeed: true,
});
