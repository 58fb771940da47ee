/**
 * `hpo-workbench/testing`: the conformance suite for search algorithms and the pieces it is built from,
 * for testing built-in and third-party algorithms alike (needs vitest).
 */
export { type AskTellOptions, type AskTellRun, deepFreeze, makeRequest, makeTrial, runAskTell } from './askTell.ts';
export { type Benchmark, branin, mixedObjective, mixedSpace, sphere, steppedMixedSpace } from './benchmarks.ts';
export { describeConstraints, suiteConstraints } from './constraints.ts';
export {
  describeNasSearchAlgorithm,
  type NasSearchAlgorithmSuiteOptions,
  nasHashObjective,
} from './describeNasSearchAlgorithm.ts';
export { describeSearchAlgorithm, type SearchAlgorithmSuiteOptions } from './describeSearchAlgorithm.ts';
export { compareWithRandom, type ImprovementOptions, type ImprovementReport } from './improvement.ts';
export { expectExactResume } from './resume.ts';
