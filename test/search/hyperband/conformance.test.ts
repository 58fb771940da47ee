import { HyperbandSearch } from '../../../src/search/hyperband/hyperband.ts';
import { describeSearchAlgorithm } from '../../../src/testing/describeSearchAlgorithm.ts';

// The suite's mixed space has an int `units` (8..512): it serves as the resource, so every budget (8, 16, …, 512)
// is a valid value and the first rung (64 configs) is larger than any request the suite makes.
const settings = { resource_name: 'units', r_l: '512', r_min: '8', eta: '2' };

// The suite checks that validate({}) passes, but Katib requires r_l and resource_name; a preset supplies them
// here (the built-in registry uses no preset, so an Experiment must set them).
describeSearchAlgorithm('hyperband', () => new HyperbandSearch({ defaults: settings }), {
  settings,
  // Hyperband samples at random: random search itself is its baseline. Its gain comes from cheap low-budget
  // trials, and the suite's objective ignores the budget, so "beats random at equal trial count" does not apply
  // (see hyperband.test.ts and bohb.test.ts for multi-fidelity quality checks).
  skipImprovementCheck: true,
});
