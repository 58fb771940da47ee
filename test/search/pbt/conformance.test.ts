import { PbtSearch } from '../../../src/search/pbt/index.ts';
import type { SearchAlgorithm, Settings } from '../../../src/search/types.ts';
import { describeSearchAlgorithm } from '../../../src/testing/describeSearchAlgorithm.ts';

/**
 * The suite's settings: a population of 8 (not Katib's minimum 5) because the suite asks for up to 7 suggestions
 * from an empty history and expects them all, and PBT proposes at most one generation at a time.
 */
const settings: Settings = { suggestion_trial_dir: '/ckpt', n_population: '8', truncation_threshold: '0.25' };

/**
 * PBT's three settings are required (Katib rejects an Experiment without them), but the suite checks that
 * `validate({})` passes. This wrapper supplies them as defaults under whatever the suite sends; the rejection
 * of missing settings is tested in settings.test.ts.
 */
function pbtWithRequiredSettings(): SearchAlgorithm {
  const pbt = new PbtSearch();
  return {
    name: pbt.name,
    validate: (s, ctx) => pbt.validate({ ...settings, ...s }, ctx),
    suggest: (req) => pbt.suggest({ ...req, settings: { ...settings, ...req.settings } }),
  };
}

// The improvement check is skipped: its objective is a plain function of the parameters, with no training to
// continue, so PBT's point (a child resumes its parent's checkpoint) does not apply, and members that continue
// unchanged re-evaluate the same point. On such an objective PBT is a crude evolutionary search, not a method to
// compare with random search.
describeSearchAlgorithm('pbt', pbtWithRequiredSettings, { settings, skipImprovementCheck: true });
