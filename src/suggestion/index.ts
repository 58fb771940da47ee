export { SuggestionHost } from './host.ts';
export type { AlgorithmRef } from './protocol.ts';
export {
  earlyStoppingNames,
  katibAlgorithmNames,
  knownAlgorithmNames,
  moduleSetting,
  registerAlgorithm,
  resolveAlgorithm,
  runnableAlgorithmNames,
} from './registry.ts';
