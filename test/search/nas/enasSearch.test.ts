import { describe, expect, it } from 'vitest';
import { EnasSearch, type EnasState, parseArchitecture, trialReward } from '../../../src/search/nas/enasSearch.ts';
import { encodeFloats } from '../../../src/search/nas/enasTraining.ts';
import type { NasSpace } from '../../../src/search/nas/space.ts';
import type { SuggestRequest, SuggestResult, TrialState, TrialView } from '../../../src/search/types.ts';
import { makeRequest, makeTrial } from '../../../src/testing/askTell.ts';
import { nasExample, toySpace } from './helpers.ts';

const fast = { controller_hidden_size: '8', controller_learning_rate: '0.05', controller_train_steps: '5' };

function request(
  trials: readonly TrialView[],
  options: {
    count?: number;
    seed?: number;
    state?: unknown;
    type?: 'minimize' | 'maximize';
    nas?: NasSpace;
    settings?: Record<string, string>;
  } = {},
): SuggestRequest {
  const base = makeRequest({
    space: [],
    trials,
    count: options.count ?? 2,
    seed: options.seed ?? 1,
    settings: { ...fast, ...options.settings },
    type: options.type ?? 'maximize',
    ...(options.state === undefined ? {} : { state: options.state }),
  });
  return { ...base, nas: options.nas ?? toySpace };
}

/** The controller's architecture of a suggestion. */
function layersOf(result: SuggestResult, i = 0): number[][] {
  return JSON.parse(String(result.suggestions[i]!.params.architecture)) as number[][];
}

/** Trials from `result`'s suggestions, in `state`, with objective = number of layers using operation 0. */
function finished(result: SuggestResult, from: number, state: TrialState = 'Succeeded'): TrialView[] {
  return result.suggestions.map((s, i) => {
    const zeros = (JSON.parse(String(s.params.architecture)) as number[][]).filter((l) => l[0] === 0).length;
    return makeTrial(from + i, s.params, state, state === 'Failed' ? undefined : zeros);
  });
}

