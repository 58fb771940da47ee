/**
 * `hpo plot NAME --kind K --out FILE`: one plot of a stored experiment, drawn by the analysis room
 * (`hpo-workbench/analysis`) and written as SVG, PNG, HTML or the Vega-Lite spec itself, by FILE's extension.
 * The store is opened read-only, so plotting beside a running `hpo run` is safe.
 */

import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  isPlotKind,
  type PlotKind,
  plotKinds,
  plotOf,
  readAnalysisInput,
  renderHtml,
  renderPng,
  renderSvg,
} from '../analysis/index.ts';
import { describeExperimentKey, ErrorCode, ExperimentReader, WorkbenchError } from '../index.ts';
import { out } from './output.ts';
import { requireExperiment, type StoreOptions, withReadStore } from './readStore.ts';

/** Options of `hpo plot`. */
export interface PlotCommandOptions extends StoreOptions {
  kind: string;
  out: string;
  /** `--params a,b`: the parameters to show, in order. */
  params?: string;
  /** `--resolution N`: cells per numeric axis of a contour. */
  resolution?: number;
}

const formats = ['.svg', '.png', '.html', '.json'] as const;
type Format = (typeof formats)[number];

/** The output format of `file`, by its extension; `invalidArgument` for any other. */
export function plotFormat(file: string): Format {
  const ext = extname(file).toLowerCase();
  if ((formats as readonly string[]).includes(ext)) return ext as Format;
  throw new WorkbenchError(
    ErrorCode.invalidArgument,
    `--out ${file}: the file's extension picks the format, one of ${formats.join(', ')} (.json writes the Vega-Lite spec)${ext === '' ? '' : `, not ${ext}`}`,
  );
}

function writeOut(file: string, content: string | Uint8Array): void {
  try {
    writeFileSync(file, content);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'its folder does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (e as Error).message;
    throw new WorkbenchError(ErrorCode.invalidArgument, `cannot write --out ${file}: ${why}`, { cause: e });
  }
}

/** `hpo plot`: builds the plot (data errors first, before any renderer loads), renders it and writes `--out`. */
export async function plotCommand(name: string, opts: PlotCommandOptions): Promise<number> {
  if (!isPlotKind(opts.kind)) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `unknown plot kind '${opts.kind}'; use --kind with one of ${plotKinds.join(', ')}`,
    );
  }
  const kind: PlotKind = opts.kind;
  const format = plotFormat(opts.out);
  const params = opts.params
    ?.split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  let title = name;
  const plot = await withReadStore(opts.store, async (store) => {
    const exp = await requireExperiment(store, name, opts.namespace);
    title = `${describeExperimentKey(exp)}: ${kind}`;
    const reader = await ExperimentReader.open(store, exp);
    try {
      const input = await readAnalysisInput(reader, { observations: kind === 'curves' });
      return plotOf(input, kind, {
        ...(params === undefined ? {} : { params }),
        ...(opts.resolution === undefined ? {} : { resolution: opts.resolution }),
      });
    } finally {
      await reader.close();
    }
  });
  if (format === '.json') writeOut(opts.out, `${JSON.stringify(plot.spec, null, 2)}\n`);
  else if (format === '.svg') writeOut(opts.out, await renderSvg(plot.spec));
  else if (format === '.png') writeOut(opts.out, await renderPng(plot.spec));
  else writeOut(opts.out, await renderHtml(plot.spec, { title }));
  const rows = Array.isArray(plot.data) ? `${plot.data.length} rows` : 'grid';
  out(`wrote ${opts.out} (${kind} plot of ${name}, ${rows})`);
  return 0;
}
