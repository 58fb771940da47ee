import type { Domain, Scale, SearchSpace } from '../search/space.ts';
import type { FeasibleSpace, ParameterSpec } from './types.ts';

function scaleOf(fs: FeasibleSpace): Scale {
  const d = fs.distribution;
  // Katib accepts `unknown` (and an unset distribution defaults to uniform).
  return d === 'logUniform' || d === 'normal' || d === 'logNormal' ? d : 'uniform';
}

function domainOf(p: ParameterSpec): Domain {
  const fs = p.feasibleSpace;
  switch (p.parameterType) {
    case 'double': {
      const d = { kind: 'double', min: Number(fs.min), max: Number(fs.max), scale: scaleOf(fs) } as const;
      return fs.step === undefined || fs.step === '' ? d : { ...d, step: Number(fs.step) };
    }
    case 'int': {
      // Katib's search_space.py: an int parameter's step defaults to 1.
      const step = fs.step === undefined || fs.step === '' ? 1 : Number(fs.step);
      return { kind: 'int', min: Number(fs.min), max: Number(fs.max), step, scale: scaleOf(fs) };
    }
    case 'discrete':
      return { kind: 'discrete', values: (fs.list ?? []).map(Number) };
    default:
      return { kind: 'categorical', values: [...(fs.list ?? [])] };
  }
}

/**
 * Converts Katib parameters (strings everywhere) to the parsed {@link SearchSpace} every algorithm reads.
 * Assumes `validateExperiment` accepted them; `unknown` types are treated as categorical.
 */
export function toSearchSpace(parameters: readonly ParameterSpec[]): SearchSpace {
  return parameters.map((p) => ({ name: p.name, domain: domainOf(p) }));
}
