import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { plotOf } from '../../src/analysis/plot.ts';
import { renderHtml, renderPackages, renderPng, renderSvg } from '../../src/analysis/render.ts';
import type { PlotKind } from '../../src/analysis/types.ts';
import { rejected } from '../helpers.ts';
import { categorical, curve, double, input, markGroups, markItems, trial } from './inputs.ts';

const space = [double('lr', 1e-4, 1, 'logUniform'), double('x', 0, 10), categorical('k', ['a', 'b', 'c'])];
// 9 scored trials, one failed; trial 4 and 7 stopped early; budgets 1, 3, 9 with promotions from three back.
const trials = Array.from({ length: 10 }, (_, i) =>
  trial(
    i,
    { lr: 10 ** (-4 + (i % 5)), x: i, k: ['a', 'b', 'c'][i % 3]! },
    i === 9
      ? { state: 'Failed' }
      : {
          objective: ((i * 7) % 10) / 3,
          state: i === 4 || i === 7 ? 'EarlyStopped' : 'Succeeded',
          budget: [1, 3, 9][Math.floor(i / 3)]!,
          ...(i >= 3 ? { parent: `exp-${i - 3}` } : {}),
        },
  ),
);
const observations = trials.flatMap((t) => curve(t.name, t.state === 'EarlyStopped' ? [5, 4] : [5, 4, 3, 2]));
const data = input(space, trials, { observations });
const svgOf = async (kind: PlotKind) => renderSvg(plotOf(data, kind).spec);

describe('rendering on Node', () => {
  it('draws the history with one point per scored trial and one best-so-far line', async () => {
    const svg = await svgOf('history');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(markItems(svg, 'trials')).toBe(9);
    expect(markGroups(svg, 'best')).toBe(1);
  });

  it('draws a polyline per trial in parallel coordinates, and a panel of points per parameter in the slice plot', async () => {
    const parallel = await svgOf('parallel');
    expect(markGroups(parallel, 'trials')).toBe(9);
    expect(markItems(parallel, 'axes')).toBe(4);
    const slice = await svgOf('slice');
    for (const panel of ['slice_0', 'slice_1', 'slice_2']) expect(markItems(slice, panel)).toBe(9);
  });

  it('draws the contour grid and the trials over it', async () => {
    const plot = plotOf(data, 'contour', { resolution: 10 });
    const svg = await renderSvg(plot.spec);
    expect(markItems(svg, 'cells')).toBe(100);
    expect(markItems(svg, 'trials')).toBe(9);
  });

  it('draws a curve per reporting trial and a cross per early stop', async () => {
    const svg = await svgOf('curves');
    expect(markGroups(svg, 'curves')).toBe(10);
    expect(markItems(svg, 'stops')).toBe(2);
  });

  it('draws a bar per parameter for importance, and points and promotions for rungs', async () => {
    const imp = await svgOf('importance');
    expect(markItems(imp, 'bars')).toBe(3);
    const rungs = await svgOf('rungs');
    expect(markItems(rungs, 'trials')).toBe(9);
    expect(markItems(rungs, 'promotions')).toBe(6);
  });

  it('refuses data given by URL, so rendering never reaches the network', async () => {
    const spec = { data: { url: 'http://127.0.0.1:9/data.json' }, mark: 'point' };
    const e = await rejected(renderSvg(spec));
    expect(e.message).toContain("refusing to load 'http://127.0.0.1:9/data.json'");
  });

  it('renders a PNG: the PNG signature, and twice the SVG size at the default scale', async () => {
    const plot = plotOf(data, 'history');
    const svg = await renderSvg(plot.spec);
    const png = await renderPng(plot.spec);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    const [w, h] = [Number(/width="(\d+)"/.exec(svg)![1]), Number(/height="(\d+)"/.exec(svg)![1])];
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([2 * w, 2 * h]);
    expect(png.length).toBeGreaterThan(5000);
  });

  it('writes a self-contained HTML page: the SVG inline and the spec as inert JSON, nothing from a CDN', async () => {
    const hostile = input(
      space,
      trials.map((t) => ({ ...t, name: `${t.name}</script><b>` })),
    );
    const plot = plotOf(hostile, 'history');
    const html = await renderHtml(plot.spec, { title: 'a <plot>' });
    expect(html).toContain('<title>a &#60;plot&#62;</title>');
    expect(html).not.toMatch(/<script[^>]+src=|https?:\/\/cdn/);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    const json = /<script type="application\/json" id="vega-lite-spec">(.*)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(json)).toEqual(plot.spec);
    expect(markItems(html, 'trials')).toBe(9);
  });

  it("names the versions package.json's peerDependencies name", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    for (const [name, version] of Object.entries(renderPackages)) {
      expect(pkg.peerDependencies[name]).toBe(`^${version}`);
      expect(pkg.peerDependenciesMeta[name]?.optional).toBe(true);
    }
  });
});
