import { status } from '@grpc/grpc-js';
import { errorsOnly, type Issue } from '../../common/issue.ts';
import { builtinAlgorithms } from '../../search/index.ts';
import type { SearchAlgorithm, SuggestResult } from '../../search/types.ts';
import { seedPolicyOf, statelessSeed } from '../../spec/config.ts';
import { trialName } from '../../trial/naming.ts';
import { toAssignmentList } from './assignments.ts';
import { readExperiment } from './experiment.ts';
import { buildHistory, type History } from './history.ts';
import type {
  AssignmentsMessage,
  GetSuggestionsReplyMessage,
  GetSuggestionsRequestMessage,
  ValidateAlgorithmSettingsRequestMessage,
} from './messages.ts';
import { encodeState, type IssuedEntry, splitSettings, stateSetting } from './state.ts';
import { GrpcStatusError, invalidArgument, toGrpcStatus } from './status.ts';

/** Options of {@link KatibSuggestionService}. */
export interface SuggestionServiceOptions {
  /**
   * How long an assignment of an earlier reply may stay out of the requests before it counts as a hidden
   * (MetricsUnavailable) trial rather than one Katib has not created yet. Default 60 s; see history.ts.
   */
  readonly unseenGraceMs?: number;
  /** The clock for that grace period (tests pass a fake one). */
  readonly now?: () => number;
}

/** The algorithm of `name`, or INVALID_ARGUMENT naming the ones this server runs. */
function algorithmFor(name: string): SearchAlgorithm {
  const factory = Object.hasOwn(builtinAlgorithms, name) ? builtinAlgorithms[name] : undefined;
  if (factory !== undefined) return factory();
  const available = Object.keys(builtinAlgorithms).sort().join(', ');
  const what = name === '' ? 'spec.algorithm.algorithmName is required' : `unknown algorithm '${name}'`;
  return throwStatus(status.INVALID_ARGUMENT, `${what}; this suggestion server runs: ${available}`);
}

function throwStatus(code: status, details: string): never {
  throw new GrpcStatusError(code, details);
}

/**
 * Katib's `Suggestion` service over the built-in algorithms, called in-process. Stateless between calls except
 * for the clock of assignments not yet seen (the algorithm state travels in the `hpo_state` setting; see state.ts).
 */
export class KatibSuggestionService {
  private readonly graceMs: number;
  private readonly now: () => number;
  /** Per experiment: when each never-seen issued entry was first missing. */
  private readonly missingSince = new Map<string, Map<number, number>>();

