import type { Issue } from '../common/issue.ts';
import { didYouMean } from './didYouMean.ts';
import { knownFields, unknownFields } from './fields.ts';
import { at, isRecord, isUnset, type Obj, show } from './read.ts';

const types = ['int', 'double', 'categorical', 'discrete'];
const distributions = ['uniform', 'logUniform', 'normal', 'logNormal', 'unknown'];
const floatText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const intText = /^[+-]?\d+$/;

/** Parses a bound the way the suggestion services will (Python float()/int(), Go ParseFloat), or returns an issue. */
function parseBound(v: unknown, path: string, type: 'int' | 'double', issues: Issue[]): number | undefined {
  const text = typeof v === 'string' ? v.trim() : undefined;
  const ok = text !== undefined && (type === 'int' ? intText : floatText).test(text);
  const n = ok ? Number(text) : Number.NaN;
  if (Number.isFinite(n)) return n;
  issues.push({
    path,
    message:
      type === 'int'
        ? `must be an integer for parameterType int, got ${show(v)}.`
        : `must be a finite number, got ${show(v)}.`,
    fix: type === 'int' ? 'Write a whole number such as "10".' : 'Write a number such as "0.01" or "1e-3".',
  });
  return undefined;
}

function checkRange(fs: Obj, path: string, type: 'int' | 'double'): Issue[] {
  const issues: Issue[] = [];
  if (!isUnset(fs.list)) {
    issues.push({
      path: at(path, 'list'),
      message: `feasibleSpace.list is not supported for parameterType: ${type}.`,
      fix: 'Use min/max (and step) for int/double, or make the parameter categorical/discrete.',
    });
  }
  if (isUnset(fs.min) || isUnset(fs.max)) {
    issues.push({
      path: at(path, isUnset(fs.min) ? 'min' : 'max'),
      message: `feasibleSpace.max or feasibleSpace.min must be specified for parameterType: ${type}.`,
      fix: 'Give both min and max.',
    });
  }
  const min = isUnset(fs.min) ? undefined : parseBound(fs.min, at(path, 'min'), type, issues);
  const max = isUnset(fs.max) ? undefined : parseBound(fs.max, at(path, 'max'), type, issues);
  const step = isUnset(fs.step) ? undefined : parseBound(fs.step, at(path, 'step'), type, issues);
  if (min !== undefined && max !== undefined) {
    // A double range of width 0 cannot be sampled by any distribution (normal's sd would be 0); a one-value int
    // range is a constant, which Katib's own hyperband example uses for its overwritten resource parameter.
    if (type === 'double' ? min >= max : min > max) {
      issues.push({
        path: at(path, 'max'),
        message: `max (${max}) must be ${type === 'double' ? 'greater than' : 'at least'} min (${min}); Katib does not check this and the suggestion service fails at run time.`,
        fix: type === 'double' ? 'Swap or widen the bounds; for a constant, drop the parameter.' : 'Swap the bounds.',
      });
    }
    if (step !== undefined && step > 0 && max > min && step > max - min) {
      issues.push({
        path: at(path, 'step'),
        message: `step (${step}) is larger than max - min (${max - min}), so only min can ever be chosen.`,
        fix: 'Use a smaller step.',
      });
    }
    const dist = fs.distribution;
    if ((dist === 'logUniform' || dist === 'logNormal') && min <= 0) {
      issues.push({
        path: at(path, 'min'),
        message: `distribution ${dist} needs min > 0 (the log of ${min} is undefined).`,
        fix: 'Raise min above 0, or use distribution uniform.',
      });
    }
  }
  if (step !== undefined && step <= 0) {
    issues.push({
      path: at(path, 'step'),
      message: `step must be greater than 0, got ${step}.`,
      fix: 'Use a positive step.',
    });
  }
  issues.push(...representability(path, type, { min, max, step }));
  return issues;
}

/**
 * Ranges that parse as finite numbers but that no algorithm can work with exactly: before these checks they
 * passed and then spun at full CPU before the first trial (counting grid points one by one past where
 * `min + k*step` stops changing). Katib has none of these checks.
 */
function representability(
  path: string,
  type: 'int' | 'double',
  b: { readonly min: number | undefined; readonly max: number | undefined; readonly step: number | undefined },
): Issue[] {
  const issues: Issue[] = [];
  if (type === 'int') {
    for (const key of ['min', 'max', 'step'] as const) {
      const v = b[key];
      if (v !== undefined && !Number.isSafeInteger(v)) {
        issues.push({
          path: at(path, key),
          message: `${key} ${show(String(v))} is beyond ±${Number.MAX_SAFE_INTEGER} (2^53 − 1), where numbers (and JSON) can no longer hold every integer, so values near it would be silently rounded.`,
          fix: `Keep int bounds within ±${Number.MAX_SAFE_INTEGER}, or use a double parameter.`,
        });
      }
    }
    return issues;
  }
  const { min, max, step } = b;
  if (min === undefined || max === undefined || !(max > min)) return issues;
  if (!Number.isFinite(max - min)) {
    issues.push({
      path: at(path, 'max'),
      message: `the width of the range, max − min = ${max} − (${min}), overflows to Infinity: no distribution can be drawn over it.`,
      fix: `Narrow the range to a width below ${Number.MAX_VALUE.toExponential(3)}, or rescale the parameter.`,
    });
    return issues;
  }
  if (step === undefined || !(step > 0)) return issues;
  const points = (max - min) / step;
  const resolution = 2 * Number.EPSILON * Math.max(Math.abs(min), Math.abs(max));
  if (points > Number.MAX_SAFE_INTEGER || step < resolution) {
    const smallest = Math.max((max - min) / Number.MAX_SAFE_INTEGER, resolution);
    issues.push({
      path: at(path, 'step'),
      message:
        points > Number.MAX_SAFE_INTEGER
          ? `step ${step} cuts [${min}, ${max}] into about ${points.toExponential(2)} points, more than 2^53: neighbouring points min + k·step can no longer be told apart.`
          : `step ${step} is below the floating-point resolution of numbers near ${Math.max(Math.abs(min), Math.abs(max))}: neighbouring points min + k·step would round to the same number.`,
      fix: `Use a step of ${10 ** Math.ceil(Math.log10(smallest))} or more, or remove step for a continuous parameter.`,
    });
  }
  return issues;
}

