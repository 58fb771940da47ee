/**
 * The algorithms `hpo suggestion-server` runs, each in the same worker-thread {@link SuggestionHost} `hpo run` uses:
 * one host per experiment and algorithm (a host mirrors one trial history), so a slow or crashing algorithm never
 * blocks the gRPC thread, a crashed worker is restarted with the full history, and a user algorithm registered at
 * the server's start (`registerAlgorithm`, `--algorithm NAME=MODULE`) runs exactly like a built-in. An Experiment's
 * own `module` setting is refused: the server would otherwise load whatever file any Experiment author names.
 */
import { status } from '@grpc/grpc-js';
import { validateOnlyAlgorithms } from '../../search/index.ts';
import type { Settings } from '../../search/types.ts';
import { SuggestionHost } from '../../suggestion/host.ts';
import { moduleSetting, resolveAlgorithm, runnableAlgorithmNames } from '../../suggestion/registry.ts';
import { GrpcStatusError } from './status.ts';

/** Hosts kept alive at once; the least recently used one is closed past this (its worker restarts when asked again). */
const maxHosts = 16;

/** The worker hosts of one server; see the module comment. */
export class AlgorithmHosts {
  private readonly hosts = new Map<string, SuggestionHost>();

  /** The names this server runs now: the built-ins and the registered algorithms. */
  served(): ReadonlySet<string> {
    return new Set(runnableAlgorithmNames());
  }

  /**
   * The host running `algorithm` for `experiment`, and the settings it should see; INVALID_ARGUMENT for an algorithm
   * this server does not run, or for a `module` setting.
   */
  hostFor(experiment: string, algorithm: string, settings: Settings): { host: SuggestionHost; settings: Settings } {
    if (Object.hasOwn(settings, moduleSetting)) {
      throw new GrpcStatusError(
        status.INVALID_ARGUMENT,
        `spec.algorithm.algorithmSettings.${moduleSetting}: this suggestion server loads only algorithms registered at its start (hpo suggestion-server --algorithm ${algorithm || 'NAME'}=MODULE), not modules an Experiment names`,
      );
    }
    const available = runnableAlgorithmNames().join(', ');
    if (!runnableAlgorithmNames().includes(algorithm)) {
      if (Object.hasOwn(validateOnlyAlgorithms, algorithm)) {
        throw new GrpcStatusError(
          status.INVALID_ARGUMENT,
          `${validateOnlyAlgorithms[algorithm]!.reason} This suggestion server runs: ${available}`,
        );
      }
      const what = algorithm === '' ? 'spec.algorithm.algorithmName is required' : `unknown algorithm '${algorithm}'`;
      throw new GrpcStatusError(status.INVALID_ARGUMENT, `${what}; this suggestion server runs: ${available}`);
    }
    const resolved = resolveAlgorithm(algorithm, settings);
    const key = `${experiment}\u0000${algorithm}`;
    let host = this.hosts.get(key);
    if (host === undefined) {
      host = new SuggestionHost(resolved.ref);
      if (this.hosts.size >= maxHosts) {
        const [oldest, old] = this.hosts.entries().next().value as [string, SuggestionHost];
        this.hosts.delete(oldest);
        void old.close();
      }
    } else {
      this.hosts.delete(key); // re-inserted below: the map's order is the recency order
    }
    this.hosts.set(key, host);
    return { host, settings: resolved.settings };
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(hosts.map((h) => h.close()));
  }
}
