/** Parsers and shared options of the `hpo` commands: a bad value is a usage error (exit 2) naming the flag. */

import { type Command, InvalidArgumentError, Option } from 'commander';
import { defaultWatchInterval } from './watch.ts';

/** `--canary`: a whole percent 0-100, else exit 2. */
export function percent(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n > 100) throw new InvalidArgumentError('a whole percent from 0 to 100');
  return n;
}

export function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number, got '${v}'`);
    return n;
  };
}

export function positiveSeconds(v: string): number {
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`--interval must be seconds > 0, got '${v}'`);
  return n;
}

/** A duration option (`--stuck-grace`, `--timeout`): `90` (seconds), `90s`, `2m` or `500ms`, in milliseconds. */
export const durationMs =
  (flag: string) =>
  (v: string): number => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
    if (!m) throw new InvalidArgumentError(`${flag} must be a duration such as 60s, 2m or 500ms, got '${v}'`);
    return Math.round(Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's'] ?? 1000));
  };
/** `--stuck-grace`. */
export const graceMs: (v: string) => number = durationMs('--stuck-grace');

/** `--heartbeat`: `2s`, `500ms` or `2` (seconds), at least 50 ms, in milliseconds. */
export function heartbeatMs(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v.trim());
  const ms = m ? Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : 1000)) : Number.NaN;
  if (!(ms >= 50))
    throw new InvalidArgumentError(`--heartbeat must be a duration of at least 50ms such as 2s or 500ms, got '${v}'`);
  return ms;
}

export const outputOption = (choices: string[]): Option =>
  new Option('-o, --output <format>', 'output format').choices(choices).default(choices[0]);
const storeHelp = 'store folder or .db file (default: $HPO_STORE, else ./.hpo)';
export const storeOption = (): Option => new Option('--store <path>', storeHelp);
export const namespaceOption = (): Option =>
  new Option('-n, --namespace <ns>', "the experiment's namespace (default: that of the one experiment of the name)");
export const watchOptions = (c: Command): Command =>
  c
    .option('-w, --watch', 'print again every --interval seconds until the experiment finishes or no run drives it')
    .option('--interval <seconds>', 'seconds between two prints with --watch', positiveSeconds, defaultWatchInterval);
