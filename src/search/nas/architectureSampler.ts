import type { Rng } from '../rng.ts';
import type { Architecture } from './enasEncoding.ts';

/**
 * Draws one architecture uniformly: each layer's operation id uniform over `operationCount`, each skip connection
 * to an earlier layer on or off with probability 1/2. This is the baseline a learned ENAS controller must beat
 * (random search over architectures), in Katib's `architecture` layout; `rng` makes it reproducible.
 */
export function sampleArchitecture(rng: Rng, numLayers: number, operationCount: number): Architecture {
  const layers: number[][] = [];
  for (let l = 0; l < numLayers; l++) {
    const layer = [rng.int(0, operationCount - 1)];
    for (let j = 0; j < l; j++) layer.push(rng.next() < 0.5 ? 1 : 0);
    layers.push(layer);
  }
  return layers;
}
