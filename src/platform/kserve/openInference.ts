/**
 * The Open Inference Protocol (KServe v2 REST) as `hpo serve` speaks it: reading an infer request into the one 2-D
 * tensor a scikit-learn model predicts on, and writing the response. Pure functions: every bad request is a message
 * for a 400 reply, never an exception.
 */

/** v2 tensor datatypes a scikit-learn model can take, with the numpy dtype each becomes. */
const numpyOf: Readonly<Record<string, string>> = {
  BOOL: 'bool',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
};

/** The tensor of an infer request, as the Python helper takes it. */
export interface InferTensor {
  readonly shape: number[];
  readonly dtype: string;
  readonly data: unknown[];
}

/** A read infer request: its id (echoed in the response) and its one input tensor. */
export interface InferRequest {
  readonly id?: string;
  readonly inputName: string;
  readonly tensor: InferTensor;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `data` flattened in row-major order (the protocol allows nested arrays that follow the shape). */
function flatten(data: unknown[]): unknown[] {
  return data.flat(Number.POSITIVE_INFINITY as 1);
}

/**
 * Reads an infer request body: exactly one input (a scikit-learn model predicts on one feature matrix) with a 2-D
 * `shape` [rows, features], a numeric or BOOL `datatype`, and `data` holding shape[0] × shape[1] values, flat or
 * nested. `features` (the model's `n_features_in_`) is checked when known. Returns the request or what is wrong.
 */
export function readInferRequest(body: unknown, features: number | null): InferRequest | { error: string } {
  if (!isRecord(body)) return { error: 'the request body must be a JSON object with "inputs"' };
  if (body.id !== undefined && typeof body.id !== 'string') return { error: '"id" must be a string' };
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length !== 1) {
    return {
      error: '"inputs" must hold exactly one tensor: the feature matrix (a scikit-learn model takes one input)',
    };
  }
  const input: unknown = inputs[0];
  if (!isRecord(input)) return { error: 'inputs[0] must be an object with name, shape, datatype and data' };
  const { name, shape, datatype, data } = input;
  if (typeof name !== 'string' || name === '') return { error: 'inputs[0].name must be a non-empty string' };
  const dtype = typeof datatype === 'string' ? numpyOf[datatype] : undefined;
  if (dtype === undefined) {
    return {
      error: `inputs[0].datatype must be one of ${Object.keys(numpyOf).join(', ')}, not ${JSON.stringify(datatype)}`,
    };
  }
  if (
    !Array.isArray(shape) ||
    shape.length !== 2 ||
    shape.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
  ) {
    return { error: 'inputs[0].shape must be [rows, features]: two whole numbers' };
  }
  const [rows, cols] = shape as [number, number];
  if (features !== null && cols !== features) {
    return { error: `inputs[0].shape: the model takes ${features} features per row, not ${cols}` };
  }
  if (!Array.isArray(data)) return { error: 'inputs[0].data must be an array' };
  const flat = flatten(data);
  if (flat.length !== rows * cols) {
    return { error: `inputs[0].data holds ${flat.length} values; shape [${rows}, ${cols}] needs ${rows * cols}` };
  }
  const ok = datatype === 'BOOL' ? (v: unknown) => typeof v === 'boolean' : (v: unknown) => typeof v === 'number';
  const bad = flat.findIndex((v) => !ok(v));
  if (bad >= 0) return { error: `inputs[0].data[${bad}] is ${JSON.stringify(flat[bad])}, not a ${datatype} value` };
  return {
    ...(typeof body.id === 'string' ? { id: body.id } : {}),
    inputName: name,
    tensor: { shape: [rows, cols], dtype, data: flat },
  };
}

/** The v2 datatype of a numpy result (dtype kind and item size): predictions are labels or values. */
export function v2Datatype(kind: string, itemsize: number): string {
  if (kind === 'b') return 'BOOL';
  if (kind === 'i') return `INT${itemsize * 8}`;
  if (kind === 'u') return `UINT${itemsize * 8}`;
  if (kind === 'f') return `FP${itemsize * 8}`;
  return 'BYTES';
}
