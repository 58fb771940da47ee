import type { NasParameter, NasSpace } from '../search/nas/space.ts';
import type { NasConfig } from './types.ts';

/**
 * A validated `spec.nasConfig` as the NAS algorithms read it: the graph's sizes (missing lists as empty) and the
 * operations with their parameters' text as written (the trial parameters Katib builds carry that text).
 */
export function toNasSpace(nas: NasConfig): NasSpace {
  const graph = nas.graphConfig ?? {};
  return {
    ...(typeof graph.numLayers === 'number' ? { numLayers: graph.numLayers } : {}),
    inputSizes: [...(graph.inputSizes ?? [])],
    outputSizes: [...(graph.outputSizes ?? [])],
    operations: (nas.operations ?? []).map((op) => ({
      operationType: op.operationType ?? '',
      parameters: (op.parameters ?? []).map(
        (p): NasParameter => ({
          name: p.name,
          parameterType: p.parameterType,
          feasibleSpace: {
            ...(p.feasibleSpace.min === undefined ? {} : { min: p.feasibleSpace.min }),
            ...(p.feasibleSpace.max === undefined ? {} : { max: p.feasibleSpace.max }),
            ...(p.feasibleSpace.step === undefined ? {} : { step: p.feasibleSpace.step }),
            ...(p.feasibleSpace.list === undefined ? {} : { list: [...p.feasibleSpace.list] }),
          },
        }),
      ),
    })),
  };
}
