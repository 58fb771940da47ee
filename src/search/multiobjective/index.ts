export { crowdingDistances, dominates, nonDominatedSort } from './dominance.ts';
export { hypervolume, hypervolumeContributions } from './hypervolume.ts';
export { type LossHistory, lossVector, lossVectors } from './losses.ts';
export { nicheSelect } from './niching.ts';
export { binomial, dasDennisPoints, divisionsFor } from './referencePoints.ts';
