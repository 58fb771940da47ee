import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Assignment } from '../search/space.ts';
import type { TrialState } from '../search/types.ts';
import { isRecord } from '../spec/read.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import {
  type ChangeKind,
  type ChangePage,
  type ChangeRow,
  defaultNamespace,
  type EventRow,
  type ExperimentLock,
  type ExperimentPatch,
  type ExperimentPhase,
  type ExperimentRecord,
  type MetricSummary,
  type ObservationRow,
  type StoredObservation,
  type TrialPatch,
  type TrialRecord,
} from './types.ts';

// Converts between records and table rows. Absent optional fields are NULL in a row and omitted (never
// `undefined`) in a record, so a record read back deep-equals the one written.

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A value better-sqlite3 can bind. */
export type SqlValue = string | number | null;

/** A row of `experiments`. */
export interface ExperimentRow {
  name: string;
  namespace: string;
  manifest: string;
  phase: string;
  reason: string;
  message: string;
  seed: number;
  source_path: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

/** A row of `trials`. */
export interface TrialRow {
  namespace: string;
  experiment: string;
  name: string;
  seq: number;
  params: string;
  state: string;
  reason: string;
  message: string;
  /** REAL affinity keeps a number; a damaged row may hold text. */
  objective: number | string | null;
  metrics: string;
  budget: number | null;
  parent: string | null;
  labels: string;
  explain: string | null;
  work_dir: string | null;
  exit_code: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
}

/** A row of `observation_logs` as read back. */
export interface ObservationDbRow {
  trial: string;
  step: number;
  metric: string;
  value: string;
  time: string | null;
}

/** A row of `events` as read back. */
export interface EventDbRow {
  namespace: string;
  experiment: string;
  trial: string | null;
  type: string;
  reason: string;
  message: string;
  time: string;
}

const json = (v: unknown): string => JSON.stringify(v);
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
const jsonOrNull = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** Experiment record → row. */
export function experimentToRow(rec: ExperimentRecord): ExperimentRow {
  return {
    name: rec.name,
    namespace: rec.namespace,
    manifest: json(rec.manifest),
    phase: rec.phase,
    reason: rec.reason,
    message: rec.message,
    seed: rec.seed,
    source_path: orNull(rec.sourcePath),
    created_at: rec.createdAt,
    updated_at: rec.updatedAt,
    completed_at: orNull(rec.completedAt),
  };
}

/** One damaged column of one stored row: the value could not be decoded, so the record is read without it. */
export interface StoreDamage {
  readonly experiment: string;
  /** Absent when the damage is in the experiment's own row. */
  readonly trial?: string;
  readonly column: string;
  readonly problem: string;
}

/**
 * Receives each damaged column a read finds. Without one a damaged row fails the read with a `storeFailed`
 * error naming experiment, trial and column; with one (the CLI's read commands) the rest of the store stays
 * readable and the damage is reported beside the output.
 */
export type DamageSink = (damage: StoreDamage) => void;

function failOnDamage(d: StoreDamage): never {
  const where = `experiment ${d.experiment}${d.trial === undefined ? '' : `, trial ${d.trial}`}, column ${d.column}`;
  throw new WorkbenchError(ErrorCode.storeFailed, `damaged row in the store (${where}): ${d.problem}`);
}

/** Decodes a JSON column; a text that is not JSON, or not the expected kind of value, is damage. */
function decodeJson<T>(
  text: string,
  expected: 'object' | 'array',
  fallback: T,
  where: { experiment: string; trial?: string; column: string },
  onDamage: DamageSink,
): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    onDamage({ ...where, problem: `not JSON (${(e as Error).message})` });
    return fallback;
  }
  const ok =
    expected === 'array' ? Array.isArray(value) : typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!ok) {
    onDamage({ ...where, problem: `expected a JSON ${expected}, found ${JSON.stringify(value)?.slice(0, 40)}` });
    return fallback;
  }
  return value as T;
}

