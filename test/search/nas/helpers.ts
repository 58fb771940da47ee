import { fileURLToPath } from 'node:url';
import type { NasSpace } from '../../../src/search/nas/space.ts';
import type { ValidationContext } from '../../../src/search/types.ts';
import { configOf, type ExperimentConfig, validationContext } from '../../../src/spec/config.ts';
import { loadExperimentFile } from '../../../src/spec/load.ts';

/** The path of a copied Katib example (test/fixtures/spec/katib). */
export function katibExample(file: string): string {
  return fileURLToPath(new URL(`../../fixtures/spec/katib/${file}`, import.meta.url));
}

/** The config of one of Katib's NAS examples, e.g. `nas__darts-gpu.yaml`. */
export function nasExample(file: string): ExperimentConfig {
  return configOf(loadExperimentFile(katibExample(file))[0]!);
}

/** The validation context of that example. */
export function nasContext(file: string): ValidationContext {
  return validationContext(nasExample(file));
}

/** A small space: 4 layers, 3 operation ids (one operation, a 3-value categorical). */
export const toySpace: NasSpace = {
  numLayers: 4,
  inputSizes: [8],
  outputSizes: [2],
  operations: [
    {
      operationType: 'convolution',
      parameters: [{ name: 'filter_size', parameterType: 'categorical', feasibleSpace: { list: ['3', '5', '7'] } }],
    },
  ],
};
