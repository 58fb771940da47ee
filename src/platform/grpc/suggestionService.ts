import { status } from '@grpc/grpc-js';
import { errorsOnly, type Issue } from '../../common/issue.ts';
import { capabilityIssues } from '../../experiment/capabilities.ts';
import type { SuggestResult } from '../../search/types.ts';
import { statelessSeed, suggestRequest, validationContext } from '../../spec/config.ts';
import { trialName } from '../../trial/naming.ts';
import { AlgorithmHosts } from './algorithmHosts.ts';
import { toAssignmentList } from './assignments.ts';
import { readExperiment } from './experiment.ts';
import { buildHistory, type History } from './history.ts';
import type {
  AssignmentsMessage,
  ExperimentMessage,
  GetSuggestionsReplyMessage,
  GetSuggestionsRequestMessage,
  ValidateAlgorithmSettingsRequestMessage,
} from './messages.ts';
import { tendCheckpoints } from './pbtCheckpoints.ts';
import { compactIssued, type EntryKind, encodeState, type IssuedEntry, stateSetting } from './state.ts';
import { GrpcStatusError, invalidArgument, toGrpcStatus } from './status.ts';
import { SuggestionVolume } from './suggestionVolume.ts';

/** Options of {@link KatibSuggestionService}. */
export interface SuggestionServiceOptions {
  /**
   * How long an assignment of an earlier reply may stay out of the requests before it counts as a hidden
   * (MetricsUnavailable) trial rather than one Katib has not created yet. Default 60 s; see history.ts.
   */
  readonly unseenGraceMs?: number;
  /** The clock for that grace period (tests pass a fake one). */
  readonly now?: () => number;
  /**
   * Entries of the assignment record in `hpo_state` before it is compacted (state.ts `compactIssued`); default
   * 1,000, about 100 KB of state.
   */
  readonly maxRecordEntries?: number;
  /**
   * The suggestion volume's mount point (Katib mounts it at `/opt/katib/data`): for an Experiment with PBT's
   * `suggestion_trial_dir` setting, each assignment's checkpoint folder `<dataDir>/<experiment>/<trial>` is made
   * there before the reply, a copy of its parent's (suggestionVolume.ts). Absent: no folders are made.
   */
  readonly dataDir?: string;
  /**
   * How many of the newest PBT generations keep all their checkpoint folders (at least 2); older folders no trial
   * can be seeded from again are removed, except the best trial's (checkpointLineage.ts). Default 2;
   * `Infinity` keeps every folder, as Katib's service does.
   */
  readonly keepGenerations?: number;
  /** Receives warnings (a parent without a checkpoint folder) and what was removed from the volume. */
  readonly log?: (line: string) => void;
}

/** The algorithm settings a request's Experiment carries, as given (before `hpo_state` is split off). */
function settingsOfRequest(message: ExperimentMessage | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of message?.spec?.algorithm?.algorithm_settings ?? []) out[s.name] = s.value;
  return out;
}

/** The algorithm name a request's Experiment carries ('' when none). */
function algorithmName(message: ExperimentMessage | null): string {
  return message?.spec?.algorithm?.algorithm_name ?? '';
}

function throwStatus(code: status, details: string): never {
  throw new GrpcStatusError(code, details);
}

/**
 * Katib's `Suggestion` service over the built-in and registered algorithms, each run in the worker-thread host `hpo
 * run` uses (algorithmHosts.ts). Stateless between calls except for the clock of assignments not yet seen and the
 * workers' mirrors of the history (the algorithm state travels in the `hpo_state` setting; see state.ts).
 */
export class KatibSuggestionService {
  private readonly algorithms = new AlgorithmHosts();
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly maxEntries: number;
  /** Per experiment: when each never-seen issued entry (by trial name: compaction moves indexes) was first missing. */
  private readonly missingSince = new Map<string, Map<string, number>>();
  private readonly volume: SuggestionVolume | undefined;
  private readonly keepGenerations: number;
  private readonly log: (line: string) => void;