function checkList(fs: Obj, path: string, type: 'categorical' | 'discrete'): Issue[] {
  const issues: Issue[] = [];
  const extra = (['max', 'min', 'step'] as const).filter((k) => !isUnset(fs[k]));
  if (extra.length > 0) {
    issues.push({
      path: at(path, extra[0] ?? 'min'),
      message: `feasibleSpace .max, .min and .step is not supported for parameterType: ${type}.`,
      fix: 'Remove min/max/step and list the values, or make the parameter int/double.',
    });
  }
  const list = fs.list;
  const lp = at(path, 'list');
  if (!Array.isArray(list) || list.length === 0) {
    issues.push({
      path: lp,
      message: `parameterType ${type} needs a non-empty feasibleSpace.list${Array.isArray(list) || isUnset(list) ? '' : `, got ${show(list)}`}.`,
      fix: 'List the values to choose from.',
    });
    return issues;
  }
  const seen = new Set<unknown>();
  list.forEach((v, i) => {
    if (typeof v !== 'string') {
      issues.push({
        path: at(lp, i),
        message: `list values must be strings, got ${show(v)}.`,
        fix: 'Quote the value.',
      });
    } else if (v.includes('\0')) {
      // A trial gets its values through arguments and environment variables, and neither can hold NUL.
      issues.push({
        path: at(lp, i),
        message: `value ${show(v)} contains a NUL character, which no command-line argument or environment variable can hold.`,
        fix: 'Remove the NUL character from the value.',
      });
    } else if (type === 'discrete' && !(floatText.test(v.trim()) && Number.isFinite(Number(v)))) {
      issues.push({
        path: at(lp, i),
        message: `discrete values must be numbers, got ${show(v)}.`,
        fix: 'Use parameterType categorical for non-numeric values.',
      });
    }
    const key = type === 'discrete' && typeof v === 'string' ? Number(v) : v;
    if (seen.has(key))
      issues.push({ path: at(lp, i), message: `value ${show(v)} is listed twice.`, fix: 'Remove the duplicate.' });
    seen.add(key);
  });
  return issues;
}

/** Rules 35–40 for one parameter, plus the numeric and list checks Katib leaves to run time. */
function checkParameter(p: unknown, path: string): Issue[] {
  if (!isRecord(p))
    return [{ path, message: `a parameter must be {name, parameterType, feasibleSpace}, got ${show(p)}.` }];
  const issues = unknownFields(p, path, knownFields.parameter);
  if (typeof p.name !== 'string' || p.name === '') {
    issues.push({ path: at(path, 'name'), message: 'parameter name is required.', fix: 'Give the parameter a name.' });
  }
  const type = p.parameterType;
  if (typeof type !== 'string' || !types.includes(type)) {
    const unknown = type === 'unknown';
    issues.push({
      path: at(path, 'parameterType'),
      message: unknown
        ? 'parameterType: unknown is accepted by Katib but no algorithm can sample it.'
        : `parameterType: ${String(type)} is not supported.${typeof type === 'string' ? didYouMean(type, types) : ''}`,
      fix: `Use one of: ${types.join(', ')}.`,
    });
  }
  const fsPath = at(path, 'feasibleSpace');
  const fs = p.feasibleSpace;
  if (!isRecord(fs)) return [...issues, { path: fsPath, message: 'feasibleSpace must be specified.' }];
  issues.push(...unknownFields(fs, fsPath, knownFields.feasibleSpace));
  if (!isUnset(fs.distribution) && !distributions.includes(fs.distribution as string)) {
    issues.push({
      path: at(fsPath, 'distribution'),
      message: `distribution: ${String(fs.distribution)} is not supported.${typeof fs.distribution === 'string' ? didYouMean(fs.distribution, distributions) : ''}`,
      fix: 'Use uniform, logUniform, normal or logNormal.',
    });
  }
  // Katib tests the whole struct; distribution is defaulted, so only the search fields count as content here.
  if (['min', 'max', 'step', 'list'].every((k) => isUnset(fs[k]))) {
    return [...issues, { path: fsPath, message: 'feasibleSpace must be specified.', fix: 'Give min/max or list.' }];
  }
  if (type === 'int' || type === 'double') issues.push(...checkRange(fs, fsPath, type));
  if (type === 'categorical' || type === 'discrete') issues.push(...checkList(fs, fsPath, type));
  return issues;
}

/** Checks a parameter list (names unique, each parameter valid). */
export function checkParameterList(params: unknown, path: string): Issue[] {
  if (!Array.isArray(params)) return [{ path, message: `parameters must be a list, got ${show(params)}.` }];
  const issues: Issue[] = [];
  const seen = new Set<unknown>();
  params.forEach((p, i) => {
    issues.push(...checkParameter(p, at(path, i)));
    const name = isRecord(p) ? p.name : undefined;
    if (typeof name === 'string' && name !== '' && seen.has(name)) {
      issues.push({
        path: at(at(path, i), 'name'),
        message: `parameter ${show(name)} is defined twice.`,
        fix: 'Rename or remove one.',
      });
    }
    seen.add(name);
  });
  return issues;
}
