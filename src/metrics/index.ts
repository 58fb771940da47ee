// Public surface of the metrics area: parsers, readers, strategies and the per-trial collector.
export {
  type CollectorOptions,
  type CollectorSpec,
  collectorSpecFrom,
  createCollector,
  defaultMetricsFilePath,
  defaultTfEventDir,
  type LocalCollectorKind,
  type MetricsCollector,
  resolveTrialPath,
} from './collector.ts';
export { JsonMetricParser, type JsonMetricParserOptions } from './jsonParser.ts';
export {
  defaultMaxLineChars,
  FileFollower,
  type FileFollowerOptions,
  LineSplitter,
  type LineSplitterOptions,
  readLines,
} from './lineReader.ts';
export {
  defaultStrategies,
  MetricAccumulator,
  type MetricStrategyEntry,
  objectiveValue,
  parseMetricNumber,
  summarize,
} from './strategies.ts';
export {
  defaultMetricFilter,
  TextMetricParser,
  type TextMetricParserOptions,
  validateFilter,
} from './textParser.ts';
export { decodeEvent, formatFloat32, readTfEventsDir, readTfEventsFile, type TfScalar } from './tfevents.ts';
export { normalizeRfc3339 } from './timestamp.ts';
export type { MetricLog, StrategyName } from './types.ts';