  /** A service; see {@link SuggestionServiceOptions}. */
  constructor(options: SuggestionServiceOptions = {}) {
    this.graceMs = options.unseenGraceMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxRecordEntries ?? 1000;
    this.volume = options.dataDir === undefined ? undefined : new SuggestionVolume(options.dataDir);
    this.keepGenerations = options.keepGenerations ?? 2;
    this.log = options.log ?? (() => {});
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
    const name = algorithmName(req.experiment);
    // Refuses an algorithm this server does not run (or a module setting) before the Experiment is read.
    this.algorithms.hostFor(req.experiment?.name ?? '', name, settingsOfRequest(req.experiment));
    const { experiment, issues } = readExperiment(req.experiment, { algorithms: this.algorithms.served() });
    if (experiment === undefined) throw invalidArgument('invalid Experiment', errorsOnly(issues));
    const { config, state } = experiment;
    const { host } = this.algorithms.hostFor(config.name, name, config.algorithm.settings);
    const record = state?.issued ?? [];
    const history = buildHistory({
      space: config.space,
      metricName: config.objectives[0]!.metricName,
      trials: req.trials,
      issued: record,
      overdue: (index) => this.overdue(config.name, record[index]?.n ?? ''),
    });
    this.keepMissing(
      config.name,
      history.unseen.map((i) => record[i]?.n ?? ''),
    );
    // Katib keeps no drawn seed for us, so the stateless rule stands in for the record's seed (src/spec/config.ts).
    const seed = statelessSeed(config);
    let result: SuggestResult;
    try {
      // The request the local controller builds for the same config, history and seed.
      const request = suggestRequest(config, {
        trials: history.trials,
        count,
        seed,
        settings: config.algorithm.settings,
        ...(state?.state === undefined ? {} : { state: state.state }),
      });
      result = await host.suggest(request);
    } catch (error) {
      throw toGrpcStatus(error);
    }
    checkCount(config.algorithm.name, result, count, history);
    const issued: IssuedEntry[] = [...history.issued];
    // A compacted record is shorter than what was handed out: new names count on from the total.
    const handedOut = state?.count ?? record.length;
    const assignments = result.suggestions.map((s, k): AssignmentsMessage => {
      let list: ReturnType<typeof toAssignmentList>;
      try {
        list = toAssignmentList(config.space, s.params);
      } catch (error) {
        throw toGrpcStatus(error);
      }
      const name = s.name ?? freeName(config.name, seed, handedOut + k, history.names);
      history.names.add(name);
      const labels = s.labels ?? {};
      const entry: IssuedEntry = { n: name, v: list.map((a) => a.value) };
      issued.push(Object.keys(labels).length === 0 ? entry : { ...entry, l: { ...labels } });
      return { assignments: list, trial_name: name, labels: { ...labels } };
    });
    const kinds = [...history.kinds, ...assignments.map((): EntryKind => 'unseen')];
    const next = {
      version: 1 as const,
      algorithm: config.algorithm.name,
      issued: compactIssued(issued, kinds, this.maxEntries),
      ...(issued.length > this.maxEntries || state?.count !== undefined
        ? { count: handedOut + assignments.length }
        : {}),
    };
    const value = encodeState(result.state === undefined ? next : { ...next, state: result.state });
    // Before the reply: Katib creates the trials from it, and a trial must find its folder seeded when it starts.
    if (this.volume !== undefined) {
      await tendCheckpoints({
        volume: this.volume,
        config,
        suggestions: result.suggestions,
        assignments,
        history,
        keepGenerations: this.keepGenerations,
        log: this.log,
      });
    }
    return {
      parameter_assignments: assignments,
      algorithm: { algorithm_name: config.algorithm.name, algorithm_settings: [{ name: stateSetting, value }] },
      early_stopping_rules: [],
    };
  }

  /**
   * ValidateAlgorithmSettings: OK, or INVALID_ARGUMENT with every problem `hpo validate` reports, joined in the
   * details: the Experiment's own checks (`parseExperiment`: the webhook's rules and those Katib leaves to run time),
   * then, once those pass, the algorithm's `validate` and its capabilities. An algorithm that crashes while validating
   * is also INVALID_ARGUMENT: Katib treats only INVALID_ARGUMENT and UNKNOWN as a rejection and would start a doomed
   * run.
   */
  async validateAlgorithmSettings(req: ValidateAlgorithmSettingsRequestMessage): Promise<void> {
    const name = algorithmName(req.experiment);
    this.algorithms.hostFor(req.experiment?.name ?? '', name, settingsOfRequest(req.experiment));
    const { experiment, issues } = readExperiment(req.experiment, { algorithms: this.algorithms.served() });
    const problems: Issue[] = errorsOnly(issues);
    // As `hpo validate`: the algorithm's own check runs once the Experiment itself is valid.
    if (experiment !== undefined) {
      const { config } = experiment;
      try {
        const { host, settings } = this.algorithms.hostFor(config.name, name, config.algorithm.settings);
        problems.push(...errorsOnly(await host.validate(settings, validationContext(config))));
        problems.push(...capabilityIssues(config, await host.capabilities()));
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        problems.push({ path: 'spec.algorithm', message: `validation of ${name} failed: ${text}` });
      }
    }
    if (problems.length > 0) throw invalidArgument(`invalid settings for algorithm ${name}`, problems);
  }

  /** Stops the algorithms' workers. */
  close(): Promise<void> {
    return this.algorithms.close();
  }

  private overdue(experiment: string, name: string): boolean {
    let times = this.missingSince.get(experiment);
    if (times === undefined) {
      times = new Map();
      this.missingSince.set(experiment, times);
    }
    const first = times.get(name);
    if (first === undefined) {
      times.set(name, this.now());
      return false;
    }
    return this.now() - first >= this.graceMs;
  }

  /** Forgets the clocks of entries that have been seen since (only `unseen` still need one). */
  private keepMissing(experiment: string, unseen: readonly string[]): void {
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
