import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { defaultMetricsFilePath, defaultTfEventDir } from './defaults.ts';
import type { MetricsCollectorSpec } from './types.ts';

/** The collector kinds that run locally. */
export type LocalCollectorKind = 'StdOut' | 'File' | 'TensorFlowEvent' | 'Push';

/** What a collector needs from `spec.metricsCollectorSpec`, flattened. */
export interface CollectorSpec {
  readonly kind: LocalCollectorKind;
  /** File: the metrics file; TensorFlowEvent: the event directory. Katib's defaults apply when absent. */
  readonly path?: string;
  readonly format?: 'TEXT' | 'JSON';
  /** RE2 `metricsFormat` filters (TEXT only). */
  readonly filters?: readonly string[];
}

export { defaultMetricsFilePath, defaultTfEventDir };

/**
 * Flattens Katib's `metricsCollectorSpec` (absent = StdOut, Katib's default) into a {@link CollectorSpec}.
 * PrometheusMetric and Custom have no local implementation and raise `unsupported`.
 */
export function collectorSpecFrom(msc: MetricsCollectorSpec | undefined): CollectorSpec {
  const kind = msc?.collector?.kind ?? 'StdOut';
  if (kind !== 'StdOut' && kind !== 'File' && kind !== 'TensorFlowEvent' && kind !== 'Push') {
    throw new WorkbenchError(ErrorCode.unsupported, `metrics collector kind ${kind} cannot run locally`, {
      issues: [
        {
          path: 'spec.metricsCollectorSpec.collector.kind',
          message: `${kind} is not supported by the local collectors`,
          fix: 'Use StdOut, File, TensorFlowEvent or Push.',
        },
      ],
    });
  }
  const fsPath = msc?.source?.fileSystemPath;
  const filters = msc?.source?.filter?.metricsFormat;
  return {
    kind,
    ...(fsPath?.path === undefined ? {} : { path: fsPath.path }),
    ...(kind === 'File' ? { format: fsPath?.format ?? 'TEXT' } : {}),
    ...(filters === undefined || filters.length === 0 ? {} : { filters }),
  };
}