/** Row → experiment record; a manifest that cannot be decoded is reported to `onDamage` and read as an empty spec. */
export function rowToExperiment(row: ExperimentRow, onDamage: DamageSink = failOnDamage): ExperimentRecord {
  const fallback = {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Experiment',
    metadata: { name: row.name, namespace: row.namespace },
    spec: {},
  } as ExperimentManifest;
  const rec: Mutable<ExperimentRecord> = {
    name: row.name,
    namespace: row.namespace,
    manifest: decodeJson(row.manifest, 'object', fallback, { experiment: row.name, column: 'manifest' }, onDamage),
    phase: row.phase as ExperimentPhase,
    reason: row.reason,
    message: row.message,
    seed: row.seed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (!isRecord(rec.manifest.spec)) {
    onDamage({ experiment: row.name, column: 'manifest', problem: 'the manifest has no spec object' });
    rec.manifest = { ...rec.manifest, spec: {} } as ExperimentManifest;
  }
  if (row.source_path !== null) rec.sourcePath = row.source_path;
  if (row.completed_at !== null) rec.completedAt = row.completed_at;
  return rec;
}

/** Trial record → row. */
export function trialToRow(rec: TrialRecord): TrialRow {
  return {
    namespace: rec.namespace ?? defaultNamespace,
    experiment: rec.experiment,
    name: rec.name,
    seq: rec.seq,
    params: json(rec.params),
    state: rec.state,
    reason: rec.reason,
    message: rec.message,
    objective: orNull(rec.objective),
    metrics: json(rec.metrics),
    budget: orNull(rec.budget),
    parent: orNull(rec.parent),
    labels: json(rec.labels),
    explain: jsonOrNull(rec.explain),
    work_dir: orNull(rec.workDir),
    exit_code: orNull(rec.exitCode),
    created_at: rec.createdAt,
    started_at: orNull(rec.startedAt),
    completed_at: orNull(rec.completedAt),
  };
}

/**
 * Row → trial record. A JSON column that cannot be decoded, or an objective that is not a number, is reported to
 * `onDamage` and read as empty (no parameters, metrics, labels or objective).
 */
export function rowToTrial(row: TrialRow, onDamage: DamageSink = failOnDamage): TrialRecord {
  const at = (column: string) => ({ experiment: row.experiment, trial: row.name, column });
  const rec: Mutable<TrialRecord> = {
    experiment: row.experiment,
    name: row.name,
    seq: row.seq,
    params: decodeJson<Assignment>(row.params, 'object', {}, at('params'), onDamage),
    state: row.state as TrialState,
    reason: row.reason,
    message: row.message,
    // Most trials carry no metrics or labels; skip the parser for the common empty values.
    metrics: row.metrics === '[]' ? [] : decodeJson<MetricSummary[]>(row.metrics, 'array', [], at('metrics'), onDamage),
    labels:
      row.labels === '{}' ? {} : decodeJson<Record<string, string>>(row.labels, 'object', {}, at('labels'), onDamage),
    createdAt: row.created_at,
  };
  if (row.namespace !== defaultNamespace) rec.namespace = row.namespace;
  if (typeof row.objective === 'number') rec.objective = row.objective;
  else if (row.objective !== null) {
    onDamage({ ...at('objective'), problem: `not a number: ${JSON.stringify(row.objective).slice(0, 40)}` });
  }
  if (row.budget !== null) rec.budget = row.budget;
  if (row.parent !== null) rec.parent = row.parent;
  if (row.explain !== null) {
    const explain = decodeJson<Record<string, unknown> | undefined>(
      row.explain,
      'object',
      undefined,
      at('explain'),
      onDamage,
    );
    if (explain !== undefined) rec.explain = explain;
  }
  if (row.work_dir !== null) rec.workDir = row.work_dir;
  if (row.exit_code !== null) rec.exitCode = row.exit_code;
  if (row.started_at !== null) rec.startedAt = row.started_at;
  if (row.completed_at !== null) rec.completedAt = row.completed_at;
  return rec;
}

/** Row → observation. */
export function rowToObservation(row: ObservationDbRow): ObservationRow {
  const obs: Mutable<ObservationRow> = { trial: row.trial, metric: row.metric, value: row.value, step: row.step };
  if (row.time !== null) obs.time = row.time;
  return obs;
}

/** Row → event. */
export function rowToEvent(row: EventDbRow): EventRow {
  const ev: Mutable<EventRow> = {
    experiment: row.experiment,
    type: row.type as EventRow['type'],
    reason: row.reason,
    message: row.message,
    time: row.time,
  };
  if (row.namespace !== defaultNamespace) ev.namespace = row.namespace;
  if (row.trial !== null) ev.trial = row.trial;
  return ev;
}

/**
 * Algorithm state → JSON text, or undefined when there is nothing JSON can hold (undefined, a function).
 * JSON would silently turn NaN and ±Infinity into null and a resumed algorithm would read a different state,
 * so those are refused loudly instead; `what` names the owner in the message.
 */
export function stateToJson(state: unknown, what: string): string | undefined {
  return JSON.stringify(state, (key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `${what} is not plain JSON: ${key === '' ? 'the state' : `"${key}"`} is ${value}; store it as a string or null`,
      );
    }
    return value;
  });
}

