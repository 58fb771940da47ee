/**
 * Reads the fixed reference figures from `shared/bench/ANCHORS.md` at run time, so the report always shows what
 * the file says (Optuna 4.9 GPSampler and CMA-ES, Optuna 5.0-dev TPE, and the per-suggestion cost table).
 */

/** One row of the regret table: median regret at each checkpoint and the 100-trial study wall. */
export interface AnchorRow {
  readonly fn: string;
  readonly sampler: string;
  /** Checkpoint (trial count) → median regret. */
  readonly regret: Readonly<Record<number, number>>;
  readonly wallS: number;
}

/** One row of the cost table: the optimiser and its whole-study time for a number of trials, when given. */
export interface AnchorCost {
  readonly optimiser: string;
  readonly perSuggestion: string;
  readonly studyS?: number;
  readonly studyTrials?: number;
}

/** Everything parsed from the anchors file. */
export interface Anchors {
  readonly rows: readonly AnchorRow[];
  readonly costs: readonly AnchorCost[];
}

interface Table {
  readonly header: string[];
  readonly rows: string[][];
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());
}

/** Every markdown table in the text: a header line, a `|---|` line, then rows until a non-table line. */
function tables(markdown: string): Table[] {
  const lines = markdown.split('\n');
  const out: Table[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.trim().startsWith('|') || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1]!)) continue;
    const header = cells(lines[i]!);
    const rows: string[][] = [];
    for (i += 2; i < lines.length && lines[i]!.trim().startsWith('|'); i++) rows.push(cells(lines[i]!));
    out.push({ header, rows });
  }
  return out;
}

/** `"7.22e+03"`, `"0.02 s"` → the number; NaN when the cell holds none. */
function number(cell: string | undefined): number {
  const m = /[-+]?\d[\d,]*(\.\d+)?([eE][-+]?\d+)?/.exec(cell ?? '');
  return m ? Number(m[0].replace(/,/g, '')) : Number.NaN;
}

/** Parses the regret table (columns `regret@N`, `study wall`) and the cost table (column `whole study`). */
export function parseAnchors(markdown: string): Anchors {
  const rows: AnchorRow[] = [];
  const costs: AnchorCost[] = [];
  for (const t of tables(markdown)) {
    const checkpoints = t.header.flatMap((h, i) => {
      const m = /regret@(\d+)/i.exec(h);
      return m ? [{ at: Number(m[1]), col: i }] : [];
    });
    const wallCol = t.header.findIndex((h) => /study wall/i.test(h));
    const wholeCol = t.header.findIndex((h) => /whole study/i.test(h));
    if (checkpoints.length > 0) {
      for (const r of t.rows) {
        const regret: Record<number, number> = {};
        for (const c of checkpoints) regret[c.at] = number(r[c.col]);
        // "branin (0.397887)" → "branin": the optimum is the same as functions.py's.
        const fn = (r[0] ?? '').replace(/\(.*\)/, '').trim();
        rows.push({ fn, sampler: r[1] ?? '', regret, wallS: wallCol < 0 ? Number.NaN : number(r[wallCol]) });
      }
    } else if (wholeCol >= 0) {
      for (const r of t.rows) {
        const m = /([\d.]+)\s*s\s+for\s+([\d,]+)/.exec(r[wholeCol] ?? '');
        const base = { optimiser: r[0] ?? '', perSuggestion: r[1] ?? '' };
        costs.push(m ? { ...base, studyS: Number(m[1]), studyTrials: number(m[2]) } : base);
      }
    }
  }
  return { rows, costs };
}

/** The reference samplers the targets compare with, as patterns on the anchors' sampler/optimiser column. */
export const anchorSamplers: Readonly<Record<'gp' | 'cmaes' | 'tpe', RegExp>> = {
  gp: /4\.9\s+GPSampler/i,
  cmaes: /4\.9\s+CMA-ES/i,
  tpe: /5\.0\S*\s+TPE/i,
};

/** The anchor row for a function and a reference sampler, if the file has one. */
export function anchorRow(anchors: Anchors, fn: string, sampler: RegExp): AnchorRow | undefined {
  return anchors.rows.find((r) => r.fn === fn && sampler.test(r.sampler));
}

/** The whole-study cost of a reference optimiser, if the file gives one. */
export function anchorCost(anchors: Anchors, optimiser: RegExp): AnchorCost | undefined {
  return anchors.costs.find((c) => optimiser.test(c.optimiser) && c.studyS !== undefined);
}
