/** Formats rows as an aligned text table with a header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** One CSV field, quoted when needed (RFC 4180). */
function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Formats rows as CSV with a header line. */
export function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n');
}

/** A number for humans: up to 6 significant digits. */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** Milliseconds as `1h02m03s` / `2m03s` / `4.2s`. */
export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`
    : `${m}m${String(sec).padStart(2, '0')}s`;
}

/**
 * Header and rows for `hpo trials`: name, state, objective, every parameter, every other metric's chosen value.
 * `full` (CSV) keeps numbers at full precision and adds the reason and the start, end and duration (seconds) of
 * each trial, as a dataframe wants them; the table rounds for people. `several` (an experiment with additional
 * objectives) adds their values and a `pareto` column marking the trials on the front.
 */
export function trialRows(
  trials: readonly TrialSummary[],
  objectiveMetric: string,
  full = false,
  several?: { readonly metrics: readonly string[]; readonly front: ReadonlySet<string> },
): { header: string[]; rows: string[][] } {
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.parameters)))];
  // With several objectives, the other objectives' values (by their strategies) follow the primary's, then a
  // column marking the Pareto front; the metric columns list the rest by their latest value.
  const further = several?.metrics ?? [];
  const metrics = [...new Set(trials.flatMap((t) => t.metrics.map((m) => m.name)))].filter(
    (m) => m !== objectiveMetric && !further.includes(m),
  );
  const number = full ? (v: number | null): string => (v === null ? '' : String(v)) : num;
  const header = ['name', 'state', objectiveMetric, ...further, ...(several ? ['pareto'] : []), ...params, ...metrics];
  if (full) header.push('reason', 'start', 'end', 'duration_s');
  const rows = trials.map((t) => {
    const row = [
      t.name,
      t.state,
      number(t.objective),
      ...further.map((m) => number(t.values?.[m] ?? null)),
      ...(several ? [several.front.has(t.name) ? (full ? 'true' : '*') : full ? 'false' : ''] : []),
      ...params.map((p) => {
        const v = t.parameters[p];
        return v === undefined ? '' : typeof v === 'number' ? number(v) : v;
      }),
      ...metrics.map((m) => t.metrics.find((x) => x.name === m)?.latest ?? ''),
    ];
    if (full) {
      const ms = Date.parse(t.completedAt ?? '') - Date.parse(t.startedAt ?? '');
      row.push(t.reason, t.startedAt ?? '', t.completedAt ?? '', Number.isFinite(ms) ? String(ms / 1000) : '');
    }
    return row;
  });
  return { header, rows };
}

import type { ExperimentManifest, TrialSummary } from '../index.ts';

/**
 * ` with N objectives: ...` for an Experiment with `additionalObjectives`, so `hpo validate` and the dry run show
 * what a multi-objective algorithm will optimise; empty for one objective (the output stays as it was).
 */
export function objectivesNote(m: ExperimentManifest): string {
  const objective = m.spec.objective;
  const all = [objective, ...(objective?.additionalObjectives ?? [])];
  if (all.length < 2) return '';
  const text = all.map(
    (o) => `${o?.type} ${o?.objectiveMetricName}${typeof o?.goal === 'number' ? ` (goal ${o.goal})` : ''}`,
  );
  return ` with ${all.length} objectives: ${text.join(', ')}`;
}