/** Where a patchable field is stored and how its value is encoded. */
export interface PatchColumn {
  readonly column: string;
  readonly encode: (v: unknown) => SqlValue;
}

const plain = (column: string): PatchColumn => ({ column, encode: (v) => v as SqlValue });
const asJson = (column: string): PatchColumn => ({ column, encode: json });

/**
 * The only columns an UPDATE may name, keyed by record field. Typed as a full record of the patch keys so a new
 * patchable field fails to compile until it is mapped here; SQL column names never come from the caller.
 */
export const trialPatchColumns: Readonly<Record<keyof TrialPatch, PatchColumn>> = {
  params: asJson('params'),
  state: plain('state'),
  reason: plain('reason'),
  message: plain('message'),
  objective: plain('objective'),
  metrics: asJson('metrics'),
  budget: plain('budget'),
  parent: plain('parent'),
  labels: asJson('labels'),
  explain: asJson('explain'),
  workDir: plain('work_dir'),
  exitCode: plain('exit_code'),
  startedAt: plain('started_at'),
  completedAt: plain('completed_at'),
};

/** The only columns an experiment UPDATE may name, keyed by record field. */
export const experimentPatchColumns: Readonly<Record<keyof ExperimentPatch, PatchColumn>> = {
  manifest: asJson('manifest'),
  phase: plain('phase'),
  reason: plain('reason'),
  message: plain('message'),
  seed: plain('seed'),
  sourcePath: plain('source_path'),
  updatedAt: plain('updated_at'),
  completedAt: plain('completed_at'),
};

/** A row of `observation_logs` as a bulk read returns it, with its id. */
export interface StoredObservationDbRow extends ObservationDbRow {
  id: number;
}

/** Row → stored observation. Builds each row once (no spread copy): a bulk read turns 100,000 rows into objects. */
export function rowToStoredObservation(row: StoredObservationDbRow): StoredObservation {
  const obs: Mutable<StoredObservation> = {
    id: row.id,
    trial: row.trial,
    metric: row.metric,
    value: row.value,
    step: row.step,
  };
  if (row.time !== null) obs.time = row.time;
  return obs;
}

/** A row of `changes` as read back. */
export interface ChangeDbRow {
  seq: number;
  namespace: string;
  experiment: string;
  kind: string;
  trial: string | null;
  at: string;
}

/** Row → change (namespace only outside `default`). */
export function rowToChange(row: ChangeDbRow): ChangeRow {
  const change: Mutable<ChangeRow> = {
    seq: row.seq,
    experiment: row.experiment,
    kind: row.kind as ChangeKind,
    at: row.at,
  };
  if (row.namespace !== defaultNamespace) change.namespace = row.namespace;
  if (row.trial !== null) change.trial = row.trial;
  return change;
}

/**
 * The page a change-feed read returns for `rows` (at most `limit`, read up to the store's `latest` seq): continue
 * after the last row when the page is full, else after `latest`. A `latest` below the reader's `since` (returned as
 * is) tells the reader the store was replaced: re-read everything.
 */
export function changePage(rows: readonly ChangeDbRow[], limit: number, latest: number): ChangePage {
  const changes = rows.map(rowToChange);
  const last = changes.at(-1);
  return { changes, seq: changes.length === limit && last !== undefined ? last.seq : latest };
}

/** A row of `locks`. */
export interface LockDbRow {
  namespace: string;
  experiment: string;
  pid: number;
  host: string;
  acquired_at: string;
  heartbeat_at: string | null;
  expires_at: string | null;
}

/** Row → lock (optional times and a `default` namespace left out). */
export function rowToLock(row: LockDbRow): ExperimentLock {
  return {
    experiment: row.experiment,
    ...(row.namespace === defaultNamespace ? {} : { namespace: row.namespace }),
    pid: row.pid,
    host: row.host,
    acquiredAt: row.acquired_at,
    ...(row.heartbeat_at === null ? {} : { heartbeatAt: row.heartbeat_at }),
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
  };
}
