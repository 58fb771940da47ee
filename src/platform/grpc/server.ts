import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { registerAlgorithm } from '../../suggestion/registry.ts';
import { type EarlyStoppingServiceOptions, KatibEarlyStoppingService } from './earlyStoppingService.ts';
import { loadKatibServices } from './loadProto.ts';
import type {
  GetEarlyStoppingRulesRequestMessage,
  GetSuggestionsRequestMessage,
  SetTrialStatusRequestMessage,
  ValidateAlgorithmSettingsRequestMessage,
  ValidateEarlyStoppingSettingsRequestMessage,
} from './messages.ts';
import { toServiceError } from './status.ts';
import { KatibSuggestionService, type SuggestionServiceOptions } from './suggestionService.ts';

/** Katib's port for suggestion services (its early-stopping container listens on 6788). */
export const defaultSuggestionPort = 6789;

/** Options of {@link startSuggestionServer}. */
export interface SuggestionServerOptions extends SuggestionServiceOptions, EarlyStoppingServiceOptions {
  /** The port to listen on; 0 picks a free one. Default {@link defaultSuggestionPort}. */
  readonly port?: number;
  /** The address to bind; default `0.0.0.0` (all interfaces, as in a Katib suggestion pod). */
  readonly host?: string;
  /**
   * User algorithms to serve besides the built-ins: name → module path or URL (as `registerAlgorithm` takes it).
   * They run in the same worker host as the built-ins; an Experiment's own `module` setting is refused.
   */
  readonly algorithms?: Readonly<Record<string, string>>;
}

/** A listening server. */
export interface SuggestionServer {
  /** The port it listens on (the chosen one when 0 was asked). */
  readonly port: number;
  /** Stops accepting calls, lets running ones finish, and releases the port. */
  close(): Promise<void>;
}

/** A unary handler that answers with `work`'s result or its error as a gRPC status. */
function unary<Req, Res>(work: (req: Req) => Res | Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    Promise.resolve()
      .then(() => work(call.request))
      .then(
        (reply) => callback(null, reply),
        (error: unknown) => callback(toServiceError(error), null),
      );
  };
}

/**
 * Starts a gRPC server with Katib's `api.v1.beta1.Suggestion` (every built-in algorithm, and `algorithms`) and `EarlyStopping`
 * (medianstop) services, so a Katib installation can use hpo-workbench's algorithms: point an algorithm's image in
 * katib-config at a container running `hpo suggestion-server` (port 6789; for early stopping the same command with
 * `--port 6788`). Resolves once the port is bound.
 */
export async function startSuggestionServer(options: SuggestionServerOptions = {}): Promise<SuggestionServer> {
  const services = loadKatibServices();
  for (const [name, moduleUrl] of Object.entries(options.algorithms ?? {})) registerAlgorithm(name, moduleUrl);
  const suggestions = new KatibSuggestionService(options);
  const earlyStopping = new KatibEarlyStoppingService(options);
  const server = new Server();
  const suggestionImpl: UntypedServiceImplementation = {
    GetSuggestions: unary((req: GetSuggestionsRequestMessage) => suggestions.getSuggestions(req)),
    ValidateAlgorithmSettings: unary(async (req: ValidateAlgorithmSettingsRequestMessage) => {
      await suggestions.validateAlgorithmSettings(req);
      return {};
    }),
  };
  const earlyStoppingImpl: UntypedServiceImplementation = {
    GetEarlyStoppingRules: unary(async (req: GetEarlyStoppingRulesRequestMessage) => ({
      early_stopping_rules: await earlyStopping.getEarlyStoppingRules(req),
    })),
    SetTrialStatus: unary(async (req: SetTrialStatusRequestMessage) => {
      await earlyStopping.setTrialStatus(req);
      return {};
    }),
    ValidateEarlyStoppingSettings: unary((req: ValidateEarlyStoppingSettingsRequestMessage) => {
      earlyStopping.validateEarlyStoppingSettings(req);
      return {};
    }),
  };
  server.addService(services.Suggestion.service, suggestionImpl);
  server.addService(services.EarlyStopping.service, earlyStoppingImpl);
  const host = options.host ?? '0.0.0.0';
  const wanted = options.port ?? defaultSuggestionPort;
  // IPv6 literals need brackets in a gRPC target.
  const address = host.includes(':') ? `[${host}]:${wanted}` : `${host}:${wanted}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        earlyStopping.close();
        server.tryShutdown(() => {
          void suggestions.close().then(resolve);
        });
      }),
  };
}
