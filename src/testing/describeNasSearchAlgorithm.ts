import { describe, expect, it } from 'vitest';
import type { NasSpace } from '../search/nas/space.ts';
import type { Assignment } from '../search/space.ts';
import type {
  SearchAlgorithm,
  Settings,
  SuggestResult,
  TrialState,
  TrialView,
  ValidationContext,
} from '../search/types.ts';
import { makeRequest, makeTrial, runAskTell } from './askTell.ts';
import { expectCount } from './expectations.ts';
import { expectExactResume } from './resume.ts';

/** Options of {@link describeNasSearchAlgorithm}. */
export interface NasSearchAlgorithmSuiteOptions {
  /** The architecture space every request carries (Katib's nasConfig as the algorithms read it). */
  readonly nas: NasSpace;
  /** Settings sent with every request and checked by `validate` (default none). */
  readonly settings?: Settings;
  /** The objective of a trial's parameters (default: a fixed hash of them, in [0, 1)). */
  readonly evaluate?: (params: Assignment) => number;
  /** For algorithms whose output deliberately does not depend on `req.seed` (darts). */
  readonly ignoresSeed?: boolean;
  /** Per-test timeout in milliseconds (default: vitest's). */
  readonly timeout?: number;
}

/** A deterministic stand-in objective for opaque NAS parameters: a hash of their text, in [0, 1). */
export function nasHashObjective(params: Assignment): number {
  let h = 0;
  for (const ch of JSON.stringify(params)) h = (h * 31 + ch.charCodeAt(0)) % 1_000_003;
  return h / 1_000_003;
}

/** Asserts every suggestion carries only text parameters (Katib's NAS trial parameters are strings). */
function expectTextParams(result: SuggestResult): void {
  for (const s of result.suggestions) {
    expect(Object.keys(s.params).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(s.params)) expect(typeof value, name).toBe('string');
  }
}

/**
 * The conformance suite for NAS algorithms (`capabilities.nas`): the hyperparameter suite's contract on a
 * `nasConfig` instead of a parameter space — validation against the NAS context, exact counts (fewer only when
 * exhausted), text trial parameters, reproducibility per seed, sensitivity to the seed, tolerance of every trial
 * state, plain data, and an exact resume from the stored state. Call it at the top level of a vitest file.
 */
export function describeNasSearchAlgorithm(
  name: string,
  factory: () => SearchAlgorithm,
  options: NasSearchAlgorithmSuiteOptions,
): void {
  const { nas } = options;
  const settings = options.settings ?? {};
  const evaluate = options.evaluate ?? nasHashObjective;
  const request = (trials: readonly TrialView[], count: number, seed = 1) =>
    makeRequest({ space: [], trials, count, seed, settings, nas });
  const run = (trials: number, batch: number, seed = 1) =>
    runAskTell({ algorithm: factory(), space: [], nas, evaluate, trials, batch, seed, settings });
  const timed = options.timeout === undefined ? {} : { timeout: options.timeout };

  describe(`NAS search algorithm ${name} (conformance)`, () => {
    it('declares capabilities.nas and validates against the nasConfig (and needs one)', () => {
      expect(factory().capabilities?.nas).toBe(true);
      const ctx: ValidationContext = {
        space: [],
        objective: { type: 'maximize', metricName: 'accuracy' },
        maxTrialCount: 12,
        parallelTrialCount: 3,
        nas,
      };
      expect(factory().validate(settings, ctx)).toEqual([]);
      const { nas: _nas, ...without } = ctx;
      expect(factory().validate(settings, without)).not.toEqual([]);
    });

    it('returns exactly count suggestions of text parameters (fewer only when exhausted)', timed, async () => {
      const { trials } = await run(5, 5);
      for (const count of [1, 2, 7]) {
        for (const history of [[], trials]) {
          const result = await factory().suggest(request(history, count));
          expectCount(result, count);
          expectTextParams(result);
        }
      }
    });

    it('gives the same suggestions for the same seed and history', timed, async () => {
      const { trials, results } = await run(6, 2);
      const state = results.at(-1)?.state;
      for (const history of [[], trials]) {
        const withState = (seed: number) => {
          const base = request(history, 3, seed);
          return history.length > 0 && state !== undefined ? { ...base, state: structuredClone(state) } : base;
        };
        const first = factory();
        const a = await first.suggest(withState(7));
        expect(await factory().suggest(withState(7))).toEqual(a);
        expect(await first.suggest(withState(7))).toEqual(a);
        if (options.ignoresSeed !== true) {
          expect((await factory().suggest(withState(8))).suggestions).not.toEqual(a.suggestions);
        }
      }
    });

    it('handles Failed, Running, Pending, Killed, EarlyStopped and MetricsUnavailable trials', timed, async () => {
      const first = await factory().suggest(request([], 8));
      const states: TrialState[] = ['Succeeded', 'Failed', 'Running', 'Pending', 'Killed'];
      states.push('EarlyStopped', 'MetricsUnavailable', 'Succeeded');
      const history = first.suggestions.map((s, n) => {
        const state = states[n % states.length]!;
        const value = state === 'Succeeded' || state === 'EarlyStopped' ? evaluate(s.params) : undefined;
        return makeTrial(n, s.params, state, value);
      });
      const state = first.state === undefined ? {} : { state: first.state };
      const result = await factory().suggest({ ...request(history, 3), ...state });
      expectCount(result, 3);
      expectTextParams(result);
    });

    it('returns plain data: suggestions survive structuredClone, state survives JSON', timed, async () => {
      const { results } = await run(8, 2);
      for (const result of results) {
        expect(structuredClone(result)).toEqual(result);
        if (result.state !== undefined) expect(JSON.parse(JSON.stringify(result.state))).toEqual(result.state);
      }
    });

    it('resumes exactly from its stored state and the history (state round-trip)', timed, async () => {
      await expectExactResume(factory, { space: [], settings, nas, evaluate });
    });
  });
}
