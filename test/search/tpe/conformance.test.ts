import { createMultivariateTpe, createTpe } from '../../../src/search/tpe/index.ts';
import { describeSearchAlgorithm } from '../../../src/testing/describeSearchAlgorithm.ts';

describeSearchAlgorithm('tpe', createTpe);
describeSearchAlgorithm('tpe (settings)', createTpe, {
  settings: { gamma: '0.3', prior_weight: '0.5', n_EI_candidates: '16' },
});
describeSearchAlgorithm('multivariate-tpe', createMultivariateTpe);
describeSearchAlgorithm('multivariate-tpe (settings)', createMultivariateTpe, {
  settings: { n_startup_trials: '5', n_ei_candidates: '32' },
});
