import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';

/** How every Katib proto is decoded here (see messages.ts): snake_case names, enum names, proto3 defaults. */
export const protoLoaderOptions: Options = {
  keepCase: true,
  enums: String,
  longs: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

/**
 * Where `katib-api.proto` is: beside this module (in `src/`, and in `dist/` when the build copies it there),
 * else in the source tree (running `dist/` from a checkout whose build did not copy it).
 */
export function katibProtoPath(): string {
  const candidates = [
    new URL('./katib-api.proto', import.meta.url),
    new URL('../../../src/platform/grpc/katib-api.proto', import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new WorkbenchError(ErrorCode.internal, `katib-api.proto is missing; looked in ${candidates.join(', ')}`);
  }
  return found;
}

/** The three Katib services as grpc-js constructors (clients) with their `.service` definitions (servers). */
export interface KatibServices {
  readonly Suggestion: ServiceClientConstructor;
  readonly EarlyStopping: ServiceClientConstructor;
  readonly DBManager: ServiceClientConstructor;
}

/** Loads a Katib API proto file (ours by default, or Katib's own in tests) with {@link protoLoaderOptions}. */
export function loadKatibDefinition(path: string = katibProtoPath()): PackageDefinition {
  return loadSync(path, protoLoaderOptions);
}

/** The services of package `api.v1.beta1` in `path`; loaded once per path. */
export function loadKatibServices(path: string = katibProtoPath()): KatibServices {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  const root = loadPackageDefinition(loadKatibDefinition(path));
  const pkg = ((root.api as GrpcObject).v1 as GrpcObject).beta1 as GrpcObject;
  const services: KatibServices = {
    Suggestion: pkg.Suggestion as ServiceClientConstructor,
    EarlyStopping: pkg.EarlyStopping as ServiceClientConstructor,
    DBManager: pkg.DBManager as ServiceClientConstructor,
  };
  cache.set(path, services);
  return services;
}

const cache = new Map<string, KatibServices>();
