import { parseFloatText, parseIntText } from '../settings.ts';
import { katibNasText, type PyDict, type PyValue, pyFloat, pyInt } from './pythonJson.ts';
import type { NasParameter, NasSpace } from './space.ts';

/**
 * ENAS's operation ids and trial parameters as Katib's ENAS service defines them (REFERENCE.md §2.3): every
 * combination of an operation's parameter values is one operation id, numbered in operation order; an architecture
 * gives each layer one id and a 0/1 skip connection to every earlier layer.
 */

/** One ENAS operation: an operation type with one value per parameter (Katib's `Operation.get_dict()`). */
export interface EnasOperation {
  readonly id: number;
  readonly type: string;
  /** Parameter name → value, in parameter order: text for categorical, Python int/float for ranges. */
  readonly params: PyDict;
}

/** An architecture: for layer `l`, `[operationId, skip_0, …, skip_{l-1}]` with skip bits 0 or 1. */
export type Architecture = readonly (readonly number[])[];

/**
 * A double range as numpy's `arange(min, max + step, step)` lays it out (Katib's code): the first two points are
 * `min` and `min + step`, later ones `min + i * ((min + step) - min)`. A last point beyond `max` is dropped; Katib
 * means to drop it too but its `del` on a numpy array raises, failing the suggestion.
 */
export function doubleRangeValues(min: number, max: number, step: number): number[] {
  const length = Math.ceil((max + step - min) / step);
  const delta = min + step - min;
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(i === 0 ? min : i === 1 ? min + step : min + i * delta);
  if (out.length > 0 && out[out.length - 1]! > max) out.pop();
  return out;
}

/** The values one operation parameter takes, as Python holds them. Validation has checked the text. */
function parameterValues(p: NasParameter): PyValue[] {
  const fs = p.feasibleSpace;
  if (p.parameterType === 'int') {
    const [min, max, step] = [fs.min, fs.max, fs.step].map((t) => parseIntText(t ?? '') ?? Number.NaN) as [
      number,
      number,
      number,
    ];
    const out: PyValue[] = [];
    // Python's range(min, max + 1, step).
    for (let v = min; v <= max && step > 0; v += step) out.push(pyInt(v));
    return out;
  }
  if (p.parameterType === 'double') {
    const [min, max, step] = [fs.min, fs.max, fs.step].map((t) => parseFloatText(t ?? '') ?? Number.NaN) as [
      number,
      number,
      number,
    ];
    return step > 0 ? doubleRangeValues(min, max, step).map(pyFloat) : [];
  }
  return [...(fs.list ?? [])];
}

/** How many values a parameter takes, computed without listing a long range. */
function valueCount(p: NasParameter): number {
  const fs = p.feasibleSpace;
  if (p.parameterType !== 'int' && p.parameterType !== 'double') return fs.list?.length ?? 0;
  const parse = p.parameterType === 'int' ? parseIntText : parseFloatText;
  const [min, max, step] = [fs.min, fs.max, fs.step].map((t) => parse(t ?? '') ?? Number.NaN) as [
    number,
    number,
    number,
  ];
  if (!(step > 0) || !(max >= min)) return 0;
  if (p.parameterType === 'int') return Math.floor((max - min) / step) + 1;
  const upper = Math.ceil((max + step - min) / step);
  return upper > 1_000_000 ? upper : doubleRangeValues(min, max, step).length;
}

/** How many operation ids the space has (the sum over operations of the product of their value counts). */
export function enasOperationCount(nas: NasSpace): number {
  return nas.operations.reduce((sum, op) => sum + op.parameters.reduce((n, p) => n * valueCount(p), 1), 0);
}

/** Every operation id of the space, in Katib's order (operations in turn; itertools.product, last parameter fastest). */
export function enasOperations(nas: NasSpace): EnasOperation[] {
  const out: EnasOperation[] = [];
  for (const op of nas.operations) {
    const lists = op.parameters.map(parameterValues);
    const combos: PyValue[][] = lists.reduce<PyValue[][]>(
      (acc, values) => acc.flatMap((prefix) => values.map((v) => [...prefix, v])),
      [[]],
    );
    for (const combo of combos) {
      const params = new Map<string, PyValue>(op.parameters.map((p, i) => [p.name, combo[i]!]));
      out.push({ id: out.length, type: op.operationType, params });
    }
  }
  return out;
}

/** Katib's `architecture` trial parameter: the per-layer lists as Python JSON with `'` quotes, e.g. `[[27], [3, 1]]`. */
export function architectureText(architecture: Architecture): string {
  return katibNasText(architecture.map((layer) => layer.map(pyInt)));
}

/**
 * Katib's `nn_config` trial parameter: `num_layers`, `input_sizes`, `output_sizes` and an `embedding` that
 * describes each operation id the architecture uses (keyed by the id's text, in order of first use).
 */
export function nnConfigText(nas: NasSpace, operations: readonly EnasOperation[], architecture: Architecture): string {
  const embedding = new Map<string, PyValue>();
  for (const layer of architecture) {
    const op = operations[layer[0]!];
    if (op === undefined) throw new RangeError(`operation id ${String(layer[0])} is not in the search space`);
    embedding.set(
      String(op.id),
      new Map<string, PyValue>([
        ['opt_id', pyInt(op.id)],
        ['opt_type', op.type],
        ['opt_params', op.params],
      ]),
    );
  }
  const config = new Map<string, PyValue>([
    ['num_layers', pyInt(nas.numLayers ?? 0)],
    ['input_sizes', nas.inputSizes.map(pyInt)],
    ['output_sizes', nas.outputSizes.map(pyInt)],
    ['embedding', embedding],
  ]);
  return katibNasText(config);
}

/** The two parameters of an ENAS trial, `architecture` and `nn_config`, exactly as Katib's ENAS service emits them. */
export function enasTrialParameters(
  nas: NasSpace,
  operations: readonly EnasOperation[],
  architecture: Architecture,
): Record<string, string> {
  return { architecture: architectureText(architecture), nn_config: nnConfigText(nas, operations, architecture) };
}
