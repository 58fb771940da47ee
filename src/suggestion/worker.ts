/**
 * The suggestion worker: hosts one SearchAlgorithm in a worker thread, keeps a mirror of the trial history
 * so the controller only sends changes, and answers validate/suggest calls over comlink.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { loadParser } from '../search/expression.ts';
import type { SearchAlgorithm, SuggestResult, TrialView } from '../search/types.ts';
import { loadAlgorithm } from './loadAlgorithm.ts';
import { answer, type SuggestCall, type WorkerApi } from './protocol.ts';

let algorithm: SearchAlgorithm | undefined;
let trials: TrialView[] = [];
const index = new Map<string, number>();

function loaded(): SearchAlgorithm {
  if (!algorithm) throw new Error('suggestion worker: load() was not called');
  return algorithm;
}

const api: WorkerApi = {
  load(ref) {
    return answer(async () => {
      algorithm = await loadAlgorithm(ref);
      // A copy of plain fields: a user's object may hold more than comlink can clone.
      const { multiObjective, nas, earlyStopping, constraints, textObjective } = algorithm.capabilities ?? {};
      return {
        ...(multiObjective === undefined ? {} : { multiObjective: multiObjective === true }),
        ...(constraints === undefined ? {} : { constraints: constraints === true }),
        ...(nas === undefined ? {} : { nas: nas === true }),
        ...(textObjective === undefined ? {} : { textObjective: textObjective === true }),
        ...(earlyStopping === undefined ? {} : { earlyStopping: String(earlyStopping) }),
      };
    });
  },
  validate(settings, ctx) {
    return answer(() => loaded().validate(settings, ctx));
  },
  suggest(call) {
    return answer(() => suggest(call));
  },
  crash() {
    process.exit(70);
  },
};

/**
 * Applies the history changes to the mirror and asks the algorithm with the full history; loads the expression
 * parser first when the request has constraints, so algorithms can check them synchronously.
 */
async function suggest(call: SuggestCall): Promise<SuggestResult> {
  if (call.request.constraints?.length) await loadParser();
  if (call.reset) {
    trials = [];
    index.clear();
  }
  if (call.removals.length > 0) {
    const gone = new Set(call.removals);
    trials = trials.filter((t) => !gone.has(t.name));
    index.clear();
    trials.forEach((t, i) => {
      index.set(t.name, i);
    });
  }
  for (const t of call.upserts) {
    const at = index.get(t.name);
    if (at === undefined) {
      index.set(t.name, trials.length);
      trials.push(t);
    } else {
      trials[at] = t;
    }
  }
  return loaded().suggest({ ...call.request, trials });
}

if (!parentPort) throw new Error('suggestion worker must run in a worker thread');
Comlink.expose(api, nodeEndpoint(parentPort));
