// Searches against the NAS table (instant trials): the `enas` algorithm as `hpo run` drives it (one suggestion per
// call, state handed back each time, every trial's objective looked up in the table) and uniform random sampling
// of architectures, the baseline. Each returns the accuracy of every trial in order.
import { sampleArchitecture } from '../../src/search/nas/architectureSampler.ts';
import { architectureText, enasOperations } from '../../src/search/nas/enasEncoding.ts';
import { EnasSearch } from '../../src/search/nas/enasSearch.ts';
import type { NasSpace } from '../../src/search/nas/space.ts';
import { derive, Rng } from '../../src/search/rng.ts';
import type { Settings, TrialView } from '../../src/search/types.ts';
import { makeRequest, makeTrial } from '../../src/testing/askTell.ts';
import type { Lookup } from './table.ts';

/** The table's accuracy of an architecture text; throws for one outside the table (a bug in the encoding). */
function accuracyOf(lookup: Lookup, architecture: string): number {
  const value = lookup.get(architecture);
  if (value === undefined) throw new Error(`architecture ${architecture} is not in the table`);
  return value;
}

/** `trials` architectures drawn uniformly (operation ids uniform, each skip on with probability 1/2), scored. */
export function randomTrace(nas: NasSpace, lookup: Lookup, seed: number, trials: number): number[] {
  const rng = new Rng(derive(seed, 'nas-bench', 'random'));
  const operations = enasOperations(nas).length;
  return Array.from({ length: trials }, () =>
    accuracyOf(lookup, architectureText(sampleArchitecture(rng, nas.numLayers ?? 0, operations))),
  );
}

/**
 * `trials` sequential `enas` suggestions (maximising accuracy), each trial finished with its table accuracy before
 * the next call, so the controller trains on every trial before it samples the next.
 */
export function enasTrace(nas: NasSpace, lookup: Lookup, seed: number, trials: number, settings: Settings): number[] {
  const search = new EnasSearch();
  const history: TrialView[] = [];
  const out: number[] = [];
  let state: unknown;
  while (out.length < trials) {
    const request = {
      ...makeRequest({ space: [], trials: history, count: 1, seed, settings, type: 'maximize', state }),
      nas,
    };
    const result = search.suggest(request);
    state = result.state;
    for (const s of result.suggestions) {
      const accuracy = accuracyOf(lookup, String(s.params.architecture));
      history.push(makeTrial(history.length, s.params, 'Succeeded', accuracy));
      out.push(accuracy);
    }
  }
  return out.slice(0, trials);
}

/** How many trials a trace took to first reach `threshold` (1-based), or undefined when it never did. */
export function trialsToReach(trace: readonly number[], threshold: number): number | undefined {
  const i = trace.findIndex((a) => a >= threshold);
  return i < 0 ? undefined : i + 1;
}

/**
 * The median of per-seed counts where a run that never reached the target counts as more than any budget
 * (Infinity), so the median is Infinity when most runs missed; the mean of the two middle values for an even count.
 */
export function medianTrials(counts: readonly (number | undefined)[]): number {
  const sorted = counts.map((c) => c ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The mean of each consecutive window of `size` trials, averaged over runs: `[window start (1-based), mean]`. */
export function windowMeans(traces: readonly (readonly number[])[], size: number): [number, number][] {
  const length = Math.min(...traces.map((t) => t.length));
  const out: [number, number][] = [];
  for (let start = 0; start + size <= length; start += size) {
    let total = 0;
    for (const t of traces) for (let i = start; i < start + size; i++) total += t[i]!;
    out.push([start + 1, total / (size * traces.length)]);
  }
  return out;
}
