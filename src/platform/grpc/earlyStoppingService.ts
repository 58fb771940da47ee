import { type Client, credentials, type ServiceError, status } from '@grpc/grpc-js';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { errorsOnly } from '../../common/issue.ts';
import { builtinEarlyStopping } from '../../search/earlyStopping/index.ts';
import type {
  EarlyStoppingAlgorithm,
  EarlyStoppingRule,
  Settings,
  TrialView,
  ValidationContext,
} from '../../search/types.ts';
import { configOf, type ExperimentConfig, validationContext } from '../../spec/config.ts';
import { checkObjective } from '../../spec/validateObjective.ts';
import { settingsOf, toManifest } from './experiment.ts';
import { loadKatibServices } from './loadProto.ts';
import type {
  EarlyStoppingRuleMessage,
  ExperimentMessage,
  GetEarlyStoppingRulesRequestMessage,
  GetObservationLogReplyMessage,
  SetTrialStatusRequestMessage,
  ValidateEarlyStoppingSettingsRequestMessage,
} from './messages.ts';
import { GrpcStatusError, invalidArgument } from './status.ts';

/** The early-stopping algorithms served over Katib's API (ASHA's rung rule compares latest values: no Katib form). */
const served: readonly string[] = ['medianstop'];

/**
 * What ValidateEarlyStoppingSettings, whose request has no Experiment, gives an algorithm's settings check. Katib's
 * early-stopping services check the settings alone, and so does medianstop's.
 */
const noExperiment: ValidationContext = {
  space: [],
  objective: { type: 'minimize', metricName: '' },
  parallelTrialCount: 1,
};

/** Options of {@link KatibEarlyStoppingService}. */
export interface EarlyStoppingServiceOptions {
  /**
   * Marks a trial EarlyStopped (Katib's service appends the condition over the Kubernetes API; `hpo
   * suggestion-server` passes `earlyStoppedMarker` of `hpo-workbench/kubernetes`, which does the same). Katib's
   * metrics collector calls SetTrialStatus after it stopped a trial and exits with an error when the call fails,
   * which fails the trial's pod; so without this hook the call succeeds and does nothing, and Katib records the
   * trial as Succeeded with the metrics it reported before it was stopped.
   */
  readonly setTrialStatus?: (trialName: string) => Promise<void>;
  /** Deadline of each DB manager call, in ms (default 10 s). */
  readonly dbTimeoutMs?: number;
}

type ObservationClient = Client & {
  GetObservationLog(
    req: { trial_name: string; metric_name: string },
    options: { deadline: Date },
    done: (error: ServiceError | null, reply?: GetObservationLogReplyMessage) => void,
  ): void;
};

/**
 * The early-stopping algorithm `name` from the table the local controller uses (`builtinEarlyStopping`), with
 * `settings` checked by its own `validate` (Katib's messages); INVALID_ARGUMENT for an algorithm this server does
 * not serve, or for bad settings.
 */
function algorithmFor(name: string, settings: Settings, ctx: ValidationContext): EarlyStoppingAlgorithm {
  const factory = served.includes(name) ? builtinEarlyStopping[name] : undefined;
  if (factory === undefined) {
    throw new GrpcStatusError(
      status.INVALID_ARGUMENT,
      `unknown early stopping algorithm '${name}'; this server runs: ${served.join(', ')}`,
    );
  }
  const algorithm = factory();
  const issues = errorsOnly(algorithm.validate(settings, ctx));
  if (issues.length > 0) throw invalidArgument(`invalid settings for early stopping ${name}`, issues);
  return algorithm;
}

/**
 * A request's Experiment read into the config every front end uses (`toManifest`, then `configOf`), with its
 * early-stopping algorithm. Katib's webhook checked the Experiment, and its suggestion algorithm may be one this
 * server does not run, so only what the rules are computed on is checked again: the early stopping, then the
 * objective (with `hpo validate`'s rules).
 */
function readForEarlyStopping(message: ExperimentMessage | null): {
  config: ExperimentConfig;
  algorithm: EarlyStoppingAlgorithm;
  settings: Settings;
} {
  const manifest = toManifest(message, {});
  const config = configOf(manifest);
  const { name, settings } = config.earlyStopping ?? { name: '', settings: {} };
  const issues = errorsOnly(checkObjective(manifest.spec as unknown as Record<string, unknown>));
  // The settings check is given the objective only once it is a valid one.
  const algorithm = algorithmFor(name, settings, issues.length > 0 ? noExperiment : validationContext(config));
  if (issues.length > 0) throw invalidArgument('invalid Experiment', issues);
  return { config, algorithm, settings };
}

/**
 * A rule as Katib's API carries it. Katib's collector always compares the best value so far, so a rule on the latest
 * value (`of: 'latest'`, ASHA's) has no Katib form and is refused rather than sent with another meaning.
 */
export function toKatibRule(rule: EarlyStoppingRule): EarlyStoppingRuleMessage {
  if (rule.of === 'latest') {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `early-stopping rule on ${rule.name}'s latest value has no Katib form`,
    );
  }
  return { name: rule.name, value: String(rule.value), comparison: rule.comparison, start_step: rule.startStep ?? 0 };
}

