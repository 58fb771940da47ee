import { randomInt } from 'node:crypto';
import { dirname } from 'node:path';
import { ErrorCode, throwIfIssues, WorkbenchError } from '../common/errors.ts';
import { errorsOnly, type Issue } from '../common/issue.ts';
import { builtinEarlyStopping } from '../search/earlyStopping/index.ts';
import { builtinAlgorithms, validateOnlyAlgorithms } from '../search/index.ts';
import type { EarlyStoppingAlgorithm, Settings, ValidationContext } from '../search/types.ts';
import { type ParsedExperiment, parseExperiment, seedPolicyOf, validationContext } from '../spec/config.ts';
import { applyDefaults } from '../spec/defaults.ts';
import { isRecord } from '../spec/read.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import { defaultNamespace, type ExperimentRecord, type Store } from '../store/types.ts';
import { SuggestionHost } from '../suggestion/host.ts';
import {
  earlyStoppingNames,
  katibAlgorithmNames,
  knownAlgorithmNames,
  resolveAlgorithm,
  runnableAlgorithmNames,
} from '../suggestion/registry.ts';
import { capabilityIssues, pairedEarlyStopping } from './capabilities.ts';
import { describeSpecChanges, specChanges } from './specChanges.ts';
import { budgetUsed, countTrials } from './status.ts';

/** Budget fields Katib lets a user edit on an existing experiment (REFERENCE.md §1.3 rule 9). */
const editable = ['maxTrialCount', 'parallelTrialCount', 'maxFailedTrialCount'] as const;

function stripBudget(m: ExperimentManifest): unknown {
  const spec: Record<string, unknown> = { ...m.spec };
  for (const k of editable) delete spec[k];
  return { name: m.metadata.name, namespace: m.metadata.namespace, spec };
}