  /** A service; see {@link SuggestionServiceOptions}. */
  constructor(options: SuggestionServiceOptions = {}) {
    this.graceMs = options.unseenGraceMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * GetSuggestions: exactly `current_request_number` assignments, or an error. Katib's controller drops any reply
   * of another size ("The response contains unexpected trials") and asks again later, so a short answer is
   * reported as an error saying why: FAILED_PRECONDITION when the algorithm has finished (it will never fill the
   * request: lower maxTrialCount), UNAVAILABLE when it waits for running trials (a later request may succeed).
   */
  async getSuggestions(req: GetSuggestionsRequestMessage): Promise<GetSuggestionsReplyMessage> {
    const count = req.current_request_number;
    if (count <= 0) throwStatus(status.INVALID_ARGUMENT, `current_request_number must be at least 1, got ${count}`);
    const { view, issues } = readExperiment(req.experiment);
    if (errorsOnly(issues).length > 0) throw invalidArgument('invalid Experiment', errorsOnly(issues));
    const algorithm = algorithmFor(view.algorithmName);
    const { settings, state } = splitSettings(view.settings, view.algorithmName);
    const history = buildHistory({
      space: view.space,
      metricName: view.objective.metricName,
      trials: req.trials,
      issued: state?.issued ?? [],
      overdue: (index) => this.overdue(view.name, index),
    });
    this.keepMissing(view.name, history.unseen);
    // The one seed rule (src/spec/config.ts); Katib keeps no drawn seed for us, so the name stands in for it.
    const seed = statelessSeed({ name: view.name, seed: seedPolicyOf(settings) });
    let result: SuggestResult;
    try {
      result = await algorithm.suggest({
        experiment: view.name,
        space: view.space,
        objectives: [view.objective],
        objective: view.objective,
        trials: history.trials,
        count,
        seed,
        settings,
        ...(state?.state === undefined ? {} : { state: state.state }),
        parallelTrialCount: view.context.parallelTrialCount,
        ...(view.context.maxTrialCount === undefined ? {} : { maxTrialCount: view.context.maxTrialCount }),
      });
    } catch (error) {
      throw toGrpcStatus(error);
    }
    checkCount(view.algorithmName, result, count, history);
    const issued: IssuedEntry[] = [...history.issued];
    const assignments = result.suggestions.map((s): AssignmentsMessage => {
      let list: ReturnType<typeof toAssignmentList>;
      try {
        list = toAssignmentList(view.space, s.params);
      } catch (error) {
        throw toGrpcStatus(error);
      }
      const name = s.name ?? freeName(view.name, seed, issued.length, history.names);
      history.names.add(name);
      const labels = s.labels ?? {};
      const entry: IssuedEntry = { n: name, v: list.map((a) => a.value) };
      issued.push(Object.keys(labels).length === 0 ? entry : { ...entry, l: { ...labels } });
      return { assignments: list, trial_name: name, labels: { ...labels } };
    });
    const next = { version: 1 as const, algorithm: view.algorithmName, issued };
    const value = encodeState(result.state === undefined ? next : { ...next, state: result.state });
    return {
      parameter_assignments: assignments,
      algorithm: { algorithm_name: view.algorithmName, algorithm_settings: [{ name: stateSetting, value }] },
      early_stopping_rules: [],
    };
  }

  /**
   * ValidateAlgorithmSettings: OK, or INVALID_ARGUMENT with every problem (parameters Katib's webhook lets through,
   * then the algorithm's `validate`) joined in the details. An algorithm that crashes while validating is also
   * INVALID_ARGUMENT: Katib treats only INVALID_ARGUMENT and UNKNOWN as a rejection and would start a doomed run.
   */
  validateAlgorithmSettings(req: ValidateAlgorithmSettingsRequestMessage): void {
    const { view, issues } = readExperiment(req.experiment);
    const algorithm = algorithmFor(view.algorithmName);
    const { settings } = splitSettings(view.settings, view.algorithmName);
    const problems: Issue[] = errorsOnly(issues);
    try {
      problems.push(...errorsOnly(algorithm.validate(settings, view.context)));
    } catch (error) {
      // A space that already failed its checks may well crash the algorithm; those issues say enough.
      if (problems.length === 0) {
        const text = error instanceof Error ? error.message : String(error);
        problems.push({ path: 'spec.algorithm', message: `validation of ${view.algorithmName} failed: ${text}` });
      }
    }
    if (problems.length > 0) throw invalidArgument(`invalid settings for algorithm ${view.algorithmName}`, problems);
  }

  private overdue(experiment: string, index: number): boolean {
    let times = this.missingSince.get(experiment);
    if (times === undefined) {
      times = new Map();
      this.missingSince.set(experiment, times);
    }
    const first = times.get(index);
    if (first === undefined) {
      times.set(index, this.now());
      return false;
    }
    return this.now() - first >= this.graceMs;
  }

  /** Forgets the clocks of entries that have been seen since (only `unseen` still need one). */
  private keepMissing(experiment: string, unseen: readonly number[]): void {
    const times = this.missingSince.get(experiment);
    if (times === undefined) return;
    const keep = new Set(unseen);
    for (const index of times.keys()) if (!keep.has(index)) times.delete(index);
    if (times.size === 0) this.missingSince.delete(experiment);
  }
}

/** Throws unless the algorithm returned exactly `count` suggestions (see `getSuggestions`). */
function checkCount(algorithm: string, result: SuggestResult, count: number, history: History): void {
  const got = result.suggestions.length;
  if (got === count) return;
  if (got > count) {
    throwStatus(status.INTERNAL, `${algorithm} returned ${got} assignments for a request of ${count}`);
  }
  const issuedSoFar = history.issued.length;
  if (result.exhausted === true) {
    throwStatus(
      status.FAILED_PRECONDITION,
      `${algorithm} has finished: it can propose ${got} more trial(s) but Katib asked for ${count}, and Katib ` +
        `accepts only exactly that many, so it will keep asking. Set spec.maxTrialCount to at most ${issuedSoFar + got}.`,
    );
  }
  const invisible = history.unseen.length;
  throwStatus(
    status.UNAVAILABLE,
    `${algorithm} can propose ${got} of the ${count} trial(s) Katib asked for until running trials finish` +
      `${invisible > 0 ? ` (${invisible} trial(s) of the last reply are not in the request yet)` : ''}; Katib ` +
      'accepts only exactly the number it asked for and will ask again. If this repeats, lower parallelTrialCount.',
  );
}

/** A Katib-style name for the `seq`-th assignment that no trial or earlier assignment has. */
function freeName(experiment: string, seed: number, seq: number, taken: ReadonlySet<string>): string {
  let name = trialName(experiment, seed, seq);
  for (let attempt = 1; taken.has(name); attempt++) name = trialName(experiment, seed, seq, attempt);
  return name;
}