/**
 * Katib's `EarlyStopping` service for `medianstop`: the rules MedianStopRule gives a new trial, in Katib's form. They
 * come from the same `rules()` the local controller's `decideEarlyStop` evaluates at every report; under Katib, its
 * metrics collector evaluates them next to the trial. Katib's collector checks a trial once, at its `start_step`-th report,
 * comparing its best value so far with the rule's value: the median, over completed (Succeeded or EarlyStopped)
 * trials that reached `start_step` reports, of their best value up to that report; Katib's own service uses the mean
 * of per-trial averages of the first reports instead. Histories come from Katib's DB manager, as in Katib.
 */
export class KatibEarlyStoppingService {
  private readonly options: EarlyStoppingServiceOptions;
  /** Completed trials' histories by DB address, trial and metric: they no longer change. */
  private readonly curves = new Map<string, number[]>();
  private readonly clients = new Map<string, ObservationClient>();

  /** A service; see {@link EarlyStoppingServiceOptions}. */
  constructor(options: EarlyStoppingServiceOptions = {}) {
    this.options = options;
  }

  /** GetEarlyStoppingRules: one rule once `min_trials_required` completed trials have `start_step` reports, else none. */
  async getEarlyStoppingRules(req: GetEarlyStoppingRulesRequestMessage): Promise<EarlyStoppingRuleMessage[]> {
    const { config, algorithm, settings } = readForEarlyStopping(req.experiment);
    const objective = config.objectives[0]!;
    // Without a DB manager there are no histories to compare with (a local run gives the address).
    if (req.db_manager_address === '') return [];
    const metric = objective.metricName;
    const completed = req.trials.filter((t) => {
      const condition = t.status?.condition;
      return condition === 'SUCCEEDED' || condition === 'EARLYSTOPPED';
    });
    const histories = await Promise.all(completed.map((t) => this.history(req.db_manager_address, t.name, metric)));
    // Katib's DB log has no steps: a report's step is its number, as the controller numbers reports.
    const trials = completed.map(
      (t, i): TrialView => ({
        name: t.name,
        params: {},
        state: t.status?.condition === 'SUCCEEDED' ? 'Succeeded' : 'EarlyStopped',
        intermediate: (histories[i] ?? []).map((value, n) => ({ step: n + 1, value })),
      }),
    );
    // The rules are for the trials about to be created: no name yet (Katib's are never empty), no reports.
    const fresh: TrialView = { name: '', params: {}, state: 'Pending' };
    // The same rules() the local controller's decideEarlyStop evaluates; Katib's collector evaluates them here.
    const rules = algorithm.rules({ objective, trials, trial: fresh, settings });
    return rules.map(toKatibRule);
  }

  /** ValidateEarlyStoppingSettings: OK for valid medianstop settings, else INVALID_ARGUMENT with Katib's messages. */
  validateEarlyStoppingSettings(req: ValidateEarlyStoppingSettingsRequestMessage): void {
    const spec = req.early_stopping;
    algorithmFor(spec?.algorithm_name ?? '', settingsOf(spec), noExperiment);
  }

  /** SetTrialStatus: the `setTrialStatus` hook, or nothing (see {@link EarlyStoppingServiceOptions}). */
  async setTrialStatus(req: SetTrialStatusRequestMessage): Promise<void> {
    if (req.trial_name === '') throw new GrpcStatusError(status.INVALID_ARGUMENT, 'trial_name is required');
    await this.options.setTrialStatus?.(req.trial_name);
  }

  /** Closes the DB manager connections. */
  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  /** The trial's numeric reports of `metric`, in the DB's (time) order; non-numbers ("unavailable") are skipped. */
  private async history(address: string, trial: string, metric: string): Promise<number[]> {
    const key = JSON.stringify([address, trial, metric]);
    const cached = this.curves.get(key);
    if (cached !== undefined) return cached;
    const reply = await this.fetch(address, trial, metric);
    const out: number[] = [];
    for (const log of reply.observation_log?.metric_logs ?? []) {
      if (log.metric?.name !== undefined && log.metric.name !== metric) continue;
      const text = log.metric?.value ?? '';
      const n = text.trim() === '' ? Number.NaN : Number(text);
      if (Number.isFinite(n)) out.push(n);
    }
    // An empty history may just not be written yet; ask again next time.
    if (out.length > 0) this.curves.set(key, out);
    return out;
  }

  private fetch(address: string, trial: string, metric: string): Promise<GetObservationLogReplyMessage> {
    let client = this.clients.get(address);
    if (client === undefined) {
      const { DBManager } = loadKatibServices();
      client = new DBManager(address, credentials.createInsecure()) as unknown as ObservationClient;
      this.clients.set(address, client);
    }
    const deadline = new Date(Date.now() + (this.options.dbTimeoutMs ?? 10_000));
    const c = client;
    return new Promise((resolve, reject) => {
      c.GetObservationLog({ trial_name: trial, metric_name: metric }, { deadline }, (error, reply) => {
        if (error !== null || reply === undefined) {
          const why = error?.details ?? 'no reply';
          reject(new GrpcStatusError(status.UNAVAILABLE, `reading ${trial}'s ${metric} from ${address}: ${why}`));
          return;
        }
        resolve(reply);
      });
    });
  }
}
