import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { TrialRecord } from '../store/types.ts';
import type { ObjectiveColumns } from './objectiveColumns.ts';

/** What `GET …/trials` takes from its query string: sort, filter and page. */
export interface TrialQuery {
  /**
   * `seq` (default), `name`, `state`, `objective`, `created`, `param:NAME`, `metric:NAME`; with several objectives also
   * `value:METRIC` (an objective's value) and `pareto` (front members first in ascending order).
   */
  readonly sort: string;
  readonly order: 'asc' | 'desc';
  /** Keep only these states (empty: all). */
  readonly states: readonly string[];
  /** Keep only trials whose name contains this (case-insensitive; empty: all). */
  readonly text: string;
  readonly offset: number;
  readonly limit: number;
}

/** One trial as the table shows it: flat values only, metrics by their latest value. */
export interface TrialRow {
  readonly name: string;
  readonly seq: number;
  readonly state: string;
  readonly reason: string;
  readonly objective: number | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, number | string | null>>;
  readonly budget: number | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  /** With several objectives only: each objective's value by metric name (null where missing). */
  readonly values?: Readonly<Record<string, number | null>>;
  /** With several objectives only: on the Pareto front, dominated (false), or not taking part (null). */
  readonly pareto?: boolean | null;
}

/** The most rows one request returns: a page, not the whole of a long experiment. */
export const maxPageSize = 5000;

function whole(value: string | null, fallback: number, max: number, what: string): number {
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > max) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `${what} must be a whole number from 0 to ${max}, got '${value}'`,
    );
  }
  return n;
}

/** Reads a {@link TrialQuery} from URL search parameters; `invalidArgument` (400) for a bad one. */
export function parseTrialQuery(params: URLSearchParams): TrialQuery {
  const order = params.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') {
    throw new WorkbenchError(ErrorCode.invalidArgument, `order must be asc or desc, got '${order}'`);
  }
  const sort = params.get('sort') || 'seq';
  if (!/^(seq|name|state|objective|created|pareto|(param|metric|value):.+)$/.test(sort)) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `sort must be seq, name, state, objective, created, pareto, param:NAME, metric:NAME or value:METRIC, got '${sort}'`,
    );
  }
  return {
    sort,
    order,
    states: (params.get('state') ?? '').split(',').filter((s) => s !== ''),
    text: (params.get('q') ?? '').toLowerCase(),
    offset: whole(params.get('offset'), 0, Number.MAX_SAFE_INTEGER, 'offset'),
    limit: whole(params.get('limit'), 100, maxPageSize, 'limit'),
  };
}

function metricValue(latest: string | undefined): number | string | null {
  if (latest === undefined) return null;
  const n = Number(latest);
  return latest.trim() !== '' && Number.isFinite(n) ? n : latest;
}

/** The table row of a trial; `columns` (several objectives) adds its `values` and `pareto` mark. */
export function trialRow(t: TrialRecord, columns?: ObjectiveColumns): TrialRow {
  return {
    name: t.name,
    seq: t.seq,
    state: t.state,
    reason: t.reason,
    objective: t.objective ?? null,
    params: t.params,
    metrics: Object.fromEntries(t.metrics.map((m) => [m.name, metricValue(m.latest)])),
    budget: t.budget ?? null,
    createdAt: t.createdAt,
    startedAt: t.startedAt ?? null,
    completedAt: t.completedAt ?? null,
    ...(columns === undefined ? {} : { values: columns.values(t), pareto: columns.pareto(t) }),
  };
}

function sortValue(t: TrialRecord, sort: string, columns: ObjectiveColumns | undefined): unknown {
  if (sort === 'seq') return t.seq;
  if (sort === 'name') return t.name;
  if (sort === 'state') return t.state;
  if (sort === 'objective') return t.objective;
  if (sort === 'created') return t.createdAt;
  if (sort.startsWith('param:')) return t.params[sort.slice(6)];
  // Without several objectives there is no value or mark: every row is missing one, so the order is creation order.
  if (sort === 'pareto') {
    const mark = columns?.pareto(t);
    return mark === true ? 0 : mark === false ? 1 : undefined;
  }
  if (sort.startsWith('value:')) return columns?.values(t)[sort.slice(6)];
  return metricValue(t.metrics.find((m) => m.name === sort.slice(7))?.latest);
}

function missing(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v));
}

/** Missing values last whatever the order (`sign` -1 reverses the rest); numbers before text; then natural order. */
function compare(a: unknown, b: unknown, sign: number): number {
  if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return sign * (a - b);
  if (typeof a === 'number') return -sign;
  if (typeof b === 'number') return sign;
  const sa = String(a);
  const sb = String(b);
  return sign * (sa < sb ? -1 : sa > sb ? 1 : 0);
}

/**
 * One page of the trial table: the trials kept by the filter, sorted (ties by creation order), then `limit` rows
 * from `offset`. `total` counts every trial, `matched` those the filter kept. `columns` (several objectives) adds each
 * row's objective values and Pareto mark, and the sorts by them.
 */
export function trialPage(
  trials: readonly TrialRecord[],
  q: TrialQuery,
  columns?: ObjectiveColumns,
): { total: number; matched: number; offset: number; rows: TrialRow[] } {
  const states = new Set(q.states);
  const kept = trials.filter(
    (t) => (states.size === 0 || states.has(t.state)) && (q.text === '' || t.name.toLowerCase().includes(q.text)),
  );
  const sign = q.order === 'desc' ? -1 : 1;
  // Decorate once: reading a metric per comparison would cost a search per step of the sort.
  const keyed = kept.map((t) => ({ t, v: sortValue(t, q.sort, columns) }));
  keyed.sort((x, y) => compare(x.v, y.v, sign) || x.t.seq - y.t.seq);
  return {
    total: trials.length,
    matched: kept.length,
    offset: q.offset,
    rows: keyed.slice(q.offset, q.offset + q.limit).map((k) => trialRow(k.t, columns)),
  };
}
