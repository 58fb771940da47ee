import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import type { VegaLiteSpec } from './types.ts';

/**
 * The optional peer packages rendering needs and the versions we test with (they must agree with
 * package.json's peerDependencies; a test checks). Only rendering loads them, and only when called, so
 * `import 'hpo-workbench/analysis'` works without them.
 */
export const renderPackages: Readonly<Record<'vega' | 'vega-lite' | '@resvg/resvg-js', string>> = {
  vega: '6.4.0',
  'vega-lite': '6.4.3',
  '@resvg/resvg-js': '2.6.2',
};

/** Imports an optional package, or throws `unsupported` naming the package(s) and the install line. */
async function load<T>(
  what: string,
  packages: readonly (keyof typeof renderPackages)[],
  importer: () => Promise<T>,
): Promise<T> {
  try {
    return await importer();
  } catch (e) {
    const err = e as NodeJS.ErrnoException | null;
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !packages.some((p) => err.message.includes(`'${p}'`))) throw e;
    const install = packages.map((p) => `${p}@${renderPackages[p]}`).join(' ');
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `${what} needs the optional packages ${packages.join(', ')}; run: npm install ${install}`,
      { cause: e },
    );
  }
}

/**
 * Draws a Vega-Lite spec as an SVG document on Node, without a browser (vega's headless renderer). The spec's
 * data must be inline: loading data from URLs or files is refused, so rendering never reaches the network.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vl] = await load('rendering a plot', ['vega', 'vega-lite'], () =>
    Promise.all([import('vega'), import('vega-lite')]),
  );
  const refused: string[] = [];
  const loader = vega.loader();
  // vega logs a failed load and draws the chart without that data: record it and fail after the run instead.
  loader.sanitize = (uri: string) => {
    refused.push(uri);
    return Promise.reject(new Error(`refused to load ${uri}`));
  };
  // vega tags the data rows it is given (a symbol-keyed id): compile a copy, so the caller's plot stays plain.
  const copy = JSON.parse(JSON.stringify(spec)) as Parameters<typeof vl.compile>[0];
  const view = new vega.View(vega.parse(vl.compile(copy).spec), { renderer: 'none', loader, logLevel: vega.None });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `a plot's data must be inline (data.values); refusing to load ${refused.map((u) => `'${u}'`).join(', ')}`,
      );
    }
    return svg;
  } finally {
    view.finalize();
  }
}

/** Options of {@link renderPng}. */
export interface PngOptions {
  /** Pixels per SVG unit (default 2, for sharp text on high-density screens). */
  readonly scale?: number;
}

/**
 * Draws a Vega-Lite spec as a PNG: the SVG of {@link renderSvg} rasterised by resvg with the system's fonts,
 * sans-serif text set in DejaVu Sans (Debian's `fonts-dejavu-core`), as resvg otherwise falls back to a serif.
 */
export async function renderPng(spec: VegaLiteSpec, options: PngOptions = {}): Promise<Uint8Array> {
  const svg = await renderSvg(spec);
  const { Resvg } = await load('rendering a PNG', ['@resvg/resvg-js'], () => import('@resvg/resvg-js'));
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 10)) {
    throw new WorkbenchError(ErrorCode.invalidArgument, `the PNG scale must be a number in (0, 10], got ${scale}`);
  }
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A self-contained HTML page for a Vega-Lite spec that works offline: the SVG of {@link renderSvg} inline,
 * and the spec itself as JSON in `<script type="application/json" id="vega-lite-spec">`, so a page or tool that
 * has vega-embed can make it interactive. Nothing is loaded from a CDN.
 */
export async function renderHtml(spec: VegaLiteSpec, options: { readonly title?: string } = {}): Promise<string> {
  const svg = await renderSvg(spec);
  // `<` escaped so that no string in the data can close the script element.
  const json = JSON.stringify(spec).replace(/</g, '\\u003c');
  const title = escapeHtml(options.title ?? 'hpo-workbench plot');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>body{margin:1.5rem;font-family:'DejaVu Sans',sans-serif;background:#fff}</style>
</head>
<body>
<figure>
${svg}
</figure>
<script type="application/json" id="vega-lite-spec">${json}</script>
</body>
</html>
`;
}