describe('EnasSearch', () => {
  it('emits Katib’s two trial parameters for each suggestion, built from the sampled architecture', () => {
    const result = new EnasSearch().suggest(request([], { count: 3, nas: nasExample('nas__enas-gpu.yaml').nas! }));
    expect(result.suggestions).toHaveLength(3);
    for (const s of result.suggestions) {
      expect(Object.keys(s.params).sort()).toEqual(['architecture', 'nn_config']);
      expect(String(s.params.nn_config)).toMatch(
        /^\{'num_layers': 8, 'input_sizes': \[32, 32, 3\], 'output_sizes': \[10\], 'embedding': \{'\d+': \{'opt_id': /,
      );
      const arch = layersOf({ suggestions: [s] });
      // nn_config's embedding describes exactly the operation ids the architecture uses.
      const ids = [...new Set(arch.map((l) => l[0]))];
      expect([...String(s.params.nn_config).matchAll(/'opt_id': (\d+)/g)].map((m) => Number(m[1]))).toEqual(ids);
      expect(arch.map((l) => l.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
  });

  it('gives the same suggestions and state for the same seed and history, others for another seed', () => {
    const first = new EnasSearch().suggest(request([]));
    const history = finished(first, 0);
    const a = new EnasSearch().suggest(request(history, { state: first.state }));
    const b = new EnasSearch().suggest(request(history, { state: structuredClone(first.state) }));
    expect(b).toEqual(a);
    const other = new EnasSearch().suggest(request(history, { state: first.state, seed: 2 }));
    expect(other.suggestions).not.toEqual(a.suggestions);
  });

  it('trains each finished trial once, from the state, and continues exactly after a JSON round trip', () => {
    let state: unknown;
    let trials: TrialView[] = [];
    const states: EnasState[] = [];
    for (let call = 0; call < 4; call++) {
      const r = new EnasSearch().suggest(
        request(trials, { state: JSON.parse(JSON.stringify(state ?? null)) ?? undefined }),
      );
      state = r.state;
      states.push(r.state as EnasState);
      trials = [...trials, ...finished(r, trials.length)];
    }
    expect(states.map((s) => s.trained.length)).toEqual([0, 2, 4, 6]);
    // 5 Adam steps per call that had new rewards.
    expect(states.map((s) => s.adamStep)).toEqual([0, 5, 10, 15]);
    expect(states[3]!.trained).toEqual(['trial-0', 'trial-1', 'trial-2', 'trial-3', 'trial-4', 'trial-5']);
    // The same history again trains on nothing new: weights unchanged.
    const again = new EnasSearch().suggest(request(trials.slice(0, 6), { state: states[3] }));
    expect((again.state as EnasState).weights).toBe(states[3]!.weights);
    expect((again.state as EnasState).adamStep).toBe(15);
  });

  it('continues from every part of the stored state: weights, both Adam moments, its step and the baseline', () => {
    let state: unknown;
    let trials: TrialView[] = [];
    for (let call = 0; call < 3; call++) {
      const r = new EnasSearch().suggest(request(trials, { state }));
      state = r.state;
      trials = [...trials, ...finished(r, trials.length)];
    }
    const stored = state as EnasState;
    const next = (s: EnasState) => (new EnasSearch().suggest(request(trials, { state: s })).state as EnasState).weights;
    const reference = next(stored);
    const zeros = encodeFloats(new Float64Array(Math.round((atob(stored.adamM).length / 4) | 0)));
    const tampered: Partial<EnasState>[] = [
      { adamM: zeros },
      { adamV: zeros },
      { adamStep: 0 },
      { baseline: 100 },
      { weights: stored.adamM },
    ];
    for (const change of tampered) expect(next({ ...stored, ...change }), Object.keys(change)[0]).not.toBe(reference);
    expect(next(structuredClone(stored))).toBe(reference);
  });

  it('stays small at Katib’s default hidden size: 16 characters per weight (enas-cpu: 106 operation ids)', () => {
    const r = new EnasSearch().suggest(
      request([], { nas: nasExample('nas__enas-cpu.yaml').nas!, settings: { controller_hidden_size: '64' } }),
    );
    const weights = 41_344 + 128 * 106;
    const bytes = JSON.stringify(r.state).length;
    expect(bytes).toBeGreaterThan(16 * weights);
    expect(bytes).toBeLessThan(16 * weights + 1000);
    expect(bytes).toBeLessThan(900_000);
  });

  it('skips failed trials for good, waits for running ones', () => {
    const first = new EnasSearch().suggest(request([], { count: 3 }));
    const [ok, failed, running] = finished(first, 0);
    const history = [ok!, makeTrial(1, failed!.params, 'Failed'), { ...running!, state: 'Running' as const }];
    // A fast baseline and no entropy bonus, so any reward from the failed trial would show in the baseline.
    const settings = { controller_baseline_decay: '0.5', controller_entropy_weight: 'None' };
    const r = new EnasSearch().suggest(request(history, { state: first.state, settings }));
    const s = r.state as EnasState;
    expect(s.trained).toEqual(['trial-0', 'trial-1']);
    // The failed trial did not move the baseline: it is the one reward so far.
    expect(s.baseline).toBe(ok!.objective);
  });

  it('rewards each trial with its own objective, negated for minimize; failures give none', () => {
    const t = (state: TrialState, objective?: number): TrialView => makeTrial(0, {}, state, objective);
    expect(trialReward(t('Succeeded', 0.9), 'maximize')).toBe(0.9);
    expect(trialReward(t('Succeeded', 0.9), 'minimize')).toBe(-0.9);
    expect(trialReward(t('EarlyStopped', 0.4), 'maximize')).toBe(0.4);
    for (const state of ['Failed', 'Killed', 'MetricsUnavailable'] as const) {
      expect(trialReward(t(state, 0.5), 'maximize')).toBeUndefined();
    }
    expect(trialReward(t('Succeeded'), 'maximize')).toBeUndefined();
  });

  it('reads only architectures that fit the space', () => {
    const shape = { hidden: 4, operations: 3, layers: 2, skipTarget: 0.4 };
    expect(parseArchitecture('[[2], [0, 1]]', shape)).toEqual([[2], [0, 1]]);
    for (const bad of ['[[3], [0, 1]]', '[[2], [0, 2]]', '[[2]]', '[[2], [0]]', 'nope', 7]) {
      expect(parseArchitecture(bad, shape)).toBeUndefined();
    }
  });

  it('refuses a stored state of another controller shape', () => {
    const first = new EnasSearch().suggest(request([]));
    const bigger = { ...request([], { state: first.state }), settings: { ...fast, controller_hidden_size: '9' } };
    expect(() => new EnasSearch().suggest(bigger)).toThrow(/not a controller of this experiment’s shape/);
  });

  it('refuses unknown settings and a request without nasConfig', () => {
    const bad = { ...request([]), settings: { controller_lr: '1' } };
    expect(() => new EnasSearch().suggest(bad)).toThrow(/invalid settings for algorithm enas/);
    const { nas: _nas, ...plain } = request([]);
    expect(() => new EnasSearch().suggest(plain)).toThrow(/needs spec.nasConfig/);
  });

  it('accepts "None" for the optional terms', () => {
    const none = {
      ...request([]),
      settings: {
        ...fast,
        controller_temperature: 'None',
        controller_tanh_const: 'None',
        controller_skip_weight: 'None',
        controller_entropy_weight: 'None',
      },
    };
    expect(new EnasSearch().suggest(none).suggestions).toHaveLength(2);
  });
});
