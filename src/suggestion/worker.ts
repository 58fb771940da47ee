/**
 * The suggestion worker: hosts one SearchAlgorithm in a worker thread, keeps a mirror of the trial history
 * so the controller only sends changes, and answers validate/suggest calls over comlink.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { SearchAlgorithm, TrialView } from '../search/types.ts';
import { loadAlgorithm } from './loadAlgorithm.ts';
import type { WorkerApi } from './protocol.ts';

let algorithm: SearchAlgorithm | undefined;
let trials: TrialView[] = [];
const index = new Map<string, number>();

function loaded(): SearchAlgorithm {
  if (!algorithm) throw new Error('suggestion worker: load() was not called');
  return algorithm;
}

const api: WorkerApi = {
  async load(ref) {
    algorithm = await loadAlgorithm(ref);
  },
  async validate(settings, ctx) {
    return loaded().validate(settings, ctx);
  },
  async suggest(call) {
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
  },
  crash() {
    process.exit(70);
  },
};

if (!parentPort) throw new Error('suggestion worker must run in a worker thread');
Comlink.expose(api, nodeEndpoint(parentPort));
