/** `hpo suggestion-server`: our algorithms as Katib's Suggestion gRPC service. */

import { resolve as resolvePath } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ErrorCode, WorkbenchError } from '../index.ts';
import { importGrpc, importKubernetes } from './optional.ts';
import { positiveInt } from './options.ts';

/** Adds `suggestion-server` to `program`; `exit` receives its status once the server stops. */
export function addSuggestionServerCommand(program: Command, exit: (code: number) => void): void {
  program
    .command('suggestion-server')
    .description(
      "serve our algorithms as Katib's Suggestion gRPC service (point katib-config's suggestion images at it)",
    )
    .option('--port <n>', 'port to listen on', positiveInt('--port'), 6789)
    .option('--host <host>', 'address to bind', '0.0.0.0')
    .option(
      '--algorithm <name=module>',
      'also serve a user algorithm from a module (repeatable; the path is relative to the current folder)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option(
      '--trial-namespace <ns>',
      "namespace of the Trials SetTrialStatus marks early-stopped (default: the pod's, else the context's)",
    )
    .addOption(
      // Katib's mount point for the suggestion volume (grpc/suggestionVolume.ts katibSuggestionDataDir); spelled out
      // here so the CLI does not load the gRPC room before the command runs.
      new Option(
        '--data-dir <dir>',
        "PBT: where the suggestion volume is mounted; each trial's checkpoint folder is <dir>/<experiment>/<trial>",
      )
        .env('HPO_SUGGESTION_DATA_DIR')
        .default('/opt/katib/data'),
    )
    .option(
      '--keep-generations <n|all>',
      "PBT: the newest generations whose checkpoint folders are all kept (older dead ones go; 'all' keeps every one)",
      keepGenerations,
      2,
    )
    .action(async (o: SuggestionServerFlags) => {
      const algorithms = userAlgorithms(o.algorithm ?? []);
      const { serveUntilAborted } = await importGrpc('`hpo suggestion-server`');
      const log = (line: string): void => {
        process.stderr.write(`${line}\n`);
      };
      const setTrialStatus = await trialStatusHook(o.trialNamespace, log);
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await serveUntilAborted({
        port: o.port,
        host: o.host,
        signal: abort.signal,
        log,
        algorithms,
        dataDir: o.dataDir,
        keepGenerations: o.keepGenerations,
        ...(setTrialStatus === undefined ? {} : { setTrialStatus }),
      });
      exit(0);
    });
}

/** The flags of `hpo suggestion-server`. */
interface SuggestionServerFlags {
  readonly port: number;
  readonly host: string;
  readonly trialNamespace?: string;
  readonly algorithm?: string[];
  readonly dataDir: string;
  readonly keepGenerations: number;
}

/** `--keep-generations`: a whole number ≥ 2 (PBT re-queues a failed trial from the generation before), or `all`. */
function keepGenerations(v: string): number {
  if (v.trim().toLowerCase() === 'all') return Number.POSITIVE_INFINITY;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2) {
    throw new InvalidArgumentError(
      `--keep-generations must be a whole number of at least 2 (parents and their re-queued children) or 'all', got '${v}'`,
    );
  }
  return n;
}

/** `--algorithm NAME=MODULE` values as name → absolute module path; a value without both parts is bad input (exit 2). */
function userAlgorithms(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const name = eq < 0 ? '' : v.slice(0, eq).trim();
    const module = eq < 0 ? '' : v.slice(eq + 1).trim();
    if (name === '' || module === '') {
      throw new WorkbenchError(
        ErrorCode.invalidArgument,
        `--algorithm wants NAME=MODULE (e.g. my-search=./my-search.mjs), got '${v}'`,
      );
    }
    out[name] = /^[a-z][a-z0-9+.-]*:/i.test(module) ? module : resolvePath(module);
  }
  return out;
}

/**
 * SetTrialStatus of `hpo suggestion-server`: marks Trials EarlyStopped over the Kubernetes API, as Katib's service
 * does, with the pod's service account (or the kubeconfig). Without a cluster or the client library it says so once
 * and the call does nothing (Katib then records early-stopped trials as Succeeded).
 */
async function trialStatusHook(
  namespace: string | undefined,
  log: (line: string) => void,
): Promise<((trial: string) => Promise<void>) | undefined> {
  try {
    const k = await importKubernetes('SetTrialStatus');
    const kc = k.loadKubeConfig();
    const ns = namespace ?? k.trialNamespace(kc);
    log(`SetTrialStatus marks Trials of namespace ${ns} EarlyStopped`);
    return k.earlyStoppedMarker(kc, ns);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log(`warning: SetTrialStatus will not mark trials early-stopped (${why})`);
    return undefined;
  }
}