function canonical(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** What `recordExperiment` (or `prepareExperiment`) decided. */
export interface Prepared {
  readonly record: ExperimentRecord;
  readonly host: SuggestionHost;
  readonly settings: Settings;
  /** True when an existing experiment of that name is being continued. */
  readonly resumed: boolean;
  /** Early-stopping algorithms: `spec.earlyStopping`'s, and the one the algorithm pairs itself with (ASHA's rung rule). */
  readonly earlyStopping: { algorithm: EarlyStoppingAlgorithm; settings: Settings }[];
}

/** `spec.earlyStopping`'s algorithm, checked with its settings. */
function earlyStoppingOf(
  manifest: ExperimentManifest,
  ctx: ValidationContext,
): { rules: { algorithm: EarlyStoppingAlgorithm; settings: Settings }[]; issues: Issue[] } {
  const rules: { algorithm: EarlyStoppingAlgorithm; settings: Settings }[] = [];
  const issues: Issue[] = [];
  const es = manifest.spec.earlyStopping;
  if (es?.algorithmName) {
    const factory = builtinEarlyStopping[es.algorithmName];
    if (!factory) {
      throw new WorkbenchError(
        ErrorCode.unsupported,
        `spec.earlyStopping.algorithmName: '${es.algorithmName}' is not available; available: ${Object.keys(builtinEarlyStopping).join(', ')}`,
      );
    }
    const settings: Record<string, string> = {};
    for (const s of es.algorithmSettings ?? []) settings[s.name] = s.value;
    const algorithm = factory();
    issues.push(
      ...algorithm
        .validate(settings, ctx)
        .map((i) => ({ ...i, path: i.path.replace(/^spec\.algorithm\b/, 'spec.earlyStopping') })),
    );
    rules.push({ algorithm, settings });
  }
  return { rules, issues };
}

/** An Experiment checked as a run checks it, with its algorithm's worker still running when it is valid. */
interface Checked {
  readonly manifest: ExperimentManifest;
  readonly issues: Issue[];
  readonly algorithm?: {
    readonly host: SuggestionHost;
    readonly settings: Settings;
    readonly earlyStopping: Prepared['earlyStopping'];
  };
}

/**
 * Parses an Experiment against this installation's registries (built-in and registered algorithms, a `module`
 * setting, early-stopping rules): Katib's defaults and webhook rules, every issue (warnings too) with its path.
 */
export function parseForThisInstallation(
  input: ExperimentManifest,
  options: { inProcess?: boolean } = {},
): ParsedExperiment {
  return parseExperiment(input, {
    // knownAlgorithmNames tolerates a malformed algorithm; the validator reports it.
    algorithms: knownAlgorithmNames(
      isRecord(input) && isRecord(input.spec) ? (input.spec.algorithm as never) : undefined,
    ),
    earlyStopping: earlyStoppingNames,
    ...(options.inProcess ? { inProcess: true } : {}),
  });
}

/**
 * Every check a run makes before anything is stored: Katib's spec rules, then (if those pass) the algorithm's
 * own settings check — a user's module is loaded in its worker — and the early-stopping settings. With
 * `keepHost` and no issues the caller owns `algorithm.host` and must close it; otherwise it is closed here.
 */
async function check(
  input: ExperimentManifest,
  options: { sourcePath?: string; inProcess?: boolean; keepHost: boolean },
): Promise<Checked> {
  const parsed = parseForThisInstallation(input, options);
  const { config } = parsed;
  if (config === undefined) return { manifest: applyDefaults(input), issues: errorsOnly(parsed.issues) };
  const manifest = config.manifest;
  const baseDir = options.sourcePath ? dirname(options.sourcePath) : process.cwd();
  const name = config.algorithm.name;
  const ctx: ValidationContext = validationContext(config);
  if (!options.keepHost && katibAlgorithmNames.has(name) && !runnableAlgorithmNames().includes(name)) {
    // A Katib algorithm we only validate (none in this version): the spec is fine for `hpo submit`; `hpo run` refuses it.
    const known = Object.hasOwn(validateOnlyAlgorithms, name) ? validateOnlyAlgorithms[name] : undefined;
    if (known === undefined) return { manifest, issues: [] };
    const settings = config.algorithm.settings;
    return {
      manifest,
      issues: errorsOnly([...known.validate(settings, ctx), ...capabilityIssues(config, known.capabilities)]),
    };
  }
  const { ref, settings } = resolveAlgorithm(name, config.algorithm.settings, baseDir);
  // Built-ins are pure and validate the same here as in a worker; a user module is loaded only in its worker.
  const builtin = ref.moduleUrl === undefined ? builtinAlgorithms[ref.name] : undefined;
  let host = builtin === undefined || options.keepHost ? new SuggestionHost(ref) : undefined;
  try {
    let found: Issue[];
    if (builtin !== undefined) found = await builtin().validate(settings, ctx);
    else {
      try {
        found = await host!.validate(settings, ctx);
      } catch (err) {
        // A user module that cannot be loaded (or whose validate() throws) is a problem with the spec.
        if (!(err instanceof WorkbenchError)) throw err;
        // Nothing more can be asked of a module that did not load.
        return { manifest, issues: [{ path: 'spec.algorithm.algorithmSettings.module', message: err.message }] };
      }
    }
    const capabilities = builtin !== undefined ? (builtin().capabilities ?? {}) : await host!.capabilities();
    const stopping = earlyStoppingOf(manifest, ctx);
    const paired = pairedEarlyStopping(capabilities, { settings, ctx, builtin: builtin !== undefined });
    const all = errorsOnly([...found, ...capabilityIssues(config, capabilities), ...stopping.issues, ...paired.issues]);
    if (all.length > 0 || host === undefined) return { manifest, issues: all };
    const earlyStopping = paired.rule === undefined ? stopping.rules : [...stopping.rules, paired.rule];
    const kept = { manifest, issues: [], algorithm: { host, settings, earlyStopping } };
    if (options.keepHost) host = undefined; // the caller owns it now
    return kept;
  } finally {
    await host?.close();
  }
}

/**
 * What `hpo validate` reports: every problem a run would refuse to start with, including the algorithm's own
 * settings check (and loading its module), with nothing stored.
 */
export async function checkExperiment(
  input: ExperimentManifest,
  options: { sourcePath?: string; inProcess?: boolean } = {},
): Promise<Issue[]> {
  return (await check(input, { ...options, keepHost: false })).issues;
}

/** Edits of the budget fields Katib lets a user change on an existing experiment (`hpo resume --max-trials`). */
export type BudgetEdit = Partial<Record<(typeof editable)[number], number>>;

/** An Experiment that passed every check a run makes, with its algorithm's worker running; nothing is stored yet. */
export interface CheckedForRun {
  readonly manifest: ExperimentManifest;
  readonly host: SuggestionHost;
  readonly settings: Settings;
  readonly earlyStopping: Prepared['earlyStopping'];
}

/**
 * The checks of {@link prepareExperiment}, without writing anything: a run takes the experiment's lock between
 * these and {@link recordExperiment}, so that a refused run changes nothing. The caller owns and closes `host`.
 */
export async function checkForRun(
  input: ExperimentManifest,
  options: { sourcePath?: string; inProcess?: boolean },
): Promise<CheckedForRun> {
  const { manifest, issues, algorithm } = await check(input, { ...options, keepHost: true });
  throwIfIssues(issues, `Experiment '${manifest.metadata.name}'`);
  return { manifest, ...algorithm! };
}

/**
 * Creates the store record of a checked Experiment, or continues the stored experiment of the same name when the
 * spec matches apart from the editable budget fields; then applies `budget`. Writes the store: call it only
 * while holding the experiment's lock. Does not close `checked.host`.
 */
export async function recordExperiment(
  checked: CheckedForRun,
  options: { store: Store; sourcePath?: string; allowRestart?: boolean; budget?: BudgetEdit; now?: () => Date },
): Promise<Prepared> {
  const { manifest, host, settings, earlyStopping } = checked;
  // One transaction: a budget edit that Katib's rules refuse leaves no half-made record behind.
  const record = await options.store.transaction(async (tx) => {
    const o = { ...options, store: tx };
    const existing = await tx.getExperiment({
      namespace: manifest.metadata.namespace ?? defaultNamespace,
      name: manifest.metadata.name,
    });
    let r = existing ? await resumeRecord(existing, manifest, o) : await createRecord(manifest, settings, o);
    if (options.budget !== undefined) r = await applyBudget(r, options.budget, o);
    return { r, resumed: existing !== undefined };
  });
  return { record: record.r, host, settings, resumed: record.resumed, earlyStopping };
}

/**
 * Validates an Experiment (spec rules, then the algorithm's own settings check in its worker) and records it
 * ({@link recordExperiment}) without taking the experiment's lock: for tools and tests that set up a store without
 * driving the experiment (`Experiment` itself locks first). Nothing is written when validation fails.
 */
export async function prepareExperiment(
  input: ExperimentManifest,
  options: {
    store: Store;
    sourcePath?: string;
    inProcess?: boolean;
    allowRestart?: boolean;
    /** The clock of the record's timestamps (default: the system clock). */
    now?: () => Date;
  },
): Promise<Prepared> {
  const checked = await checkForRun(input, options);
  try {
    return await recordExperiment(checked, options);
  } catch (err) {
    await checked.host.close();
    throw err;
  }
}

async function createRecord(
  manifest: ExperimentManifest,
  settings: Settings,
  options: { store: Store; sourcePath?: string; now?: () => Date },
): Promise<ExperimentRecord> {
  const policy = seedPolicyOf(settings);
  const seed = policy.kind === 'fixed' ? policy.seed : randomInt(0, 2 ** 31);
  const now = (options.now?.() ?? new Date()).toISOString();
  const record: ExperimentRecord = {
    name: manifest.metadata.name,
    namespace: manifest.metadata.namespace ?? 'default',
    manifest,
    phase: 'Created',
    reason: 'ExperimentCreated',
    message: 'Experiment is created',
    seed,
    createdAt: now,
    updatedAt: now,
    ...(options.sourcePath === undefined ? {} : { sourcePath: options.sourcePath }),
  };
  await options.store.createExperiment(record);
  return record;
}

function resumeRecord(
  existing: ExperimentRecord,
  manifest: ExperimentManifest,
  options: { store: Store; allowRestart?: boolean; now?: () => Date },
): Promise<ExperimentRecord> {
  const name = existing.name;
  const stored = stripBudget(existing.manifest);
  const given = stripBudget(manifest);
  if (canonical(stored) !== canonical(given)) {
    const namespace = existing.namespace === defaultNamespace ? '' : ` --namespace ${existing.namespace}`;
    throw new WorkbenchError(
      ErrorCode.conflict,
      `experiment '${name}' already exists in the store with a different spec, so it cannot be continued: ${describeSpecChanges(specChanges(stored, given))}. Only spec.parallelTrialCount, spec.maxTrialCount and spec.maxFailedTrialCount can change on resume. To start fresh, delete the stored one (\`hpo delete ${name}${namespace}\`, or \`deleteExperiment(store, '${name}')\` in code) or give the new experiment another metadata.name; to continue the stored one, run it with its stored spec`,
    );
  }
  return applyBudget(existing, manifest.spec, options);
}

/**
 * Applies budget edits to a stored experiment with Katib's rules: a completed experiment restarts only if
 * it succeeded by reaching max trials and its resumePolicy is LongRunning or FromVolume, and the new
 * maxTrialCount must exceed the trials already counted.
 */
export async function applyBudget(
  existing: ExperimentRecord,
  edits: Partial<Record<(typeof editable)[number], number | undefined>>,
  options: { store: Store; now?: () => Date },
): Promise<ExperimentRecord> {
  const spec = { ...existing.manifest.spec };
  const issues: Issue[] = [];
  let changed = false;
  for (const k of editable) {
    const v = edits[k];
    if (v === undefined || v === spec[k]) continue;
    if (!Number.isInteger(v) || v < (k === 'maxFailedTrialCount' ? 0 : 1)) {
      issues.push({
        path: `spec.${k}`,
        message: `must be a whole number ${k === 'maxFailedTrialCount' ? '>= 0' : '> 0'}, got ${v}`,
      });
      continue;
    }
    spec[k] = v;
    changed = true;
  }
  throwIfIssues(issues, `Budget edit of '${existing.name}'`);
  if (!changed) return existing;
  const completed = existing.phase === 'Succeeded' || existing.phase === 'Failed';
  const key = { namespace: existing.namespace, name: existing.name };
  const used = budgetUsed(countTrials((await options.store.listTrials(key)).map((t) => t.state)));
  if (completed) {
    const policy = spec.resumePolicy ?? 'Never';
    const restartable =
      existing.phase === 'Succeeded' && existing.reason === 'ExperimentMaxTrialsReached' && policy !== 'Never';
    if (!restartable) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `spec.resumePolicy: experiment '${existing.name}' is ${existing.phase} (${existing.reason}) and cannot be restarted: Katib restarts only an experiment that succeeded by reaching max trials with resumePolicy LongRunning or FromVolume (it is ${policy}). Set spec.resumePolicy: LongRunning in the file and run it under a new name`,
      );
    }
  }
  if (spec.maxTrialCount !== undefined && edits.maxTrialCount !== undefined && spec.maxTrialCount <= used) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `spec.maxTrialCount: must be greater than the ${used} trials already counted; got ${spec.maxTrialCount}`,
    );
  }
  const manifest = { ...existing.manifest, spec };
  await options.store.updateExperiment(key, {
    manifest,
    updatedAt: (options.now?.() ?? new Date()).toISOString(),
  });
  return { ...existing, manifest };
}
