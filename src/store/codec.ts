import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { Assignment } from '../search/space.ts';
import type { TrialState } from '../search/types.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import type {
  EventRow,
  ExperimentPatch,
  ExperimentPhase,
  ExperimentRecord,
  MetricSummary,
  ObservationRow,
  TrialPatch,
  TrialRecord,
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
  experiment: string;
  name: string;
  seq: number;
  params: string;
  state: string;
  reason: string;
  message: string;
  objective: number | null;
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
// Most trials carry no labels; skip the parser for the common empty object.
const parseObject = (s: string): Record<string, string> =>
  s === '{}' ? {} : (JSON.parse(s) as Record<string, string>);

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

/** Row → experiment record. */
export function rowToExperiment(row: ExperimentRow): ExperimentRecord {
  const rec: Mutable<ExperimentRecord> = {
    name: row.name,
    namespace: row.namespace,
    manifest: JSON.parse(row.manifest) as ExperimentManifest,
    phase: row.phase as ExperimentPhase,
    reason: row.reason,
    message: row.message,
    seed: row.seed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.source_path !== null) rec.sourcePath = row.source_path;
  if (row.completed_at !== null) rec.completedAt = row.completed_at;
  return rec;
}

/** Trial record → row. */
export function trialToRow(rec: TrialRecord): TrialRow {
  return {
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

/** Row → trial record. */
export function rowToTrial(row: TrialRow): TrialRecord {
  const rec: Mutable<TrialRecord> = {
    experiment: row.experiment,
    name: row.name,
    seq: row.seq,
    params: JSON.parse(row.params) as Assignment,
    state: row.state as TrialState,
    reason: row.reason,
    message: row.message,
    metrics: row.metrics === '[]' ? [] : (JSON.parse(row.metrics) as MetricSummary[]),
    labels: parseObject(row.labels),
    createdAt: row.created_at,
  };
  if (row.objective !== null) rec.objective = row.objective;
  if (row.budget !== null) rec.budget = row.budget;
  if (row.parent !== null) rec.parent = row.parent;
  if (row.explain !== null) rec.explain = JSON.parse(row.explain) as Record<string, unknown>;
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
