/**
 * The "claim and launch" stage that the single controller (controller.ts) and a shared experiment's worker
 * (worker.ts) both go through, so that they ask the algorithm, name and record its suggestions, and start trials
 * in one way: {@link askAlgorithm}, {@link checkSuggestionNames}, {@link trialFromSuggestion} and
 * {@link startLiveTrial}. What differs stays with each caller: how a claim is stored (a plain transaction for the
 * controller, which holds the experiment's lock; a leased claim within the shared budget for a worker) and how
 * the trial's Running row is written before its program starts.
 */
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Settings, Suggestion, SuggestResult, TrialView } from '../search/types.ts';
import { type ExperimentConfig, suggestRequest } from '../spec/config.ts';
import type { ExperimentRecord, TrialRecord } from '../store/types.ts';
import type { SuggestionHost } from '../suggestion/host.ts';
import type { TrialExecutor } from '../trial/executor.ts';
import { invalidTrialName, trialName } from '../trial/naming.ts';
import type { ExperimentWorkspace } from '../trial/workspace.ts';
import { constrainedSuggest } from './constrainedSuggest.ts';
import { LiveTrial, type LiveTrialOptions, liveTrialConfig } from './liveTrial.ts';

/**
 * What the controller needs of the algorithm: the worker-thread {@link SuggestionHost}, or a test's fake (without
 * `capabilities`, the algorithm is taken to declare none).
 */
export type SuggestionSource = Pick<SuggestionHost, 'suggest' | 'cancel'> &
  Partial<Pick<SuggestionHost, 'capabilities'>>;

/** What {@link askAlgorithm} sends besides the experiment's config. */
export interface AlgorithmAsk {
  /** The history as the algorithm sees it (running trials with their curves as they are now). */
  readonly trials: readonly TrialView[];
  readonly count: number;
  readonly seed: number;
  readonly settings: Settings;
  /** The algorithm state as stored; undefined when there is none yet. */
  readonly state: unknown;
}

/**
 * Asks the algorithm behind `host` for `ask.count` points. Parameter constraints hold either way: an algorithm that
 * declares `capabilities.constraints` is held to them, any other is filtered and asked again (constrainedSuggest).
 */
export async function askAlgorithm(
  host: SuggestionSource,
  config: ExperimentConfig,
  ask: AlgorithmAsk,
): Promise<SuggestResult> {
  const req = suggestRequest(config, {
    trials: ask.trials,
    count: ask.count,
    seed: ask.seed,
    settings: ask.settings,
    ...(ask.state === undefined ? {} : { state: ask.state }),
  });
  if (req.constraints === undefined) return host.suggest(req);
  // Asked only for constrained experiments: a fake host without capabilities serves every other test.
  const supports = (await host.capabilities?.())?.constraints === true;
  return constrainedSuggest(host, req, { supports, algorithm: config.algorithm.name });
}

/**
 * Throws `algorithmFailed` when one of `suggestions` names its trial in a way no trial may be named; such an answer
 * breaks the algorithm contract and fails the experiment, as a failed request does.
 */
export function checkSuggestionNames(suggestions: readonly Suggestion[], algorithm: string): void {
  for (const s of suggestions) {
    const why = s.name === undefined ? undefined : invalidTrialName(s.name);
    if (why !== undefined) {
      throw new WorkbenchError(
        ErrorCode.algorithmFailed,
        `algorithm '${algorithm}' proposed an invalid trial: ${why}; leave the name out to let the controller name it`,
      );
    }
  }
}

/** Who creates trials, as {@link trialFromSuggestion} records it. */
export interface TrialMaker {
  readonly experiment: ExperimentRecord;
  /** How trial rows name their experiment: its name, and its namespace unless `default`. */
  readonly owner: { readonly experiment: string; readonly namespace?: string };
  readonly executor: TrialExecutor;
  readonly workspace: ExperimentWorkspace;
  /** The trial's first message (`Trial is created`, or which worker created it). */
  readonly message: string;
  /** The creation time, ISO 8601. */
  readonly createdAt: string;
}

/**
 * The Pending trial record for suggestion `s` at sequence number `seq`: the algorithm's name for it, or the
 * experiment's seeded name, moved on (`…-1`, `…-2`) while `taken` says a name is used.
 */
export function trialFromSuggestion(
  s: Suggestion,
  seq: number,
  taken: (name: string) => boolean,
  m: TrialMaker,
): TrialRecord {
  const { name: experiment, seed } = m.experiment;
  let name = s.name ?? trialName(experiment, seed, seq);
  for (let attempt = 1; taken(name); attempt++) name = trialName(experiment, seed, seq, attempt);
  return {
    ...m.owner,
    name,
    seq,
    params: s.params,
    state: 'Pending',
    reason: 'TrialCreated',
    message: m.message,
    metrics: [],
    labels: { 'katib.kubeflow.org/experiment': experiment, ...(s.labels ?? {}) },
    createdAt: m.createdAt,
    ...(s.budget === undefined ? {} : { budget: s.budget }),
    ...(s.parent === undefined ? {} : { parent: s.parent }),
    ...(s.explain === undefined ? {} : { explain: s.explain }),
    ...(m.executor.needsWorkDir ? { workDir: m.workspace.trialDir(name) } : {}),
  };
}

/** What {@link startLiveTrial} needs: the experiment and its config, and the caller's callbacks. */
export interface LaunchContext
  extends Pick<LiveTrialOptions, 'experiment' | 'executor' | 'workspace' | 'settings' | 'warn' | 'onEnded' | 'ready'> {
  readonly config: ExperimentConfig;
  /** Called after the trial reported a new objective value: where the early-stopping rules run. */
  readonly onObjective: () => void;
}

/**
 * Starts stored trial `t` as a {@link LiveTrial} without waiting for it: its program starts once `ready` resolves
 * (after the caller stored it Running), and `onEnded` hears of its end, for the caller's reap stage.
 */
export function startLiveTrial(t: TrialRecord, c: LaunchContext): LiveTrial {
  const { config, ...callbacks } = c;
  return new LiveTrial(t, { ...callbacks, ...liveTrialConfig(config) });
}
