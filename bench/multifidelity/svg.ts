/**
 * The multi-fidelity plot as hand-written SVG: one panel per function, median best regret against total budget
 * spent, both axes logarithmic, one step line per method. (The search bench's `plotSvg` has a linear trial
 * axis, so only its panel/line types are shared.)
 */
import type { PlotLine, PlotPanel } from '../search/svg.ts';

const colours = ['#7f7f7f', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const panelW = 480;
const panelH = 320;
const margin = { left: 64, right: 16, top: 32, bottom: 40 };
/** Regrets are clamped here so that an exact hit still has a place on the log axis. */
const floor = 1e-12;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fx = (v: number): string => v.toFixed(1);

/** The decades [lo, hi] (powers of ten) covering positive values, at least one decade wide. */
function decades(values: readonly number[]): [number, number] {
  const logs = values.filter((v) => Number.isFinite(v) && v > 0).map((v) => Math.log10(Math.max(floor, v)));
  if (logs.length === 0) return [0, 1];
  const lo = Math.floor(Math.min(...logs));
  return [lo, Math.max(lo + 1, Math.ceil(Math.max(...logs)))];
}

/** Renders the panels side by side (two columns) with one legend; a line's colour follows its label. */
export function plotLogLog(panels: readonly PlotPanel[], title: string, xLabel: string, yLabel: string): string {
  const labels = [...new Set(panels.flatMap((p) => p.lines.map((l) => l.label)))];
  const colour = (l: PlotLine): string => colours[labels.indexOf(l.label) % colours.length]!;
  const cols = Math.min(2, Math.max(1, panels.length));
  const rows = Math.ceil(panels.length / cols);
  const width = cols * panelW;
  const legendY = 36 + rows * panelH + 12;
  const height = legendY + 18 * Math.ceil(labels.length / 4) + 8;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  panels.forEach((panel, i) => {
    out.push(...drawPanel(panel, (i % cols) * panelW, 36 + Math.floor(i / cols) * panelH, colour, xLabel, yLabel));
  });
  labels.forEach((label, i) => {
    const x = 16 + (i % 4) * (width / 4);
    const y = legendY + Math.floor(i / 4) * 18;
    const line = panels.flatMap((p) => p.lines).find((l) => l.label === label)!;
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 28}" y2="${y}" stroke="${colour(line)}" stroke-width="2"/>`);
    out.push(`<text x="${x + 34}" y="${y + 4}">${esc(label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function drawPanel(
  panel: PlotPanel,
  x0: number,
  y0: number,
  colour: (l: PlotLine) => string,
  xLabel: string,
  yLabel: string,
): string[] {
  const points = panel.lines.flatMap((l) => l.points).filter(([, y]) => Number.isFinite(y));
  const [xlo, xhi] = decades(points.map(([x]) => x));
  const [ylo, yhi] = decades(points.map(([, y]) => Math.max(floor, y)));
  const w = panelW - margin.left - margin.right;
  const h = panelH - margin.top - margin.bottom;
  const px = (x: number): number => x0 + margin.left + ((Math.log10(x) - xlo) / (xhi - xlo)) * w;
  const py = (y: number): number => y0 + margin.top + ((yhi - Math.log10(Math.max(floor, y))) / (yhi - ylo)) * h;
  const out: string[] = [
    `<text x="${x0 + panelW / 2}" y="${y0 + 18}" text-anchor="middle" font-size="13">${esc(panel.title)}</text>`,
    `<rect x="${x0 + margin.left}" y="${y0 + margin.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`,
  ];
  for (let d = ylo; d <= yhi; d++) {
    const y = fx(py(10 ** d));
    out.push(`<line x1="${x0 + margin.left}" y1="${y}" x2="${x0 + margin.left + w}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + margin.left - 4}" y="${fx(py(10 ** d) + 4)}" text-anchor="end">1e${d}</text>`);
  }
  for (let d = xlo; d <= xhi; d++) {
    const x = fx(px(10 ** d));
    out.push(`<line x1="${x}" y1="${y0 + margin.top}" x2="${x}" y2="${y0 + margin.top + h}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${y0 + margin.top + h + 16}" text-anchor="middle">1e${d}</text>`);
  }
  out.push(`<text x="${x0 + margin.left + w / 2}" y="${y0 + panelH - 6}" text-anchor="middle">${esc(xLabel)}</text>`);
  const cy = y0 + margin.top + h / 2;
  out.push(
    `<text x="${x0 + 14}" y="${cy}" text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${cy})">${esc(yLabel)}</text>`,
  );
  for (const line of panel.lines) {
    const steps = stepPoints(line.points).map(([x, y]) => `${fx(px(x))},${fx(py(y))}`);
    if (steps.length === 0) continue;
    out.push(`<polyline fill="none" stroke="${colour(line)}" stroke-width="1.5" points="${steps.join(' ')}"/>`);
  }
  return out;
}

/** The corners of a step curve through finite points: each value holds until the next point's budget. */
export function stepPoints(points: readonly (readonly [number, number])[]): [number, number][] {
  const finite = points.filter(([x, y]) => Number.isFinite(y) && x > 0);
  const out: [number, number][] = [];
  finite.forEach(([x, y], i) => {
    const prev = finite[i - 1];
    if (prev !== undefined) out.push([x, prev[1]]);
    out.push([x, y]);
  });
  return out;
}
