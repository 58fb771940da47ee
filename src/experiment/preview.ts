/**
 * The trials an Experiment would start with, without storing or running anything: what `hpo run --dry-run`
 * renders and what a notebook user can inspect before a run.
 */

import { dirname } from 'node:path';
import { throwIfIssues } from '../common/errors.ts';
import type { Assignment } from '../search/space.ts';
import { type ExperimentConfig, statelessSeed, suggestRequest } from '../spec/config.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import { SuggestionHost } from '../suggestion/host.ts';
import { resolveAlgorithm } from '../suggestion/registry.ts';
import { trialName } from '../trial/naming.ts';
import { constrainedSuggest } from './constrainedSuggest.ts';
import { parseForThisInstallation } from './prepare.ts';

/** One trial of a preview: its name and parameter assignment. */
export interface PreviewTrial {
  readonly name: string;
  readonly params: Assignment;
}

/**
 * The first request the controller would make (`parallelTrialCount` trials, capped by `maxTrialCount`), asked of
 * the experiment's algorithm in its worker. Throws `invalidSpec` with every issue when the Experiment is invalid.
 * No record holds a drawn seed here, so an Experiment without `random_state` is seeded from its name, as the
 * Katib service seeds it.
 */
export async function previewTrials(
  input: ExperimentManifest,
  options: { sourcePath?: string } = {},
): Promise<{ config: ExperimentConfig; trials: PreviewTrial[] }> {
  const parsed = parseForThisInstallation(input);
  throwIfIssues(parsed.issues, `Experiment '${input.metadata?.name}'`);
  const config = parsed.config!;
  const baseDir = options.sourcePath ? dirname(options.sourcePath) : process.cwd();
  const { ref, settings } = resolveAlgorithm(config.algorithm.name, config.algorithm.settings, baseDir);
  const seed = statelessSeed(config);
  const count = Math.min(config.budget.parallelTrialCount, config.budget.maxTrialCount ?? Number.POSITIVE_INFINITY);
  const host = new SuggestionHost(ref);
  try {
    const req = suggestRequest(config, { trials: [], count, seed, settings });
    // With constraints, the dry run shows what a run would issue: feasible points only.
    const supports = req.constraints === undefined ? false : (await host.capabilities()).constraints === true;
    const r = await constrainedSuggest(host, req, { supports, algorithm: config.algorithm.name });
    const trials = r.suggestions.map((s, i) => ({ name: s.name ?? trialName(config.name, seed, i), params: s.params }));
    return { config, trials };
  } finally {
    await host.close();
  }
}
