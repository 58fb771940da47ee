import type { Issue } from '../common/issue.ts';
import { didYouMean } from './didYouMean.ts';
import { knownFields, unknownFields } from './fields.ts';
import { checkRe2 } from './re2.ts';
import { at, isRecord, isUnset, type Obj, show } from './read.ts';

const allKinds = ['StdOut', 'File', 'TensorFlowEvent', 'PrometheusMetric', 'Custom', 'Push'];
const path = 'spec.metricsCollectorSpec';
const fsPath = `${path}.source.fileSystemPath`;
/** Katib's textual check that a filter has two groups: (name)(value). */
const twoGroups = /.*\(.*\).*\(.*\).*/s;

function isAbsolute(p: unknown): boolean {
  return typeof p === 'string' && p.startsWith('/');
}

function checkFilters(source: Obj | undefined): Issue[] {
  const filter = source?.filter;
  if (isUnset(filter)) return [];
  const fp = `${path}.source.filter`;
  if (!isRecord(filter)) return [{ path: fp, message: `filter must be a mapping, got ${show(filter)}.` }];
  const issues = unknownFields(filter, fp, knownFields.filter);
  const formats = filter.metricsFormat;
  if (isUnset(formats)) return issues;
  if (!Array.isArray(formats))
    return [...issues, { path: `${fp}.metricsFormat`, message: 'metricsFormat must be a list of regexes.' }];
  formats.forEach((f, i) => {
    const p = at(`${fp}.metricsFormat`, i);
    const compiled = typeof f === 'string' ? checkRe2(f) : { ok: false as const, error: `not a string: ${show(f)}` };
    if (!compiled.ok) {
      issues.push({
        path: p,
        message: `invalid filter: ${compiled.error}.`,
        fix: 'Write a Go RE2 regular expression.',
      });
    } else if (!twoGroups.test(f as string) || compiled.captureGroups < 2) {
      issues.push({
        path: p,
        message: 'two top subexpressions are required: the first captures the metric name, the second its value.',
        fix: 'For example ([\\w|-]+)\\s*=\\s*([+-]?\\d*(\\.\\d+)?).',
      });
    }
  });
  return issues;
}

function checkFileSource(source: Obj | undefined, hasFilter: boolean): Issue[] {
  const fsp = source?.fileSystemPath;
  if (!isRecord(fsp) || fsp.kind !== 'File' || !isAbsolute(fsp.path)) {
    return [
      {
        path: fsPath,
        message:
          'file path where metrics file exists is required: fileSystemPath needs kind File and an absolute path.',
        fix: 'Set source.fileSystemPath to {kind: File, path: /absolute/metrics.log}.',
      },
    ];
  }
  if (fsp.format !== 'TEXT' && fsp.format !== 'JSON') {
    return [
      {
        path: `${fsPath}.format`,
        message: `format of metrics file is required for metrics collector: TEXT or JSON, got ${show(fsp.format)}.`,
      },
    ];
  }
  if (fsp.format === 'JSON' && hasFilter) {
    return [
      {
        path: `${path}.source.filter`,
        message: 'filter must be nil when format of metrics file is json.',
        fix: 'Remove the filter; JSON lines are read by key.',
      },
    ];
  }
  return [];
}

function checkTfEventSource(source: Obj | undefined): Issue[] {
  const fsp = source?.fileSystemPath;
  if (!isRecord(fsp) || fsp.kind !== 'Directory' || !isAbsolute(fsp.path)) {
    return [
      {
        path: fsPath,
        message:
          'directory path where tensorflow event files exist is required: fileSystemPath needs kind Directory and an absolute path.',
        fix: 'Set source.fileSystemPath to {kind: Directory, path: /absolute/logdir}.',
      },
    ];
  }
  if (!isUnset(fsp.format)) return [{ path: `${fsPath}.format`, message: 'format must be empty for TensorFlowEvent.' }];
  return [];
}

function checkPrometheus(source: Obj | undefined): Issue[] {
  const get = isRecord(source?.httpGet) ? source.httpGet : {};
  const issues: Issue[] = [];
  const port = typeof get.port === 'string' && /^\d+$/.test(get.port) ? Number(get.port) : get.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0) {
    issues.push({
      path: `${path}.source.httpGet.port`,
      message: `must be a positive integer value, got ${show(get.port)}.`,
    });
  }
  if (typeof get.path !== 'string' || !get.path.startsWith('/')) {
    issues.push({
      path: `${path}.source.httpGet.path`,
      message: `path is invalid: must start with "/", got ${show(get.path)}.`,
    });
  }
  return issues;
}

function checkCustom(collector: Obj, source: Obj | undefined): Issue[] {
  const issues: Issue[] = [];
  if (!isRecord(collector.customCollector)) {
    issues.push({
      path: `${path}.collector.customCollector`,
      message: 'metrics collector kind: Custom is required: customCollector must hold the collector container.',
    });
  }
  const fsp = source?.fileSystemPath;
  if (!isUnset(fsp) && (!isRecord(fsp) || !isAbsolute(fsp.path) || (fsp.kind !== 'File' && fsp.kind !== 'Directory'))) {
    issues.push({
      path: fsPath,
      message:
        '.spec.metricsCollectorSpec.source is invalid: fileSystemPath needs an absolute path and kind File or Directory.',
    });
  }
  return issues;
}

/** Webhook rules 41–49 on a defaulted `metricsCollectorSpec`; `supported` narrows the kinds (rule 41). */
export function checkCollector(spec: Obj, supported?: ReadonlySet<string>): Issue[] {
  const mc = spec.metricsCollectorSpec;
  if (!isRecord(mc)) return [{ path, message: `metricsCollectorSpec must be a mapping, got ${show(mc)}.` }];
  const issues = unknownFields(mc, path, knownFields.metricsCollectorSpec);
  const collector = isRecord(mc.collector) ? mc.collector : {};
  issues.push(...unknownFields(collector, `${path}.collector`, knownFields.collector));
  const source = isRecord(mc.source) ? mc.source : undefined;
  issues.push(...unknownFields(source, `${path}.source`, knownFields.source));
  if (source) issues.push(...unknownFields(source.fileSystemPath, fsPath, knownFields.fileSystemPath));
  const kind = collector.kind;
  if (kind === 'None') {
    return [
      ...issues,
      {
        path: `${path}.collector.kind`,
        message: 'invalid metrics collector kind: None; it was renamed to Push in Katib v0.18.',
        fix: 'Use kind: Push and report metrics from the training code.',
      },
    ];
  }
  if (typeof kind !== 'string' || !allKinds.includes(kind)) {
    return [
      ...issues,
      {
        path: `${path}.collector.kind`,
        message: `invalid metrics collector kind: ${String(kind)}.${typeof kind === 'string' ? didYouMean(kind, allKinds) : ''}`,
        fix: `Use one of: ${allKinds.join(', ')}.`,
      },
    ];
  }
  if (supported && !supported.has(kind)) {
    issues.push({
      path: `${path}.collector.kind`,
      message: `metrics collector kind ${kind} is not configured in this installation.`,
      fix: `Use one of: ${[...supported].join(', ')}.`,
    });
  }
  if (kind === 'File') issues.push(...checkFileSource(source, !isUnset(source?.filter)));
  if (kind === 'TensorFlowEvent') issues.push(...checkTfEventSource(source));
  if (kind === 'PrometheusMetric') issues.push(...checkPrometheus(source));
  if (kind === 'Custom') issues.push(...checkCustom(collector, source));
  issues.push(...checkFilters(source));
  return issues;
}
