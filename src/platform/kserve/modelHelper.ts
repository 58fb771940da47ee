/**
 * The Python side of `hpo serve`: a small program run with Debian's `/usr/bin/python3` (python3-sklearn for
 * scikit-learn models, python3-torch for TorchScript ones), given as `-c` source with the model's format and path as
 * its arguments (an argument array, never a shell: the path stays data). It loads the model (joblib, or
 * `torch.jit.load` on the CPU), says it is ready, then answers one JSON request per stdin line with one JSON line.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';

/** The interpreter that sees Debian's scikit-learn and PyTorch (the `python3` first on PATH may not). */
export const defaultPython = '/usr/bin/python3';

/** What the helper loads: a scikit-learn model (joblib/pickle) or a TorchScript module. */
export type ServedFormat = 'sklearn' | 'pytorch';

// Requests: {"shape": [...], "dtype": "float64", "data": [...]}; replies: {"shape", "kind", "data"} or {"error"}.
// allow_nan=False: a NaN or infinite prediction becomes an error reply instead of text that is not JSON.
// A TorchScript module gets the tensor as float32 (what nn.Linear weights are) and answers its raw output tensor;
// its input width is the second dimension of its first weight matrix, when it has one.
const source = `
import json, sys
# The protocol owns stdout; anything the model prints goes to stderr instead of into a reply.
out, sys.stdout = sys.stdout, sys.stderr
def reply(obj, **kw):
    out.write(json.dumps(obj, **kw) + "\\n")
    out.flush()
try:
    import numpy as np
    if sys.argv[1] == "pytorch":
        import torch
        torch.set_num_threads(1)
        module = torch.jit.load(sys.argv[2], map_location="cpu")
        module.eval()
        weights = [p for p in module.parameters() if p.dim() == 2]
        features = int(weights[0].shape[1]) if weights else None
        name = "torch.jit." + module.original_name
        def predict(x):
            with torch.no_grad():
                return module(torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))).numpy()
    else:
        import joblib
        model = joblib.load(sys.argv[2])
        features = getattr(model, "n_features_in_", None)
        name = type(model).__module__ + "." + type(model).__name__
        predict = model.predict
except Exception as e:
    reply({"error": "%s: %s" % (type(e).__name__, e)})
    sys.exit(1)
reply({"ready": True, "type": name, "features": int(features) if features is not None else None})
for line in sys.stdin:
    try:
        req = json.loads(line)
        x = np.asarray(req["data"], dtype=req["dtype"]).reshape(req["shape"])
        y = np.asarray(predict(x))
        kind = y.dtype.kind
        data = y.reshape(-1).tolist() if kind in "biuf" else [str(v) for v in y.reshape(-1)]
        text = json.dumps({"shape": list(y.shape), "kind": kind, "itemsize": int(y.dtype.itemsize), "data": data},
                          allow_nan=False)
    except Exception as e:
        text = json.dumps({"error": "%s: %s" % (type(e).__name__, e)})
    out.write(text + "\\n")
    out.flush()
`;

/** What the helper says once the model is loaded. */
export interface HelperReady {
  /** The model's Python class (`sklearn.svm._classes.SVC`, `torch.jit.Sequential`). */
  readonly type: string;
  /** `n_features_in_` (sklearn) or the first weight matrix's input width (TorchScript), when known. */
  readonly features: number | null;
}

/** One prediction: numpy's shape, dtype kind (`i`, `f`, `b`, `U`…) and item size, and the values flattened. */
export interface HelperPrediction {
  readonly shape: number[];
  readonly kind: string;
  readonly itemsize: number;
  readonly data: unknown[];
}

/**
 * A running helper. `predict` calls are answered in order, one at a time (the protocol is one line each way);
 * `alive` is false once the process is gone.
 */
export class ModelHelper {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private stderr = '';
  alive = true;

  private constructor(proc: ChildProcessWithoutNullStreams) {
    this.proc = proc;
    createInterface({ input: proc.stdout }).on('line', (line) => this.waiting.shift()?.(line));
    proc.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    proc.on('close', () => {
      this.alive = false;
      for (const w of this.waiting.splice(0)) w(undefined);
    });
    proc.stdin.on('error', () => {}); // a write after the helper died: the reply is then undefined
  }

  /** Starts the helper on `modelPath` and waits until the model is loaded (or says why it cannot be). */
  static async start(
    modelPath: string,
    python: string = defaultPython,
    format: ServedFormat = 'sklearn',
  ): Promise<{ helper: ModelHelper; ready: HelperReady }> {
    const proc = spawn(python, ['-c', source, format, modelPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    const spawned = new Promise<Error | undefined>((resolve) => {
      proc.once('spawn', () => resolve(undefined));
      proc.once('error', (e) => resolve(e));
    });
    const helper = new ModelHelper(proc);
    const first = helper.nextLine();
    const failed = await spawned;
    if (failed) throw new WorkbenchError(ErrorCode.unsupported, `cannot start ${python}: ${failed.message}`);
    const line = await first;
    const reply = parse(line);
    if (reply?.ready !== true) {
      helper.close();
      const why = typeof reply?.error === 'string' ? reply.error : helper.stderr.trim() || 'it exited';
      const hint = /ModuleNotFoundError/.test(why)
        ? ` (install ${format === 'pytorch' ? 'python3-torch' : 'python3-sklearn'}: npm run setup)`
        : format === 'pytorch' && /RuntimeError|PytorchStreamReader|constants\.pkl/.test(why)
          ? ' (hpo serve loads TorchScript: save the model with torch.jit.script(model).save(path) or torch.jit.trace)'
          : '';
      throw new WorkbenchError(ErrorCode.unsupported, `${python} could not load the model ${modelPath}: ${why}${hint}`);
    }
    return {
      helper,
      ready: { type: String(reply.type), features: typeof reply.features === 'number' ? reply.features : null },
    };
  }

  private nextLine(): Promise<string | undefined> {
    if (!this.alive) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Predicts a tensor; resolves to the prediction or to `{ error }` (a model's refusal, or the helper gone). */
  async predict(request: {
    shape: readonly number[];
    dtype: string;
    data: readonly unknown[];
  }): Promise<HelperPrediction | { error: string }> {
    const reply = this.nextLine();
    this.proc.stdin.write(`${JSON.stringify(request)}\n`);
    const r = parse(await reply);
    if (r === undefined) return { error: `the model process ended${this.stderr ? `: ${this.stderr.trim()}` : ''}` };
    if (typeof r.error === 'string') return { error: r.error };
    return r as unknown as HelperPrediction;
  }

  /** Ends the helper. */
  close(): void {
    this.proc.stdin.end();
    this.proc.kill('SIGTERM');
  }
}

function parse(line: string | undefined): Record<string, unknown> | undefined {
  if (line === undefined) return undefined;
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
