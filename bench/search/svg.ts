/**
 * The benchmark plot as hand-written SVG (no dependencies): one panel per function, median best-so-far regret on a
 * log scale against the trial number, one line per sampler, anchors as dashed lines through their checkpoints.
 */

/** One line of a panel: points (trial, regret); lines of the same `group` share a colour and differ in `style`. */
export interface PlotLine {
  readonly label: string;
  readonly points: readonly (readonly [number, number])[];
  /** Dashed lines also mark their points (the anchors' checkpoints). */
  readonly style?: 'solid' | 'dashed' | 'dotted';
  readonly group?: string;
}

/** One panel: a function and its lines. */
export interface PlotPanel {
  readonly title: string;
  readonly lines: readonly PlotLine[];
}

const palette = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#ad494a',
  '#637939',
  '#7b4173',
  '#3182bd',
  '#e6550d',
  '#31a354',
  '#756bb1',
  '#636363',
  '#969696',
];
const dashes = { solid: '', dashed: ' stroke-dasharray="5,3"', dotted: ' stroke-dasharray="1.5,2.5"' };
/** Regrets are clamped here so that an exact hit still has a place on the log axis. */
const floor = 1e-12;
const panelW = 480;
const panelH = 320;
const margin = { left: 64, right: 16, top: 32, bottom: 40 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fx = (v: number): string => v.toFixed(1);

/** Renders the panels in a grid of two columns with one legend (colours follow labels across panels). */
export function plotSvg(panels: readonly PlotPanel[], title: string): string {
  const lines = new Map(panels.flatMap((p) => p.lines.map((l) => [l.label, l] as const)));
  const labels = [...lines.keys()];
  const groups = [...new Set([...lines.values()].map((l) => l.group ?? l.label))];
  const colour = (l: PlotLine): string => palette[groups.indexOf(l.group ?? l.label) % palette.length]!;
  const cols = Math.min(2, Math.max(1, panels.length));
  const rows = Math.ceil(panels.length / cols);
  const legendCols = 2;
  const legendH = 24 + Math.ceil(labels.length / legendCols) * 18;
  const width = cols * panelW;
  const height = 36 + rows * panelH + legendH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  panels.forEach((panel, i) => {
    const x0 = (i % cols) * panelW;
    const y0 = 36 + Math.floor(i / cols) * panelH;
    parts.push(...drawPanel(panel, x0, y0, colour));
  });
  const ly = 36 + rows * panelH + 12;
  labels.forEach((label, i) => {
    const x = 16 + (i % legendCols) * (width / legendCols);
    const y = ly + Math.floor(i / legendCols) * 18;
    const line = lines.get(label)!;
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${colour(line)}" stroke-width="2"${dashes[line.style ?? 'solid']}/>`,
    );
    parts.push(`<text x="${x + 34}" y="${y + 4}">${esc(label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function drawPanel(panel: PlotPanel, x0: number, y0: number, colour: (line: PlotLine) => string): string[] {
  const all = panel.lines.flatMap((l) => l.points);
  const maxX = Math.max(1, ...all.map(([x]) => x));
  const ys = all.map(([, y]) => Math.max(floor, y)).filter(Number.isFinite);
  const lo = Math.floor(Math.log10(ys.length === 0 ? 1e-3 : Math.min(...ys)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(ys.length === 0 ? 1 : Math.max(...ys))));
  const w = panelW - margin.left - margin.right;
  const h = panelH - margin.top - margin.bottom;
  const px = (x: number): number => x0 + margin.left + ((x - 1) / Math.max(1, maxX - 1)) * w;
  const py = (y: number): number => y0 + margin.top + ((hi - Math.log10(Math.max(floor, y))) / (hi - lo)) * h;
  const out: string[] = [
    `<text x="${x0 + panelW / 2}" y="${y0 + 18}" text-anchor="middle" font-size="13">${esc(panel.title)}</text>`,
    `<rect x="${x0 + margin.left}" y="${y0 + margin.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`,
  ];
  // One tick per decade, thinned so that at most ~8 are labelled.
  const every = Math.max(1, Math.ceil((hi - lo) / 8));
  for (let d = lo; d <= hi; d += every) {
    const y = py(10 ** d);
    out.push(`<line x1="${x0 + margin.left}" y1="${fx(y)}" x2="${x0 + margin.left + w}" y2="${fx(y)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + margin.left - 4}" y="${fx(y + 4)}" text-anchor="end">1e${d}</text>`);
  }
  for (const t of xTicks(maxX)) {
    const x = px(t);
    out.push(
      `<line x1="${fx(x)}" y1="${y0 + margin.top + h}" x2="${fx(x)}" y2="${y0 + margin.top + h + 4}" stroke="#888"/>`,
    );
    out.push(`<text x="${fx(x)}" y="${y0 + margin.top + h + 16}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<text x="${x0 + margin.left + w / 2}" y="${y0 + panelH - 6}" text-anchor="middle">trial</text>`);
  out.push(
    `<text x="${x0 + 14}" y="${y0 + margin.top + h / 2}" text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${y0 + margin.top + h / 2})">median regret</text>`,
  );
  // Dotted (parallel) lines first, so the sequential line they often coincide with stays visible on top.
  const order = [...panel.lines].sort((a, b) => Number(b.style === 'dotted') - Number(a.style === 'dotted'));
  for (const line of order) {
    const pts = line.points.filter(([, y]) => Number.isFinite(y)).map(([x, y]) => `${fx(px(x))},${fx(py(y))}`);
    if (pts.length === 0) continue;
    const dash = dashes[line.style ?? 'solid'];
    out.push(`<polyline fill="none" stroke="${colour(line)}" stroke-width="1.5"${dash} points="${pts.join(' ')}"/>`);
    if (line.style === 'dashed')
      for (const p of pts) {
        const [cx, cy] = p.split(',');
        out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${colour(line)}"/>`);
      }
  }
  return out;
}

/** Round tick positions along the trial axis (1, then multiples of a 1/2/5 step). */
function xTicks(maxX: number): number[] {
  const raw = maxX / 5;
  const mag = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? mag * 10;
  const ticks = [1];
  for (let t = step; t <= maxX; t += step) ticks.push(t);
  return ticks;
}
