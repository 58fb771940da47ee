import type { Progress } from '../experiment/stepReport.ts';
import { shortNumber } from './format.ts';
import type { AnalysisInput } from './types.ts';

/** Escapes text for HTML element content and attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function seconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * A run's progress as one line of HTML (a `<progress>` bar, trials done of the budget, running and failed counts,
 * the best value so far and the elapsed time), for a notebook display that `optimize`'s `onProgress` overwrites in
 * place (tslab's `newDisplay().html`). `metric` names the best value (default `best`).
 */
export function progressHtml(p: Progress, options: { readonly metric?: string } = {}): string {
  const total = p.total ?? Math.max(p.done + p.running, 1);
  const best =
    p.best === undefined
      ? 'no completed trial yet'
      : `best ${escapeHtml(options.metric ?? 'value')} = ${shortNumber(p.best)}${p.bestTrial === undefined ? '' : ` (${escapeHtml(p.bestTrial)})`}`;
  return (
    `<div class="hpo-progress"><progress value="${p.done}" max="${total}"></progress> ` +
    `<b>${p.done}/${p.total ?? '?'}</b> trials · running ${p.running} · failed ${p.failed} · ${best} · ${seconds(p.elapsedMs)}</div>`
  );
}

/** Options of {@link trialsTableHtml}. */
export interface TrialsTableOptions {
  /** At most this many rows (default 20); the caption says how many were left out. */
  readonly limit?: number;
}

/**
 * The trials of an experiment as an HTML table for a notebook: best objective first (trials without one after, in
 * creation order), with each trial's state, objective and parameters. Pure: the caller displays it
 * (`tslab.display.html`).
 */
export function trialsTableHtml(input: AnalysisInput, options: TrialsTableOptions = {}): string {
  const limit = options.limit ?? 20;
  const sign = input.objective.type === 'minimize' ? 1 : -1;
  const scored = (o: number | undefined): o is number => o !== undefined && Number.isFinite(o);
  const rows = [...input.trials].sort((a, b) => {
    if (scored(a.objective) && scored(b.objective)) return sign * (a.objective - b.objective) || a.seq - b.seq;
    if (scored(a.objective) !== scored(b.objective)) return scored(a.objective) ? -1 : 1;
    return a.seq - b.seq;
  });
  const params = input.space.map((p) => p.name);
  const head = ['trial', 'state', input.objective.metricName, ...params].map((h) => `<th>${escapeHtml(h)}</th>`);
  const body = rows.slice(0, limit).map((t) => {
    const cells = [
      t.name,
      t.state,
      scored(t.objective) ? shortNumber(t.objective) : '',
      ...params.map((n) => {
        const v = t.params[n];
        return typeof v === 'number' ? shortNumber(v) : (v ?? '');
      }),
    ];
    return `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  const left = rows.length - body.length;
  const caption = `${escapeHtml(input.name)}: ${rows.length} trial${rows.length === 1 ? '' : 's'}, ${input.objective.type === 'minimize' ? 'lowest' : 'highest'} ${escapeHtml(input.objective.metricName)} first${left > 0 ? ` (${left} more not shown)` : ''}`;
  return `<table class="hpo-trials"><caption>${caption}</caption><thead><tr>${head.join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}
